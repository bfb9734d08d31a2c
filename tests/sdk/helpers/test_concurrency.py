"""Several agents on several servers from one process (issue 12, point 9): all async, none blocks another.

Two embedded servers of their own; one is paused, so its agent's walk cannot finish, while the other agent
walks, mines and finds ore to the end. Only then is the first game resumed and its walk completes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest

from factoryverse.engine.server import GameServer, ServerConfig
from factoryverse.sdk import FactoryVerseClient, MapPosition
from factoryverse.sdk.helpers import nearest

from tests._support.background import BackgroundServer
from tests.sdk.conftest import ACTION_TIMEOUT, PASSWORD, run


@pytest.fixture(scope="module")
def two_ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    ports = []
    servers = []
    try:
        for name in ("first", "second"):
            out: Path = tmp_path_factory.mktemp(f"{name}-game") / "script-output"
            config = ServerConfig(seed=1, rcon_port=0, rcon_password=PASSWORD, script_output=out, mode="fast")
            served = BackgroundServer(GameServer(config), timeout=60, name=f"sdk-helpers-{name}")
            served.__enter__()
            servers.append(served)
            ports.append(served.server.rcon.port)
        yield ports[0], ports[1]
    finally:
        for served in servers:
            served.__exit__(None, None, None)


def test_an_agent_waiting_on_a_paused_server_does_not_hold_up_one_on_another(two_ports: tuple[int, int]):
    async def scenario():
        async with FactoryVerseClient("127.0.0.1", two_ports[0], PASSWORD, action_timeout=ACTION_TIMEOUT) as one, \
                FactoryVerseClient("127.0.0.1", two_ports[1], PASSWORD, action_timeout=ACTION_TIMEOUT) as two:
            first, second = await asyncio.gather(one.create_agent((0, 0)), two.create_agent((0, 0)))
            await one.pause()
            stuck = asyncio.ensure_future(first.walking.to(MapPosition(20, 0)))

            async def busy_elsewhere():
                ore = await nearest(second, "iron-ore")
                await second.walking.to(ore, radius=2)
                return await second.mining.mine("iron-ore", 2)

            mined = await busy_elsewhere()
            still_walking = not stuck.done()
            await one.resume()
            walked = await asyncio.wait_for(stuck, ACTION_TIMEOUT)
            both = await asyncio.gather(first.walking.position(), second.walking.position())
            return still_walking, mined, walked, both

    still_walking, mined, walked, (at_one, at_two) = run(scenario())
    assert still_walking  # the paused game's walk had not finished while the other agent worked
    assert mined.item == "iron-ore" and mined.count == 2
    assert walked.position.distance(MapPosition(20, 0)) <= 1.0
    assert at_one != at_two
