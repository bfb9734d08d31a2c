"""The world's many small objects (every entity on a surface and each one's inventories, stacks, burner and kind
state) as per-class columns, with no Python call per object on either side.

Pickled one by one, each such object cost a reduce call, a slot dict with its keys and a BUILD on load: most of a
save's and load's time (benchmarks/save_load.py). Instead the table's objects are listed group after group, and
the save's pickle starts with `TableObjects`, whose reduce makes them all empty on load (`cls.__new__`). A
reference to one anywhere else in the pickle is an item of that list (world_codec.py). The table's columns, one
per slot and class, are encoded as bytes where their values allow (_columns.py) and set on the objects once the
whole pickle is read.

Slots are read and set by C loops (_cslots.c) or code generated per class (_slot_code.py), which the interpreter
runs as direct slot accesses: several times faster than a C call per object and slot.

What a table leaves out: an entity's prototype and kind (rebuilt from its type and name) and an inventory's waker
(its world's `wake`, given back once the world exists). Entities are grouped per (type, name), so those two columns
are known without reading them, and a column whose every value is the same object is written once (a one-value
column): most of an ore tile's or a tree's slots never change.
"""

from __future__ import annotations

import operator
from collections import deque
from itertools import chain, compress, repeat
from typing import TYPE_CHECKING, Any

from factoryverse.engine.kinds import kind_of
from factoryverse.engine.kinds.crafting import CraftingState
from factoryverse.engine.kinds.mining_drill import DrillState
from factoryverse.engine.save import _slot_code
from factoryverse.engine.save._columns import ColumnError, Encoder, decode
from factoryverse.engine.world.entity import NO_INVENTORIES, Entity
from factoryverse.engine.world.inventory import Inventory, Stack

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine
    from factoryverse.engine.world.world import World

__all__ = ["Table", "TableObjects", "collect", "written", "make_objects", "fill", "UNSET", "all_objects"]

# Entity slots rebuilt on load from the type and name. (Layers and box stay columns: a ghost's are its inner
# entity's, not its own prototype's; they are a few shared objects, written once each.)
_ENTITY_DERIVED = ("proto", "kind")
_MODULES = ("factoryverse.engine.world.", "factoryverse.engine.kinds.", "factoryverse.engine.mechanics.")
# Classes that define their own pickling yet are plain slots underneath (a slots dataclass's get/setstate).
_PLAIN_ANYWAY = (Stack,)


class _Unset:
    """A slot never set (written so a load leaves it unset too)."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "UNSET"


UNSET = _Unset()


def _slot_names(cls: type) -> tuple[str, ...] | None:
    """The class's slots in MRO order, or None when its instances are not plain slotted objects."""
    names: list[str] = []
    for c in cls.__mro__:
        if c is object:
            continue
        if "__slots__" not in c.__dict__:
            return None
        if cls not in _PLAIN_ANYWAY and any(m in c.__dict__ for m in ("__reduce__", "__reduce_ex__", "__getstate__",
                                                                       "__setstate__")):
            return None
        slots = c.__dict__["__slots__"]
        for s in (slots,) if isinstance(slots, str) else slots:
            if s not in ("__weakref__", "__dict__") and s not in names:
                names.append(s)
    if cls is Entity:
        names = [n for n in names if n not in _ENTITY_DERIVED]
    return tuple(names)


_NAMES: dict[type, tuple[str, ...] | None] = {}


def _table_names(cls: type) -> tuple[str, ...] | None:
    try:
        return _NAMES[cls]
    except KeyError:
        names = _slot_names(cls) if cls.__module__.startswith(_MODULES) else None
        _NAMES[cls] = names
        return names


class Table:
    """Per class: its objects and their slot columns."""

    __slots__ = ("groups", "encoder")

    def __init__(self) -> None:
        # (class, objects, slot names, columns, sparse): `sparse` when some slot of some object is unset (UNSET).
        # Columns are encoded (_columns.py) once `collect` ends.
        self.groups: list[tuple[type, list[Any], tuple[str, ...], list[Any], bool]] = []
        self.encoder: Encoder | None = None


# Slot containers each object owns (no other reference to one exists, so a load may make them anew), and how many
# levels deep: written as lengths and flat columns (_columns.py). An entity's inventories by index, an inventory's
# slots and the entities subscribed to it, the ingredients a craft holds and what a drill mined and has not yet
# delivered (lists of (name, count) tuples).
_OWNED: dict[tuple[type, str], int] = {
    (Entity, "inventories"): 1,
    (Inventory, "slots"): 1,
    (Inventory, "subscribers"): 1,
    (CraftingState, "holding"): 1,
    (DrillState, "pending"): 1,
}


_VALUES = operator.methodcaller("values")
_SLOTS = operator.attrgetter("slots")


def collect(world: World) -> Table:
    """Every entity on a surface, and what each one owns, grouped by class with its columns."""
    entities = list(chain.from_iterable(surface.all_entities() for surface in world.surfaces.values()))
    groups = _slot_code.group(Entity, ("type", "name"), entities)
    table = Table()
    wake = world.wake
    # Everything an entity owns, read from the entity columns (an ore tile's or tree's are one-value columns of
    # None), per source list (each usually of one class), then per class (first seen first) without duplicates.
    sources: list[Any] = []
    for (type_, name), objs in groups.items():
        # Every entity of a group has the group's type and name: those two columns are known without reading them.
        group = _columns(Entity, objs, wake, {"type": type_, "name": name})
        table.groups.append(group)
        columns = dict(zip(group[2], group[3]))
        maps = [m for m in columns["inventories"] if m is not NO_INVENTORIES and m is not UNSET]
        if maps:
            inventories = list(chain.from_iterable(map(_VALUES, maps)))
            sources.append(inventories)
            # Empty slots are None, and a stack is never false.
            sources.append(list(filter(None, chain.from_iterable(map(_SLOTS, inventories)))))
        burner, energy = columns["burner"], columns["energy"]
        sources.append(burner)
        if energy != burner:  # a burner machine's energy source is its burner
            sources.append(energy)
        sources.append(columns["state"])
        sources.append(columns["stack"])
    by_class: dict[type, list[Any]] = {}
    for source in sources:
        classes = list(map(type, source))
        kinds = dict.fromkeys(classes)
        for cls in kinds:
            if _table_names(cls) is None:
                continue  # None, UNSET, plain data: pickled where met
            objs = source if len(kinds) == 1 else list(compress(source, map(operator.is_, classes, repeat(cls))))
            found = by_class.get(cls)
            if found is None:
                by_class[cls] = list(objs)
            else:
                found.extend(objs)
    for cls, objs in by_class.items():
        unique = _slot_code.distinct(objs)
        table.groups.append(_columns(cls, unique, wake, None))
    # Every column as bytes where its values allow (_columns.py), against the table's objects in the order the
    # load lists them.
    table.encoder = encoder = Encoder(all_objects(table.groups))
    encode = encoder.encode
    table.groups = [
        (cls, objs, names, [("o", c[0]) if type(c) is tuple else encode(c, _owned_depth(cls, name))
                            for name, c in zip(names, columns)], sparse)
        for cls, objs, names, columns, sparse in table.groups
    ]
    return table


def _owned_depth(cls: type, name: str) -> int:
    return max((_OWNED.get((c, name), 0) for c in cls.__mro__), default=0)


def all_objects(groups: list[Any]) -> list[Any]:
    """The table's objects, group after group: what an encoded reference's position counts in."""
    return list(chain.from_iterable(g[1] for g in groups))


def _columns(cls: type, objs: list[Any], wake: Any,
             known: dict[str, Any] | None) -> tuple[type, list[Any], tuple[str, ...], list[Any], bool]:
    """`known`: slots whose value every object shares, given by the caller instead of read."""
    names = _table_names(cls)
    assert names is not None
    sparse = False
    read = names if not known else tuple(n for n in names if n not in known)
    try:
        found = dict(zip(read, _slot_code.reader(cls, read)(objs)))
    except AttributeError:
        sparse = True
        found = {n: [getattr(o, n, UNSET) for o in objs] for n in read}
    columns: list[Any] = [found[n] if n in found else (known[n],) for n in names]  # type: ignore[index]
    if cls is Inventory:
        i = names.index("waker")
        column = columns[i]
        columns[i] = (True,) if column.count(wake) == len(column) else [True if w == wake else w for w in column]
    return (cls, objs, names, columns, sparse)


class TableObjects:
    """Stands in a save's pickle for the list of every table object, group after group: its reduce makes them all,
    empty, when the load meets it (first in the pickle), and a reference to a table object anywhere else in the
    pickle is `getitem` of that list (world_codec.py), a C call."""

    __slots__ = ("specs",)

    def __init__(self, groups: list[tuple[type, list[Any], tuple[str, ...], list[Any], bool]]):
        self.specs = tuple((g[0], len(g[1])) for g in groups)

    def __reduce__(self) -> Any:
        return (make_objects, (self.specs,))


def make_objects(specs: Any) -> list[Any]:
    """The table's objects, empty (`cls.__new__`), group after group."""
    from factoryverse.engine.save.world_codec import CorruptSaveError

    if type(specs) is not tuple:
        raise CorruptSaveError("the save's object table is damaged")
    objs: list[Any] = []
    for spec in specs:
        if type(spec) is not tuple or len(spec) != 2 or type(spec[1]) is not int or spec[1] < 0:
            raise CorruptSaveError("the save's object table is damaged")
        cls, n = spec
        if not isinstance(cls, type) or _table_names(cls) is None:
            raise CorruptSaveError(f"the save tabulates {cls!r}, which is no world class of this engine")
        objs.extend(map(cls.__new__, repeat(cls, n)))
    return objs


def written(table: Table) -> list[tuple[type, int, tuple[str, ...], list[Any], bool]]:
    """The table as a save writes it: each group's size in place of its objects (TableObjects makes them)."""
    return [(cls, len(objs), names, columns, sparse) for cls, objs, names, columns, sparse in table.groups]


def fill(engine: Engine, world: World, groups: Any, everything: list[Any]) -> None:
    """Set every table object's slots from its columns (`groups` as `written` gave them, `everything` as
    `make_objects` made them), then what the table left out."""
    from factoryverse.engine.save.world_codec import CorruptSaveError

    wake = world.wake
    if type(groups) is not list or type(everything) is not list:
        raise CorruptSaveError("the save's object table is damaged")
    start = 0
    for group in groups:
        if type(group) is not tuple or len(group) != 5 or type(group[1]) is not int:
            raise CorruptSaveError("the save's object table is damaged")
        cls, count, names, encoded, sparse = group
        objs = everything[start:start + count]
        start += count
        if len(objs) != count or not all(map(operator.is_, map(type, objs), repeat(cls))):
            raise CorruptSaveError("the save's object table is damaged")
        if _table_names(cls) != names:
            raise CorruptSaveError(f"the save tabulates {cls.__qualname__} with other slots than this engine's: "
                                   "it is corrupt or from another engine version")
        n = len(objs)
        if type(encoded) is not list or len(encoded) != len(names):
            raise CorruptSaveError("the save's object table is damaged")
        try:
            columns = [decode(c, n, everything) for c in encoded]
        except ColumnError as e:
            raise CorruptSaveError(f"the save's object table is damaged: {e}") from e
        if cls is Inventory:
            columns = list(columns)
            i = names.index("waker")
            columns[i] = [wake if w is True else w for w in columns[i]]
        if sparse:
            for name, column in zip(names, columns):
                for o, v in zip(objs, column * n if len(column) == 1 else column):
                    if v is not UNSET:
                        setattr(o, name, v)
        else:
            # A one-value column (length 1) holds the same object for every row.
            _slot_code.filler(cls, names, tuple(len(c) != 1 for c in columns))(objs, columns)
        if cls is Entity:
            _entity_derived(engine, objs, names, columns)
    if start != len(everything):
        raise CorruptSaveError("the save's object table is damaged")


def _entity_derived(engine: Engine, entities: list[Entity], names: tuple[str, ...], columns: list[Any]) -> None:
    from factoryverse.engine.save.world_codec import CorruptSaveError

    raw = engine.prototypes.raw
    types, entity_names = (columns[names.index(n)] for n in ("type", "name"))
    if len(types) == 1 and len(entity_names) == 1:
        keys: list[tuple[str, str]] = [(types[0], entity_names[0])]
    else:
        n = len(entities)
        keys = list(zip(types * n if len(types) == 1 else types, entity_names * n if len(entity_names) == 1
                        else entity_names))
    found: dict[tuple[str, str], tuple[Any, Any]] = {}
    for key in dict.fromkeys(keys):
        proto = raw.get(key[0], {}).get(key[1])
        if proto is None:
            raise CorruptSaveError(f"the save has an entity {key[1]!r} of type {key[0]!r}, which this game's "
                                   "prototypes lack")
        found[key] = (proto, kind_of(key[0]))
    if len(keys) == 1:
        proto, kind = found[keys[0]]
        for entity in entities:
            entity.proto = proto
            entity.kind = kind
        return
    rows = [found[k] for k in keys]
    deque(map(setattr, entities, repeat("proto"), [r[0] for r in rows]), 0)
    deque(map(setattr, entities, repeat("kind"), [r[1] for r in rows]), 0)
