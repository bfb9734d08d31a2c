"""The SDK's value types: what the mods answer, as pydantic models.

The game's helpers.table_to_json writes an empty Lua table as {}; every field that is an object in the contract
still accepts [] (and turns it into {}), which earlier engine builds wrote.
"""

from __future__ import annotations

import enum
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from factoryverse.sdk.errors import InvalidArgumentError

__all__ = [
    "Position",
    "PositionLike",
    "Direction",
    "ItemCounts",
    "InterfaceVersion",
    "AgentInfo",
    "AgentState",
    "PlacedEntity",
    "BurnerState",
    "EntityState",
    "WalkResult",
    "MineResult",
    "PickupResult",
    "Blocker",
    "PlacementCheck",
    "SnapshotStatus",
    "ActionCompleted",
]


def _empty_list_is_object(value: Any) -> Any:
    return {} if isinstance(value, list) and not value else value


def _position_from_any(value: Any) -> Any:
    # Factorio accepts both {x=, y=} and {x, y}; so does every Position field here.
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return {"x": value[0], "y": value[1]}
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Position(_Model):
    """A map position in tiles; y grows southward, as in Factorio."""

    x: float
    y: float

    @classmethod
    def of(cls, value: PositionLike) -> Position:
        """A Position from a Position, an (x, y) pair or an {"x", "y"} mapping."""
        if isinstance(value, Position):
            return value
        try:
            return cls.model_validate(_position_from_any(value))
        except ValidationError as exc:
            raise InvalidArgumentError(
                f"{value!r} is not a position; pass Position(x=..., y=...), an (x, y) pair or {{'x': .., 'y': ..}}"
            ) from exc

    def distance(self, other: PositionLike) -> float:
        o = Position.of(other)
        return math.hypot(self.x - o.x, self.y - o.y)

    def as_tuple(self) -> tuple[float, float]:
        return (self.x, self.y)


PositionLike = Position | tuple[float, float] | list[float] | dict[str, float]
_Pos = Annotated[Position, BeforeValidator(_position_from_any)]


class Direction(enum.IntEnum):
    """defines.direction: Factorio 2.x has 16 directions; buildings use the four cardinal ones."""

    NORTH = 0
    NORTHNORTHEAST = 1
    NORTHEAST = 2
    EASTNORTHEAST = 3
    EAST = 4
    EASTSOUTHEAST = 5
    SOUTHEAST = 6
    SOUTHSOUTHEAST = 7
    SOUTH = 8
    SOUTHSOUTHWEST = 9
    SOUTHWEST = 10
    WESTSOUTHWEST = 11
    WEST = 12
    WESTNORTHWEST = 13
    NORTHWEST = 14
    NORTHNORTHWEST = 15


ItemCounts = Annotated[dict[str, int], BeforeValidator(_empty_list_is_object)]


class InterfaceVersion(_Model):
    interface: str
    schema_version: int
    mod_version: str


class AgentInfo(_Model):
    """An agent as create_agent or list_agents describe it (each omits one of the optional fields)."""

    agent_id: int
    interface_name: str
    force: str
    position: _Pos | None = None
    unit_number: int | None = None
    udp_port: int | None = None


class AgentState(_Model):
    agent_id: int
    position: _Pos
    force: str
    reach_distance: float
    walking: bool
    mining: bool
    inventory: ItemCounts


class PlacedEntity(_Model):
    unit_number: int | None = None
    name: str
    position: _Pos
    direction: Direction = Direction.NORTH


class BurnerState(_Model):
    remaining_burning_fuel: float
    currently_burning: str | None = None


class EntityState(_Model):
    """What inspect_entity sees: `inventories` maps fuel/input/output/chest to item counts."""

    unit_number: int | None = None
    name: str
    type: str
    position: _Pos
    direction: Direction = Direction.NORTH
    status: str | None = None
    inventories: Annotated[dict[str, ItemCounts], BeforeValidator(_empty_list_is_object)] = {}
    burner: BurnerState | None = None
    # Mining drills: where they put what they mine (LuaEntity.drop_position).
    drop_position: _Pos | None = None

    def inventory(self, kind: str) -> dict[str, int]:
        """The item counts of one inventory kind ({} when the entity has none of that kind)."""
        return dict(self.inventories.get(kind, {}))


class WalkResult(_Model):
    action_id: int
    position: _Pos
    tick: int


class MineResult(_Model):
    action_id: int
    item: str
    count: int
    tick: int


class PickupResult(_Model):
    name: str
    items: ItemCounts


class Blocker(_Model):
    name: str
    position: _Pos


class PlacementCheck(_Model):
    valid: bool
    entity_name: str
    position: _Pos
    reason: Literal["unknown_entity", "blocked"] | None = None
    blockers: list[Blocker] = []


class SnapshotStatus(_Model):
    """fv_snapshot's state: `waiting` until it has a run id, then `bootstrap` while writing, then `complete`."""

    phase: Literal["waiting", "bootstrap", "complete"]
    run_id: str | None = None
    seq: int
    chunks: int
    udp_port: int
    output_dir: str


class ActionCompleted(_Model):
    """An action_completed record of the agent_udp wire format."""

    type: Literal["action_completed"]
    schema_version: int
    agent_id: int
    action_id: int
    action: str
    success: bool
    tick: int
    result: Annotated[dict[str, Any], BeforeValidator(_empty_list_is_object)]
    error: str | None = None
