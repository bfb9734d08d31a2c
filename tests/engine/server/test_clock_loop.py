"""The server's loop honours the game clock: tick_paused, ticks_to_run (exact steps) and game.speed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.server.instance import GameLoop

from ._loop import ask, running

TIMEOUT = 10.0


def sc(loop: GameLoop, code: str) -> str:
    return ask(loop, lambda e: e.execute_command("/sc " + code))


def clock(loop: GameLoop) -> tuple[int, bool, int]:
    return ask(loop, lambda e: (e.tick, e.clock.tick_paused, e.clock.ticks_to_run))


def wait_until(loop: GameLoop, done: Callable[[tuple[int, bool, int]], bool], what: str) -> tuple[int, bool, int]:
    deadline = time.monotonic() + TIMEOUT
    while True:
        state = clock(loop)
        if done(state):
            return state
        assert time.monotonic() < deadline, f"timed out waiting for {what}; clock is {state}"


def wait_ticks(loop: GameLoop, n: int) -> None:
    target = clock(loop)[0] + n
    wait_until(loop, lambda c: c[0] >= target, f"{n} ticks")


@pytest.mark.parametrize("mode", ["paused", "fast", "realtime"])
def test_ticks_to_run_steps_exactly_then_pauses_again(mode):
    with running(mode) as loop:
        start = int(sc(loop, "game.tick_paused = true game.ticks_to_run = 30 rcon.print(game.tick)"))
        end = wait_until(loop, lambda c: c[2] == 0, "ticks_to_run to reach 0")
        assert end == (start + 30, True, 0)
        # Paused again: more commands go by and the tick stays.
        for _ in range(20):
            assert clock(loop) == end


def test_paused_mode_is_a_game_started_tick_paused():
    with running("paused") as paused:
        assert sc(paused, "rcon.print(tostring(game.tick_paused) .. ' ' .. game.tick)") == "true 0"
        sc(paused, "game.tick_paused = false")
        wait_ticks(paused, 100)  # and once unpaused it runs, as fast as it can


def test_the_starting_speed_is_the_games_speed():
    with running("realtime", speed=2.0) as loop:
        assert sc(loop, "rcon.print(game.speed)") == "2"


def test_game_speed_set_by_a_command_scales_realtime():
    with running("realtime") as normal, running("realtime") as double:
        sc(double, "game.speed = 2")
        a0, b0 = clock(normal)[0], clock(double)[0]
        wait_ticks(normal, 30)
        a, b = clock(normal)[0] - a0, clock(double)[0] - b0
    # Generous bounds: this checks the pacing follows game.speed, not the machine's speed.
    assert 1.4 <= b / a <= 2.8, f"speed 2 ran {b} ticks while speed 1 ran {a}"


def test_a_slow_game_picks_up_a_faster_speed_at_once():
    """At speed 0.01 a tick is due every 1.7 s; raising the speed must not wait for that tick first."""
    with running("realtime", speed=0.01) as loop:
        sc(loop, "game.speed = 1")
        t0 = time.monotonic()
        wait_ticks(loop, 30)
        assert time.monotonic() - t0 < 5.0


def test_bad_mode_or_speed_is_refused_before_anything_starts():
    with pytest.raises(ValueError, match="unknown mode 'slow'"):
        GameLoop(lambda: Engine(seed=1, mods=[], starting_chunks=1), mode="slow")
    with pytest.raises(ScriptError, match="at least 0.01"):
        GameLoop(lambda: Engine(seed=1, mods=[], starting_chunks=1), speed=0)
