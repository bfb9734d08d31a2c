"""Entities as the world holds them: a prototype, a position, a force, inventories and an optional machine."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from factoryverse.engine.world.geometry import BBox, rotate_box, rotate_vector
from factoryverse.engine.world.ids import next_oid

if TYPE_CHECKING:
    from factoryverse.engine.world.force import Force
    from factoryverse.engine.world.inventory import Inventory
    from factoryverse.engine.world.surface import Surface

__all__ = ["Entity", "collision_layers", "GRID_FREE_TYPES"]

# Types Factorio places at any position; everything else snaps to the tile grid.
GRID_FREE_TYPES = frozenset({"character", "item-entity", "tree", "simple-entity", "car", "unit"})


def collision_layers(proto: dict[str, Any]) -> frozenset[str]:
    mask = proto.get("collision_mask") or {}
    return frozenset(mask.get("layers", {}))


class Entity:
    """One entity. Machines keep their working state in `machine` (see engine/mechanics)."""

    lua_class = "LuaEntity"
    __slots__ = (
        "oid", "unit_number", "name", "type", "proto", "surface", "x", "y", "direction", "force", "valid",
        "inventories", "burner", "machine", "amount", "layers", "box", "walking", "walking_direction", "stack",
        "health", "__weakref__",
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
        self.oid = next_oid()
        self.surface = surface
        self.proto = proto
        self.name: str = proto["name"]
        self.type: str = proto["type"]
        self.x = x
        self.y = y
        self.direction = direction
        self.force = force
        self.unit_number = unit_number
        self.valid = True
        self.inventories: dict[int, Inventory] = {}
        self.burner = None
        self.machine = None
        self.amount = 0
        self.layers = collision_layers(proto)
        self.box = rotate_box(_proto_box(proto), direction)
        self.walking = False
        self.walking_direction = 0
        self.stack = None  # item-entity: the Stack lying on the ground
        self.health = float(proto.get("max_health", 0) or 0)

    @property
    def position(self) -> tuple[float, float]:
        return (self.x, self.y)

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


def _proto_box(proto: dict[str, Any]) -> BBox:
    box = proto.get("collision_box")
    if not box:
        return BBox(0.0, 0.0, 0.0, 0.0)
    return BBox(float(box[0][0]), float(box[0][1]), float(box[1][0]), float(box[1][1]))
