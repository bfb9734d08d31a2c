"""Typed payloads hold to remote_interfaces.json, the one place an answer is described, and to what the game sends.

The contract check reads each method's `returns` declaration: the model has exactly its top-level fields (plus
`seq` for a mutation, which the mods add when it caused snapshot deltas), and every field declared optional
(`name?`) has a default. The live tests then parse the real game's answers.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from pydantic import BaseModel

from factoryverse.schemas import load_remote_interfaces
from factoryverse.sdk import (
    ActionFailedError,
    AgentState,
    EntityState,
    InterfaceVersion,
    PlacementCheck,
    SnapshotConfig,
    SnapshotStatus,
    StopMiningResult,
    StopWalkingResult,
)

from tests.sdk.conftest import Game, eventually, run

_CONTRACT = [
    (StopWalkingResult, "agent_<id>", "stop_walking"),
    (StopMiningResult, "agent_<id>", "stop_mining"),
    (SnapshotConfig, "map", "set_snapshot_config"),
    (SnapshotStatus, "map", "get_snapshot_status"),
    (EntityState, "agent_<id>", "inspect_entity"),
    (AgentState, "agent_<id>", "inspect"),
    (PlacementCheck, "placement_hints", "validate_placement"),
    (InterfaceVersion, "agent", "version"),
]


def _top_level_fields(returns: str) -> dict[str, bool]:
    """{field: optional} of a `returns` declaration such as "{stopped, action_id?, position}; completion ..."."""
    body = returns.split(";")[0].strip()
    assert body.startswith("{") and body.endswith("}"), f"not an object declaration: {returns!r}"
    fields, depth, current = {}, 0, ""
    for ch in body[1:-1] + ",":
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        if ch == "," and depth == 0:
            match = re.match(r"\s*(\w+)(\??)", current)
            assert match, f"unreadable field {current!r} in {returns!r}"
            fields[match.group(1)] = match.group(2) == "?"
            current = ""
        else:
            current += ch
    return fields


def test_the_declaration_reader_reads_optional_and_nested_fields():
    assert _top_level_fields("{a, b?, c: {d, e?}, f?: [g], h = 'x'}; completion over UDP: result {i}") == {
        "a": False, "b": True, "c": False, "f": True, "h": False}


@pytest.mark.parametrize(("model", "interface", "method"), _CONTRACT, ids=lambda v: getattr(v, "__name__", v))
def test_each_model_has_the_fields_its_method_declares(model: type[BaseModel], interface: str, method: str):
    spec = load_remote_interfaces()["interfaces"][interface]["methods"][method]
    declared = _top_level_fields(spec["returns"])
    if spec.get("mutates"):
        declared["seq"] = True
    fields = model.model_fields
    assert set(fields) == set(declared), f"{model.__name__} vs {interface}.{method} returns {spec['returns']!r}"
    required_by_model = {name for name, field in fields.items() if field.is_required()}
    assert not required_by_model & {name for name, optional in declared.items() if optional}, model.__name__


async def _stop_while_under_way(client, agent, action, busy: str, stop):
    """Start `action` with the game paused, wait until the agent is `busy` ("walking" or "mining"), stop it.

    Paused, the action cannot finish on its own before stop() arrives, so stop always finds it under way.
    Returns (stop's answer, the cancelled action's error).
    """
    async def under_way() -> bool:
        return getattr(await agent.inspect(), busy)

    await client.pause()
    try:
        task = asyncio.create_task(action)
        await eventually(under_way, f"the agent {busy}")
        halted = await stop()
    finally:
        await client.resume()
    with pytest.raises(ActionFailedError) as cancelled:
        await task
    return halted, cancelled.value


def test_stopping_when_idle_answers_stopped_false(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((90, -90))
            walk, mine = await agent.walking.stop(), await agent.mining.stop()
            return walk, mine, await agent.walking.position(), await agent.call("stop_mining")

    walk, mine, here, raw = run(scenario())
    assert walk == StopWalkingResult(stopped=False, position=here)
    assert mine == StopMiningResult(stopped=False)
    assert raw == {"stopped": False}  # exactly what the model reads: no field it does not know


def test_stopping_a_walk_answers_its_action_and_where_it_stopped(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((90, -60))
            halted, cancelled = await _stop_while_under_way(
                client, agent, agent.walking.to((130, -60)), "walking", agent.walking.stop)
            return halted, cancelled, await agent.walking.position(), await agent.inspect()

    halted, cancelled, here, state = run(scenario())
    assert isinstance(halted, StopWalkingResult) and halted.stopped is True
    assert halted.action_id == cancelled.action_id and halted.position == here and not state.walking
    assert "cancelled" in str(cancelled)


def test_stopping_a_mine_answers_its_action_and_how_many_it_mined(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((27, 3))  # beside an ore patch of the seed-1 map
            ore = (await agent.reachable_view.get_resources())[0]
            halted, cancelled = await _stop_while_under_way(
                client, agent, agent.mining.mine(ore.name, 5, ore.position), "mining", agent.mining.stop)
            return halted, cancelled, await agent.inspect()

    halted, cancelled, state = run(scenario())
    assert isinstance(halted, StopMiningResult) and halted.stopped is True
    assert halted.action_id == cancelled.action_id and not state.mining
    assert halted.count == 0  # paused from start to stop: no mining cycle finished
    assert "cancelled" in str(cancelled) and "after mining 0" in str(cancelled)


def test_configure_snapshot_answers_the_settings_in_force(game: Game):
    async def scenario():
        async with game.client() as client:
            status = await client.snapshot_status()
            # The run id and port already in force: nothing restarts for the other tests sharing this game.
            same_run = await client.configure_snapshot(run_id=status.run_id)
            same_port = await client.configure_snapshot(udp_port=status.udp_port)
            return status, same_run, same_port

    status, same_run, same_port = run(scenario())
    expected = SnapshotConfig(udp_port=status.udp_port, run_id=status.run_id, new_run=False)
    assert same_run == expected and same_port == expected
