"""Walking into build distance before placing, as a player does: the game decides reach, this only walks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterable

from factoryverse.sdk.errors import NoPathError
from factoryverse.sdk.types import Position, PositionLike

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["Reacher"]

# Stop this far inside the build distance, so the entity's far edge is in reach too.
_MARGIN = 1.5


class Reacher:
    """Keeps where the character stands and walks it closer when a target is beyond its build distance."""

    def __init__(self, agent: Agent) -> None:
        self._agent = agent
        self._position: Position | None = None
        self._build_distance: float | None = None

    async def _load(self) -> None:
        raw = await self._agent.call("inspect")
        self._position = Position.of(raw["position"])
        self._build_distance = float(raw.get("build_distance") or raw["reach_distance"])

    async def within_reach(self, target: PositionLike) -> None:
        if self._position is None:
            await self._load()
        assert self._position is not None and self._build_distance is not None
        goal = Position.of(target)
        if self._position.distance(goal) <= self._build_distance - _MARGIN:
            return
        # Stopping half the build distance short keeps the character off the tile it is about to build on.
        walked = await self._agent.walk_to(goal, radius=max(1.0, self._build_distance / 2))
        self._position = walked.position

    async def step_aside(self, target: PositionLike, keep_clear: Iterable[tuple[int, int]] = ()) -> None:
        """Move off a spot the character itself blocks (the game refuses to build on a character), to the nearest
        tile two or more tiles away that is not in `keep_clear` (the route) and that the character can walk to."""
        goal = Position.of(target)
        avoid = set(keep_clear)
        here = (math.floor(goal.x), math.floor(goal.y))
        spots = sorted(((dx, dy) for dx in range(-3, 4) for dy in range(-3, 4) if max(abs(dx), abs(dy)) >= 2),
                       key=lambda d: (d[0] ** 2 + d[1] ** 2, d))
        for dx, dy in spots:
            if (here[0] + dx, here[1] + dy) in avoid:
                continue
            try:
                walked = await self._agent.walk_to(Position(here[0] + dx + 0.5, here[1] + dy + 0.5), radius=0.5)
            except NoPathError:
                continue
            self._position = walked.position
            return
