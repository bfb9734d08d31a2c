"""sleep(game_seconds) follows game.speed: one game second is 60 ticks at speed 1 and at speed 2.

This needs a game whose ticks follow the wall clock (realtime mode), so it has its own server; the shared one runs
as fast as it can.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from factoryverse.engine.server import GameServer, ServerConfig
from factoryverse.sdk import FactoryVerseClient, InvalidArgumentError, TickTimeoutError
from factoryverse.sdk.clock import read_clock
from factoryverse.sdk.helpers import sleep

from tests._support.background import BackgroundServer
from tests.sdk.conftest import ACTION_TIMEOUT, PASSWORD, run


@pytest.fixture(scope="module")
def realtime_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    out: Path = tmp_path_factory.mktemp("realtime-game") / "script-output"
    config = ServerConfig(seed=1, rcon_port=0, rcon_password=PASSWORD, script_output=out, mode="realtime")
    with BackgroundServer(GameServer(config), timeout=60, name="sdk-helpers-realtime") as served:
        yield served.server.rcon.port


def _client(port: int) -> FactoryVerseClient:
    return FactoryVerseClient("127.0.0.1", port, PASSWORD, action_timeout=ACTION_TIMEOUT)


@pytest.mark.parametrize("speed", [1.0, 2.0])
def test_one_game_second_is_sixty_ticks_at_any_speed(realtime_port: int, speed: float):
    async def scenario():
        async with _client(realtime_port) as client:
            await client.resume()
            await client.set_speed(speed)
            agent = await client.create_agent((0, 0))
            try:
                before = await read_clock(client.rcon)
                after = await sleep(agent, 1)
                return before, after
            finally:
                await client.set_speed(1.0)
                await client.destroy_agents()

    before, after = run(scenario())
    assert after.speed == speed
    # At least the 60 ticks of a game second, plus a few polls late; a sleep of one real second would see about
    # 120 at speed 2.
    assert 60 <= after.tick - before.tick < 100


def test_a_paused_game_times_out_and_bad_durations_are_refused(realtime_port: int):
    async def scenario():
        async with _client(realtime_port) as client:
            agent = await client.create_agent((0, 0))
            await client.pause()
            try:
                with pytest.raises(TickTimeoutError) as paused:
                    await sleep(agent, 1, timeout=0.3)
                with pytest.raises(InvalidArgumentError):
                    await sleep(agent, -1)
                with pytest.raises(InvalidArgumentError):
                    await sleep(agent, "1")  # type: ignore[arg-type]
                return paused.value
            finally:
                await client.resume()
                await client.destroy_agents()

    error = run(scenario())
    assert error.paused and "paused" in str(error)
