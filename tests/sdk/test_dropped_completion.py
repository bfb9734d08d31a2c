"""A completion datagram that never arrives: the SDK reads the outcome from the game, so nothing is lost."""

from __future__ import annotations

import socket

import pytest

import factoryverse.sdk.agent as agent_module
from factoryverse.sdk import ActionTimeoutError, Agent
from factoryverse.sdk.types import AgentInfo

from .conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


@pytest.fixture
def black_hole():
    """A bound UDP port nobody reads: datagrams sent there are lost to the SDK, as on a lossy network."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


def test_walk_completes_from_the_games_log_when_the_datagram_is_lost(game: Game, black_hole, monkeypatch):
    monkeypatch.setattr(agent_module, "_UDP_GRACE_S", 0.2)

    async def scenario():
        async with game.client() as client:
            # The game sends this agent's completions to the black hole, never to the client's listener.
            raw = await client.call("agent", "create_agent", black_hole, {"position": {"x": 0, "y": 0}})
            listener = await client.listener()
            agent = Agent(client.rcon, listener, AgentInfo.model_validate(raw), action_timeout=30)
            walked = await agent.walk_to(6, 3)
            mined_state = await agent.call("get_action_result", walked.action_id)
            return walked, listener.recovered, mined_state

    walked, recovered, state = run(scenario())
    assert walked.position.distance((6, 3)) <= 1.0
    assert recovered == 1
    assert state["status"] == "completed" and state["record"]["action_id"] == walked.action_id


def test_an_action_the_game_never_saw_is_unknown(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((0, 0))
            return await agent.call("get_action_result", 987654)

    assert run(scenario()) == {"status": "unknown"}


def test_a_paused_game_still_times_out_with_advice(game: Game, black_hole, monkeypatch):
    monkeypatch.setattr(agent_module, "_UDP_GRACE_S", 0.1)

    async def scenario():
        async with game.client() as client:
            raw = await client.call("agent", "create_agent", black_hole, {"position": {"x": 0, "y": 0}})
            agent = Agent(client.rcon, await client.listener(), AgentInfo.model_validate(raw))
            await client.rcon.lua("game.tick_paused = true")
            try:
                with pytest.raises(ActionTimeoutError) as info:
                    await agent.walk_to(8, 0, timeout=0.5)
            finally:
                await client.rcon.lua("game.tick_paused = false")
            return str(info.value)

    message = run(scenario())
    assert "not paused" in message
