"""sleep(game_seconds): wait while the game runs that much game time, at whatever game.speed it runs."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from factoryverse.sdk.clock import ClockState, wait_ticks
from factoryverse.sdk.errors import InvalidArgumentError

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["sleep", "TICKS_PER_GAME_SECOND"]

TICKS_PER_GAME_SECOND = 60


async def sleep(agent: Agent, game_seconds: float, *, timeout: float | None = None) -> ClockState:
    """Return once the game has run `game_seconds` of game time (60 ticks a second): half a real second at
    game.speed 2, forever while the game is paused (TickTimeoutError after `timeout`, by default the time
    game.speed needs, doubled, plus 10 s). Returns the clock then.

    Example: await sleep(agent, 5)  # five game seconds: 300 ticks
    """
    if isinstance(game_seconds, bool) or not isinstance(game_seconds, numbers.Real) \
            or not math.isfinite(game_seconds) or game_seconds < 0:
        raise InvalidArgumentError(f"sleep takes a number of game seconds >= 0, not {game_seconds!r}")
    return await wait_ticks(agent.rcon, round(game_seconds * TICKS_PER_GAME_SECOND), timeout=timeout)
