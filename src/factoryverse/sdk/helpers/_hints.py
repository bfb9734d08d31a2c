"""The placement hints mod's answers the helpers build on: footprints, free tiles, outputs, fluid points.

Every geometric fact here is the game's (fv_placement_hints reads prototypes and entities); Python only turns
positions into tiles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from factoryverse.sdk.remote import remote_call
from factoryverse.sdk.types import Position, PositionLike

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["Tile", "tile_of", "tile_center", "Footprint", "footprint", "blocked_tiles", "output_info",
           "fluid_points", "hints_call"]

Tile = tuple[int, int]

# validate_positions takes at most this many positions a call (its declaration's `max`).
_VALIDATE_MAX = 1000


def tile_of(position: PositionLike) -> Tile:
    at = Position.of(position)
    return (math.floor(at.x), math.floor(at.y))


def tile_center(tile: Tile) -> Position:
    return Position(tile[0] + 0.5, tile[1] + 0.5)


async def hints_call(agent: Agent, method: str, *args: Any) -> Any:
    return await remote_call(agent.rcon, "placement_hints", method, *args)


@dataclass(frozen=True)
class Footprint:
    """An entity's size facing some way and, when placed, the tiles it covers."""

    name: str
    type: str
    tile_width: int
    tile_height: int
    tiles: frozenset[Tile]

    def neighbours(self) -> list[Tile]:
        """The tiles sharing an edge with the footprint, outside it (sorted, so plans are deterministic)."""
        out = {(x + dx, y + dy) for x, y in self.tiles for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))}
        return sorted(out - self.tiles)

    def bounds(self) -> tuple[int, int, int, int]:
        xs = [x for x, _ in self.tiles]
        ys = [y for _, y in self.tiles]
        return min(xs), min(ys), max(xs), max(ys)


async def footprint(agent: Agent, name: str, position: PositionLike | None = None, direction: int = 0) -> Footprint:
    at = Position.of(position) if position is not None else None
    raw = await hints_call(agent, "get_entity_footprint", name, at, int(direction))
    tiles = frozenset((int(t["x"]), int(t["y"])) for t in raw.get("tiles") or [])
    return Footprint(name=raw["entity_name"], type=raw["type"], tile_width=int(raw["tile_width"]),
                     tile_height=int(raw["tile_height"]), tiles=tiles)


# Characters walk away: a tile only a character stands on is planned as free (connect steps aside to build there).
_MOVABLE = frozenset({"character"})


async def blocked_tiles(agent: Agent, name: str, tiles: Iterable[Tile], direction: int = 0) -> dict[Tile, list[str]]:
    """Of `tiles`, those where the game would not place `name` (1x1 entities), with the names in the way; a tile
    blocked only by characters counts as free."""
    wanted = list(tiles)
    blocked: dict[Tile, list[str]] = {}
    for start in range(0, len(wanted), _VALIDATE_MAX):
        batch = wanted[start:start + _VALIDATE_MAX]
        raw = await hints_call(agent, "validate_positions", name, [tile_center(t) for t in batch], int(direction))
        for tile, result in zip(batch, raw.get("results") or []):
            if not result.get("valid"):
                names = [str(b.get("name")) for b in result.get("blockers") or []]
                if names and set(names) <= _MOVABLE:
                    continue
                blocked[tile] = names or [str(result.get("reason") or "blocked")]
    return blocked


async def output_info(agent: Agent, name: str, position: PositionLike) -> dict[str, Any]:
    raw = await hints_call(agent, "get_entity_output_info", name, Position.of(position))
    return raw if isinstance(raw, dict) else {}


async def fluid_points(agent: Agent, name: str, position: PositionLike, direction: int) -> list[dict[str, Any]]:
    raw = await hints_call(agent, "get_fluid_connection_points", name, Position.of(position), int(direction))
    return list(raw.get("points") or [])
