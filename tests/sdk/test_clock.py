"""The SDK drives the game's clock over real RCON: exact steps, pause, resume, speed, waits, and the state hash.

Each test module's games are its own (the shared SDK game must keep running for the other tests), started without
mods: the clock and the hash need none.
"""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path
from typing import Iterator

import pytest

from factoryverse.engine.server import GameServer, ServerConfig
from factoryverse.sdk import (
    ClockState,
    FactoryVerseClient,
    GameClockError,
    InvalidArgumentError,
    NotSupportedByServerError,
    StateHash,
    TickTimeoutError,
    UnexpectedReplyError,
)
from factoryverse.sdk.state_hash import parse_state_hash
from tests._support.background import BackgroundServer
from tests.sdk.conftest import run

PASSWORD = "clock-test"


def _serve(tmp_path: Path, mode: str) -> BackgroundServer:
    mods = tmp_path / f"no-mods-{mode}"
    mods.mkdir()
    config = ServerConfig(seed=1, rcon_port=0, rcon_password=PASSWORD, mods_dir=mods, mode=mode,
                          script_output=tmp_path / f"out-{mode}")
    return BackgroundServer(GameServer(config), timeout=60, name=f"clock-{mode}")


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with _serve(tmp_path_factory.mktemp("fast"), "fast") as served:
        yield served.server.rcon.port


@pytest.fixture(scope="module")
def realtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with _serve(tmp_path_factory.mktemp("realtime"), "realtime") as served:
        yield served.server.rcon.port


def client(port: int) -> FactoryVerseClient:
    return FactoryVerseClient("127.0.0.1", port, PASSWORD, check_versions=False)


def test_step_runs_exactly_n_ticks_and_leaves_the_game_paused(fast):
    async def go() -> tuple[ClockState, ClockState, list[ClockState]]:
        async with client(fast) as game:
            await game.resume()
            await game.wait_ticks(10)  # running freely, as fast as it can
            before = await game.clock()
            stepped = await game.step(120)
            after = [await game.clock() for _ in range(20)]
            again = await game.step(1)
            await game.resume()
            return stepped, again, [before, *after]

    stepped, again, (before, *after) = run(go())
    assert stepped.tick_paused and stepped.ticks_to_run == 0
    # The step counts from the command that set it, not from `before`: the running game moved in between.
    assert stepped.tick > before.tick
    assert after == [stepped] * 20  # paused: 20 more round trips and the tick stays
    assert again.tick == stepped.tick + 1


def test_step_counts_from_the_tick_it_starts_at(fast):
    async def go() -> tuple[ClockState, ClockState]:
        async with client(fast) as game:
            start = await game.pause()
            stepped = await game.step(120)
            await game.resume()
            return start, stepped

    start, stepped = run(go())
    assert stepped.tick == start.tick + 120


def test_a_paused_games_tick_stands_while_commands_run(fast):
    async def go() -> tuple[int, list[int], int, ClockState]:
        async with client(fast) as game:
            paused = await game.pause()
            seen = []
            for i in range(30):
                # Commands that change the world still run.
                await game.rcon.lua(f"game.surfaces.nauvis.create_entity{{name = 'wooden-chest', position = {{{i} + 0.5, 40.5}}}}")
                seen.append((await game.clock()).tick)
            chests = int(await game.rcon.lua("rcon.print(#game.surfaces.nauvis.find_entities_filtered{name = 'wooden-chest'})"))
            await game.resume()
            moved = await game.wait_ticks(30)
            return paused.tick, seen, chests, moved

    frozen, seen, chests, moved = run(go())
    assert seen == [frozen] * 30
    assert chests >= 30
    assert moved.tick >= frozen + 30 and not moved.tick_paused


def test_waiting_on_a_paused_game_times_out_and_says_it_is_paused(fast):
    async def go() -> TickTimeoutError:
        async with client(fast) as game:
            state = await game.pause()
            try:
                with pytest.raises(TickTimeoutError) as caught:
                    await game.wait_until_tick(state.tick + 5, timeout=0.3)
            finally:
                await game.resume()
            return caught.value

    error = run(go())
    assert error.paused and error.target == error.tick + 5
    assert "paused" in str(error) and "resume() or step()" in str(error)


def test_a_step_cut_short_by_another_client_is_an_error(realtime):
    """Another client clears ticks_to_run mid-step: step() must not wait out its timeout, nor claim success."""

    async def go() -> GameClockError:
        async with client(realtime) as a, client(realtime) as b:
            stepping = asyncio.ensure_future(a.step(600))  # ten seconds of game time at speed 1
            while (await b.clock()).ticks_to_run == 0:
                pass
            await b.rcon.lua("game.ticks_to_run = 0")
            with pytest.raises(GameClockError) as caught:
                await stepping
            await b.resume()
            return caught.value

    error = run(go())
    assert "another client" in str(error)


def test_set_speed_returns_the_single_precision_value_the_game_took(realtime):
    async def go() -> tuple[float, float]:
        async with client(realtime) as game:
            took = await game.set_speed(0.3)
            back = await game.set_speed(1)
            return took, back

    took, back = run(go())
    assert took == pytest.approx(0.30000001192092896, abs=1e-9) and took != 0.3
    assert back == 1.0


def test_speed_two_runs_about_twice_as_fast_as_one(realtime):
    async def rate(game: FactoryVerseClient, speed: float, ticks: int) -> float:
        await game.set_speed(speed)
        start = await game.clock()
        t0 = time.monotonic()
        end = await game.wait_until_tick(start.tick + ticks)
        return (end.tick - start.tick) / (time.monotonic() - t0)

    async def go() -> tuple[float, float]:
        async with client(realtime) as game:
            await game.resume()
            try:
                return await rate(game, 1.0, 30), await rate(game, 2.0, 60)
            finally:
                await game.set_speed(1)

    normal, double = run(go())
    # Generous bounds: this checks that game.speed paces realtime, not how fast the machine is.
    assert 1.4 <= double / normal <= 2.8, f"{double:.1f} UPS at speed 2, {normal:.1f} UPS at speed 1"


def test_a_step_on_a_realtime_game_is_exact_too(realtime):
    async def go() -> tuple[ClockState, ClockState]:
        async with client(realtime) as game:
            start = await game.pause()
            stepped = await game.step(30)
            await game.resume()
            return start, stepped

    start, stepped = run(go())
    assert stepped.tick == start.tick + 30 and stepped.tick_paused


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: g.step(0), "step: ticks must be a whole number from 1 to 4294967295, not 0"),
        (lambda g: g.step(-3), "not -3"),
        (lambda g: g.step(1.5), "not 1.5"),
        (lambda g: g.step(True), "not True"),
        (lambda g: g.step(2**32), "not 4294967296"),
        (lambda g: g.step(5, timeout=0), "step: timeout must be a number of seconds above 0, not 0"),
        (lambda g: g.set_speed(0), "set_speed: speed must be a finite number of at least 0.01, not 0"),
        (lambda g: g.set_speed(math.nan), "not nan"),
        (lambda g: g.set_speed("2"), "not '2'"),
        (lambda g: g.wait_ticks(-1), "wait_ticks: ticks must be a whole number"),
        (lambda g: g.wait_until_tick(None), "wait_until_tick: tick must be a whole number"),
    ],
)
def test_bad_values_raise_before_anything_is_sent(fast, call, message):
    async def go() -> tuple[InvalidArgumentError, ClockState, ClockState]:
        async with client(fast) as game:
            before = await game.pause()
            try:
                with pytest.raises(InvalidArgumentError) as caught:
                    await call(game)
                after = await game.clock()
            finally:
                await game.resume()
            return caught.value, before, after

    error, before, after = run(go())
    assert message in str(error)
    assert after == before  # nothing reached the game: same tick, still paused, same speed


def test_state_hash_over_rcon(fast):
    async def go() -> tuple[StateHash, StateHash, StateHash, ClockState]:
        async with client(fast) as game:
            state = await game.pause()
            first = await game.state_hash()
            second = await game.state_hash(sections=True)
            await game.step(1)
            third = await game.state_hash()
            await game.resume()
            return first, second, third, state

    first, second, third, state = run(go())
    assert first.tick == state.tick and len(first.hash) == 64
    assert (second.tick, second.hash) == (first.tick, first.hash)
    assert set(second.sections) == {"world", "forces", "rng", "paths", "storage", "settings", "rendering"}
    assert third.tick == first.tick + 1 and third.hash != first.hash


def test_a_server_without_the_command_raises_not_supported():
    """Real Factorio answers an unknown command with `Unknown command "<name>".` (the engine says it the same way);
    the SDK must not read that as a hash."""
    with pytest.raises(NotSupportedByServerError, match="real Factorio has nothing like it") as caught:
        parse_state_hash('Unknown command "fv-state-hash".')
    assert caught.value.reply == 'Unknown command "fv-state-hash".'


def test_a_state_without_a_hash_is_reported_in_the_engines_words(fast):
    async def go() -> Exception:
        async with client(fast) as game:
            await game.rcon.lua("storage.callback = function() end")
            try:
                with pytest.raises(UnexpectedReplyError) as caught:
                    await game.state_hash()
            finally:
                await game.rcon.lua("storage.callback = nil")
            return caught.value

    error = run(go())
    assert "holds a function" in str(error) and "no state hash" in str(error)
