"""Entities as the world holds them: a prototype, a position, a force, and what their kind gives them.

What an entity does depends on its prototype `type` only through its kind (engine/kinds/): inventories, energy
source, working state (`state`), insert and take routing and its own LuaEntity members. Collision boxes and layer
sets are the prototype's, shared by every entity of it.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from factoryverse.engine.kinds import grid_free_types, kind_of
from factoryverse.engine.world.geometry import BBox, rotate_box, rotate_vector

if TYPE_CHECKING:
    from factoryverse.engine.kinds.base import Kind
    from factoryverse.engine.mechanics.burner import Burner
    from factoryverse.engine.mechanics.energy import EnergySource
    from factoryverse.engine.world.force import Force
    from factoryverse.engine.world.inventory import Inventory
    from factoryverse.engine.world.surface import Surface

__all__ = ["Entity", "collision_layers", "entity_shape", "GRID_FREE_TYPES", "NO_INVENTORIES"]

# Types Factorio places at any position; everything else snaps to the tile grid. The kinds say which.
GRID_FREE_TYPES = grid_free_types()

# The inventories of an entity that has none: one shared read-only mapping instead of a dict per tree and ore tile.
NO_INVENTORIES: Mapping[str, Inventory] = MappingProxyType({})


class _Shape:
    """A prototype's collision layers and its collision box in each direction, computed once."""

    __slots__ = ("layers", "boxes")

    def __init__(self, proto: dict[str, Any]):
        mask = proto.get("collision_mask") or {}
        self.layers = frozenset(mask.get("layers", {}))
        box = proto.get("collision_box")
        base = BBox(float(box[0][0]), float(box[0][1]), float(box[1][0]), float(box[1][1])) if box else BBox(0.0, 0.0, 0.0, 0.0)
        self.boxes = [rotate_box(base, d) for d in range(16)]


# Keyed by the prototype dict's id; the dict itself is kept beside its shape so the id can't be reused.
_SHAPES: dict[int, tuple[dict[str, Any], _Shape]] = {}


def _shape(proto: dict[str, Any]) -> _Shape:
    found = _SHAPES.get(id(proto))
    if found is None or found[0] is not proto:
        found = (proto, _Shape(proto))
        _SHAPES[id(proto)] = found
    return found[1]


def collision_layers(proto: dict[str, Any]) -> frozenset[str]:
    return _shape(proto).layers


def entity_shape(proto: dict[str, Any]) -> _Shape:
    """The prototype's shared collision layers and per-direction boxes (what a loaded entity takes back)."""
    return _shape(proto)


class Entity:
    """One entity. `state` is its kind's working state (a machine's progress), `energy` its energy source, and
    `due`/`gen` its place in the world's scheduler (mechanics/scheduler.py)."""

    lua_class = "LuaEntity"
    __slots__ = (
        "oid", "unit_number", "name", "type", "proto", "kind", "surface", "x", "y", "direction", "force", "valid",
        "inventories", "burner", "energy", "state", "due", "gen", "amount", "layers", "box", "walking",
        "walking_direction", "stack", "health", "deconstruction", "looks", "__weakref__",
    )

    def __init__(
        self,
        surface: Surface,
        proto: dict[str, Any],
        x: float,
        y: float,
        *,
        direction: int = 0,
        force: Force,
        unit_number: int | None,
    ):
        self.oid = surface.oids()
        self.surface = surface
        self.proto = proto
        self.name: str = proto["name"]
        self.type: str = proto["type"]
        self.kind: Kind = kind_of(self.type)
        self.x = x
        self.y = y
        self.direction = direction
        self.force = force
        self.unit_number = unit_number
        self.valid = True
        self.inventories: Mapping[str, Inventory] | dict[str, Inventory] = NO_INVENTORIES
        self.burner: Burner | None = None
        self.energy: EnergySource | None = None
        self.state: Any = None
        self.due: int | None = None
        self.gen = 0
        self.amount = 0
        shape = _shape(proto)
        self.layers = shape.layers
        self.box = shape.boxes[direction % 16]
        self.walking = False
        self.walking_direction = 0
        self.stack = None  # item-entity: the Stack lying on the ground
        self.health = float(proto.get("max_health", 0) or 0)
        self.deconstruction: Force | None = None  # the force that marked it for deconstruction
        self.looks: Any = None  # world/looks.py: color, name tag, orientation set by script

    @property
    def position(self) -> tuple[float, float]:
        return (self.x, self.y)

    def set_direction(self, direction: int) -> None:
        self.direction = direction
        self.box = _shape(self.proto).boxes[direction % 16]

    def bbox(self) -> BBox:
        """The collision box in map coordinates."""
        b = self.box
        return BBox(self.x + b.left, self.y + b.top, self.x + b.right, self.y + b.bottom)

    def footprint(self) -> BBox:
        """The tiles the entity covers: its collision box rounded out to tile edges (what the drop logic targets)."""
        b = self.bbox()
        return BBox(math.floor(b.left + 1e-6), math.floor(b.top + 1e-6), math.ceil(b.right - 1e-6), math.ceil(b.bottom - 1e-6))

    def drop_position(self) -> tuple[float, float] | None:
        vec = self.proto.get("vector_to_place_result")
        if vec is None:
            return None
        dx, dy = rotate_vector((float(vec[0]), float(vec[1])), self.direction)
        return (self.x + dx, self.y + dy)

    def distance_to(self, x: float, y: float) -> float:
        return math.hypot(self.x - x, self.y - y)

    def __repr__(self) -> str:
        return f"<Entity {self.name} #{self.unit_number} at ({self.x}, {self.y})>"
