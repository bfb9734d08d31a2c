"""The map's plain entities (ore, trees, rocks: no inventories, no machine state, nothing scheduled) as columns.

They are most of a map's entities (16,467 of 26,467 in benchmarks/save_load.py), and pickling each as an object
(its reduce call, its slot dict, a memo entry per slot name) cost more than the rest of the world. A save writes
them first, as one batch of plain lists (one per field, C speed both ways); every other reference to one of them
(a chunk's list, the name and type indexes, a drill's resource, a mod's storage) is a small `ref(i)` into the
batch. Loading builds the batch's entities before anything refers to them, and gives them their surface and force
once those exist.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, Any

from factoryverse.engine.kinds import kind_of
from factoryverse.engine.world.entity import NO_INVENTORIES, Entity, entity_shape

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine
    from factoryverse.engine.world.world import World

__all__ = ["PlainEntities", "collect", "restore_batch", "ref", "attach_owners", "WRITING", "READING"]

# Written as columns.
_COLUMNS = ("oid", "unit_number", "name", "type", "x", "y", "direction", "valid", "amount", "health", "gen")
# Rebuilt on load from the prototype and direction (proto, kind, shape) or from the world (surface, force).
_DERIVED = ("proto", "kind", "layers", "box", "surface", "force")
# What makes an entity plain: these slots hold exactly these values.
_PLAIN = {"burner": None, "energy": None, "state": None, "due": None, "walking": False, "walking_direction": 0,
          "stack": None}


def _all_slots() -> tuple[str, ...]:
    names: list[str] = []
    for cls in Entity.__mro__:
        for s in getattr(cls, "__slots__", ()):
            if s != "__weakref__" and s not in names:
                names.append(s)
    return tuple(names)


_SLOTS = _all_slots()
# Slots a kind or mechanic added that the batch does not know by name: written as one more column, as they are.
_EXTRA = tuple(s for s in _SLOTS if s not in _COLUMNS and s not in _DERIVED and s not in _PLAIN and s != "inventories")

# While writing: id(entity) -> batch index. While reading: the batch's entities.
WRITING: contextvars.ContextVar[dict[int, int]] = contextvars.ContextVar("factoryverse_plain_writing")
READING: contextvars.ContextVar[list[Entity]] = contextvars.ContextVar("factoryverse_plain_reading")


def _is_plain(e: Entity) -> bool:
    if e.inventories is not NO_INVENTORIES:
        return False
    for slot, value in _PLAIN.items():
        if getattr(e, slot) is not value and getattr(e, slot) != value:
            return False
    return True


class PlainEntities:
    """The batch as pickled: plain lists, one per column."""

    __slots__ = ("columns", "surfaces", "forces", "extra")

    def __reduce__(self) -> Any:
        return (restore_batch, (self.columns, self.surfaces, self.forces, self.extra))


def collect(world: World) -> tuple[PlainEntities, dict[int, int]]:
    """The world's plain entities as a batch, and where each went (id -> index) for `ref`."""
    entities = [e for surface in world.surfaces.values() for e in surface.all_entities() if _is_plain(e)]
    batch = PlainEntities()
    batch.columns = {c: [getattr(e, c) for e in entities] for c in _COLUMNS}
    batch.surfaces = [e.surface.name for e in entities]
    batch.forces = [None if e.force is None else e.force.name for e in entities]
    batch.extra = {c: [getattr(e, c) for e in entities] for c in _EXTRA}
    return batch, {id(e): i for i, e in enumerate(entities)}


def restore_batch(columns: dict[str, list], surfaces: list[str], forces: list[str | None],
                  extra: dict[str, list]) -> PlainEntities:
    from factoryverse.engine.save.world_codec import CorruptSaveError, loading_engine

    engine: Engine = loading_engine()
    raw = engine.prototypes.raw
    new = Entity.__new__
    built: list[Entity] = []
    protos: dict[tuple[str, str], Any] = {}
    cols = [columns[c] for c in _COLUMNS]
    for (oid, unit_number, name, type_, x, y, direction, valid, amount, health, gen) in zip(*cols):
        key = (type_, name)
        found = protos.get(key)
        if found is None:
            proto = raw.get(type_, {}).get(name)
            if proto is None:
                raise CorruptSaveError(f"the save has an entity {name!r} of type {type_!r}, which this game's "
                                       "prototypes lack")
            found = protos[key] = (proto, kind_of(type_), entity_shape(proto))
        proto, kind, shape = found
        e = new(Entity)
        e.oid, e.unit_number, e.name, e.type, e.x, e.y, e.direction = oid, unit_number, name, type_, x, y, direction
        e.valid, e.amount, e.health, e.gen = valid, amount, health, gen
        e.proto, e.kind, e.layers, e.box = proto, kind, shape.layers, shape.boxes[direction % 16]
        e.inventories = NO_INVENTORIES
        e.burner = e.energy = e.state = e.due = e.stack = None
        e.walking, e.walking_direction = False, 0
        built.append(e)
    for c, values in extra.items():
        if c in _SLOTS:
            for e, v in zip(built, values):
                setattr(e, c, v)
    READING.get().extend(built)
    batch = PlainEntities()
    batch.columns, batch.surfaces, batch.forces, batch.extra = {}, surfaces, forces, {}
    return batch


def ref(index: int) -> Entity:
    return READING.get()[index]


def attach_owners(world: World, batch: PlainEntities, entities: list[Entity]) -> None:
    """Give the batch's entities their surface and force, now that the world exists."""
    surfaces = world.surfaces
    forces = world.forces
    for e, s, f in zip(entities, batch.surfaces, batch.forces):
        e.surface = surfaces[s]
        e.force = None if f is None else forces[f]
