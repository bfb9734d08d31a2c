"""place_next_to(name, reference, direction, spacing): place an entity beside another, as FLE's tool does.

Both footprints are the game's (placement_hints.get_entity_footprint), the spot is checked with
validate_placement before anything moves, and the character walks within build distance first.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

from factoryverse.sdk.entities.base import BaseEntity
from factoryverse.sdk.errors import InvalidArgumentError, PlacementBlockedError
from factoryverse.sdk.helpers._hints import footprint, hints_call, tile_of
from factoryverse.sdk.helpers._reach import Reacher
from factoryverse.sdk.types import Direction, Position, PositionLike

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["place_next_to", "next_to_position"]

_CARDINAL = (Direction.NORTH, Direction.EAST, Direction.SOUTH, Direction.WEST)


def _spacing(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise InvalidArgumentError(f"place_next_to: spacing must be a whole number of tiles >= 0, not {value!r}")
    return int(value)


async def _reference_tiles(agent: Agent, reference: Any) -> tuple[int, int, int, int]:
    if isinstance(reference, BaseEntity):
        shape = await footprint(agent, reference.name, reference.position, int(reference.direction))
        return shape.bounds()
    try:
        x, y = tile_of(reference)
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(
            f"place_next_to: reference must be an entity or a position like MapPosition(3, 4), not {reference!r}"
        ) from exc
    return x, y, x, y


async def next_to_position(agent: Agent, name: str, reference: Any, direction: Direction | int | str = Direction.EAST,
                           spacing: int = 0, facing: Direction | int | str | None = None) -> Position:
    """The center where `name` (facing `facing`) goes `spacing` free tiles to the `direction` of `reference`,
    centered on it across that direction."""
    side = Direction.of(direction)
    if side not in _CARDINAL:
        raise InvalidArgumentError(f"place_next_to: direction must be NORTH, EAST, SOUTH or WEST, not {side.name}")
    gap = _spacing(spacing)
    turn = int(Direction.of(facing)) if facing is not None else 0
    shape = await footprint(agent, name, None, turn)
    w, h = shape.tile_width, shape.tile_height
    left, top, right, bottom = await _reference_tiles(agent, reference)
    # Across the direction the new footprint is centered on the reference's, snapped to whole tiles (halves
    # round up, not to even, so the same layout comes out wherever it is).
    mid_x, mid_y = (left + right + 1) / 2, (top + bottom + 1) / 2
    x0 = math.floor(mid_x - w / 2 + 0.5)
    y0 = math.floor(mid_y - h / 2 + 0.5)
    if side is Direction.EAST:
        x0 = right + 1 + gap
    elif side is Direction.WEST:
        x0 = left - gap - w
    elif side is Direction.SOUTH:
        y0 = bottom + 1 + gap
    else:
        y0 = top - gap - h
    return Position(x0 + w / 2, y0 + h / 2)


async def place_next_to(agent: Agent, name: str, reference: BaseEntity | PositionLike,
                        direction: Direction | int | str = Direction.EAST, spacing: int = 0,
                        facing: Direction | int | str | None = None) -> BaseEntity:
    """Place `name` from the inventory `spacing` tiles to the `direction` of `reference` (an entity or a
    position), facing `facing`; returns it REACHABLE. PlacementBlockedError names what is in the way.

    Example: chest = await place_next_to(agent, "wooden-chest", drill, Direction.EAST, spacing=1)
    """
    from factoryverse.sdk.entities.registry import reachable_entity

    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"place_next_to: name must be an entity name like 'wooden-chest', not {name!r}")
    target = await next_to_position(agent, name, reference, direction, spacing, facing)
    turn = int(Direction.of(facing)) if facing is not None else 0
    check = await hints_call(agent, "validate_placement", name, target, turn)
    if not check.get("valid"):
        blockers = ", ".join(f"{b['name']} at {Position.of(b['position'])}" for b in check.get("blockers") or [])
        raise PlacementBlockedError(
            f"place_next_to: {name} cannot go at {target} ({Direction.of(direction).name.lower()} of {reference!r}, "
            f"spacing {spacing}): {blockers or check.get('reason')} in the way; try a larger spacing or another "
            "direction", code="placement_blocked", detail=blockers or str(check.get("reason")),
            interface=agent.interface_name, method="place_next_to")
    await Reacher(agent).within_reach(target)
    placed = await agent.place_entity(name, target, turn)
    return await reachable_entity(agent, placed.name, placed.position)
