"""The game's clock over RCON: pause, resume, step exact ticks, set the speed, wait for a tick.

Only Factorio's own LuaGameScript members are used (`tick`, `tick_paused`, `ticks_to_run`, `speed`), so the same
calls work on the embedded engine and on real Factorio. A step is one command that pauses the game and sets
`ticks_to_run`, so the game runs exactly that many ticks and pauses again; the SDK then polls `game.tick` until
it gets there, within a bounded time.
"""

from __future__ import annotations

import asyncio
import math
import numbers
import time
from dataclasses import dataclass
from typing import Any

from factoryverse.sdk.errors import GameClockError, InvalidArgumentError, TickTimeoutError, UnexpectedReplyError
from factoryverse.sdk.rcon import RconClient

__all__ = [
    "ClockState",
    "read_clock",
    "pause",
    "resume",
    "step",
    "set_speed",
    "wait_until_tick",
    "wait_ticks",
    "MIN_SPEED",
    "MAX_STEP",
]

TICKS_PER_SECOND = 60
MIN_SPEED = 0.01  # LuaGameScript.speed's documented minimum
MAX_STEP = 2**32 - 1  # ticks_to_run is a uint32
# Added to the game time a wait needs: RCON round trips, a loaded machine, a game that can't keep up.
_SLACK_S = 10.0
# Longest pause between two polls of game.tick; shorter when the target is nearer than that.
_POLL_S = 0.05

# One line: tick, tick_paused, ticks_to_run, speed (%.9g prints a 32-bit float exactly enough to read it back).
_READ = (
    "rcon.print(string.format('%d %s %d %.9g', game.tick, tostring(game.tick_paused), game.ticks_to_run, game.speed))"
)


@dataclass(frozen=True)
class ClockState:
    """The game's clock as LuaGameScript reports it.

    Example: `state = await game.pause(); state.tick_paused, state.tick`
    """

    tick: int
    tick_paused: bool
    ticks_to_run: int
    speed: float


def _parse(reply: str) -> ClockState:
    parts = reply.strip().split()
    try:
        tick, paused, to_run, speed = parts
        if paused not in ("true", "false"):
            raise ValueError(paused)
        return ClockState(int(tick), paused == "true", int(to_run), float(speed))
    except ValueError as exc:
        raise UnexpectedReplyError(f"the game's clock came back as {reply[:200]!r}", reply=reply) from exc


async def read_clock(rcon: RconClient) -> ClockState:
    return _parse(await rcon.lua(_READ))


async def pause(rcon: RconClient) -> ClockState:
    """game.tick_paused = true: no more ticks (commands still run); the clock as it stopped."""
    return _parse(await rcon.lua("game.tick_paused = true " + _READ))


async def resume(rcon: RconClient) -> ClockState:
    """Run freely again. Clears ticks_to_run first: a value left from a step would otherwise run again at the next
    pause."""
    return _parse(await rcon.lua("game.ticks_to_run = 0 game.tick_paused = false " + _READ))


def _whole(method: str, name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise InvalidArgumentError(f"{method}: {name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)


def _timeout(method: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise InvalidArgumentError(f"{method}: timeout must be a number of seconds above 0, not {value!r}")
    return float(value)


def _expected_seconds(ticks: int, speed: float) -> float:
    return ticks / (TICKS_PER_SECOND * max(speed, MIN_SPEED))


async def step(rcon: RconClient, ticks: int, *, timeout: float | None = None) -> ClockState:
    """Run exactly `ticks` ticks and leave the game paused; returns the clock once the game is there.

    In one command the game is paused and given `ticks_to_run`, so no tick slips in between. Raises GameClockError
    if the game ends up elsewhere (another client unpaused, stepped or stopped it meanwhile) and TickTimeoutError
    if it does not get there within `timeout` (default: the game time at game.speed, doubled, plus 10 s).
    """
    n = _whole("step", "ticks", ticks, 1, MAX_STEP)
    limit = _timeout("step", timeout)
    start = _parse(await rcon.lua(f"game.tick_paused = true game.ticks_to_run = {n} " + _READ))
    return await _wait(rcon, start, start.tick + n, limit, stepping=True)


async def wait_until_tick(rcon: RconClient, tick: int, *, timeout: float | None = None) -> ClockState:
    """Return once game.tick >= `tick` (at once if it already is). Raises TickTimeoutError after `timeout` (default:
    the game time at game.speed, doubled, plus 10 s), saying whether the game was paused."""
    target = _whole("wait_until_tick", "tick", tick, 0, 2**63 - 1)
    limit = _timeout("wait_until_tick", timeout)
    return await _wait(rcon, await read_clock(rcon), target, limit, stepping=False)


async def wait_ticks(rcon: RconClient, ticks: int, *, timeout: float | None = None) -> ClockState:
    """Return once the game has run `ticks` more ticks (from when this is called)."""
    n = _whole("wait_ticks", "ticks", ticks, 0, 2**63 - 1)
    limit = _timeout("wait_ticks", timeout)
    now = await read_clock(rcon)
    return await _wait(rcon, now, now.tick + n, limit, stepping=False)


async def _wait(rcon: RconClient, state: ClockState, target: int, limit: float | None, *, stepping: bool) -> ClockState:
    if limit is None:
        limit = 2 * _expected_seconds(max(0, target - state.tick), state.speed) + _SLACK_S
    deadline = time.monotonic() + limit
    while True:
        if state.tick >= target:
            if stepping and (state.tick != target or not state.tick_paused):
                raise GameClockError(
                    f"step: the game was to stop at tick {target} but is at {state.tick}"
                    f"{'' if state.tick_paused else ' and running'}: another client unpaused or stepped it meanwhile"
                )
            return state
        if stepping and state.tick_paused and state.ticks_to_run == 0:
            raise GameClockError(
                f"step: the game stopped at tick {state.tick}, short of {target}, with no ticks_to_run left: another "
                "client changed game.ticks_to_run meanwhile"
            )
        left = deadline - time.monotonic()
        if left <= 0:
            why = (
                "it is paused (game.tick_paused) with no ticks to run; resume() or step() it"
                if state.tick_paused and state.ticks_to_run == 0
                else f"it runs slower than game.speed {state.speed:g} would need; pass a longer timeout"
            )
            raise TickTimeoutError(
                f"the game did not reach tick {target} within {limit:g}s: it is at tick {state.tick}, and {why}",
                tick=state.tick,
                target=target,
                paused=state.tick_paused,
            )
        # Sleeps (unlike a test, a client has nothing to wait on but the game's answers): about half the time the
        # remaining ticks need, at most _POLL_S, so a fast game is seen soon and a slow one isn't flooded.
        await asyncio.sleep(min(_POLL_S, _expected_seconds(target - state.tick, state.speed) / 2, left))
        state = await read_clock(rcon)


async def set_speed(rcon: RconClient, speed: float) -> float:
    """Set game.speed (1.0 is 60 UPS; at least 0.01); returns the speed the game took (a 32-bit float)."""
    if isinstance(speed, bool) or not isinstance(speed, numbers.Real) or not math.isfinite(speed) or speed < MIN_SPEED:
        raise InvalidArgumentError(f"set_speed: speed must be a finite number of at least {MIN_SPEED}, not {speed!r}")
    state = _parse(await rcon.lua(f"game.speed = {float(speed)!r} " + _READ))
    return state.speed
