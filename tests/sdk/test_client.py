"""FactoryVerseClient against the real game: versions, ticks, agents, placement checks, snapshot status."""

from __future__ import annotations

import pytest

from factoryverse.sdk import (
    InterfaceVersionError,
    Position,
    RconConnectionError,
    UnknownAgentError,
    UnknownItemError,
)
from factoryverse.sdk.client import INTERFACES, SCHEMA_VERSION

from .conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


def test_every_mod_interface_speaks_our_schema_version(game: Game):
    async def scenario():
        async with game.client() as client:
            return await client.version()

    versions = run(scenario())
    assert set(versions) == set(INTERFACES)
    for name, version in versions.items():
        assert version.interface == name
        assert version.schema_version == SCHEMA_VERSION
        assert version.mod_version


def test_a_schema_version_mismatch_is_a_clear_error(game: Game):
    async def scenario():
        async with game.client() as client:
            await client.rcon.lua(
                "if not remote.interfaces['sdk_test_v2'] then remote.add_interface('sdk_test_v2', {version = "
                "function() return {interface = 'sdk_test_v2', schema_version = 2, mod_version = '9.0.0'} end}) end"
            )
            await client.version("sdk_test_v2")

    with pytest.raises(InterfaceVersionError, match="schema_version 2 but this SDK speaks 1"):
        run(scenario())


def test_tick_advances(game: Game):
    async def scenario():
        async with game.client() as client:
            first = await client.tick()
            # Each RCON command runs between ticks, and the game runs "fast", so ticks pass between two calls.
            second = await client.tick()
            while second == first:
                second = await client.tick()
            return first, second

    first, second = run(scenario())
    assert second > first >= 0


def test_list_and_destroy_agents(game: Game):
    async def scenario():
        async with game.client() as client:
            one = await client.create_agent((0, 0), name="one")
            two = await client.create_agent((2, 0))
            listed = await client.list_agents()
            with pytest.raises(UnknownAgentError, match="nothing was destroyed"):
                await client.destroy_agents([two.agent_id, 999_999])
            destroyed = await client.destroy_agents([one.agent_id])
            remaining = await client.list_agents()
            return one, two, listed, destroyed, remaining, (await client.listener()).port

    one, two, listed, destroyed, remaining, port = run(scenario())
    assert [a.agent_id for a in listed] == [one.agent_id, two.agent_id]
    assert all(a.udp_port == port for a in listed)
    assert one.info.unit_number is not None and one.interface_name == f"agent_{one.agent_id}"
    assert destroyed == [one.agent_id]
    assert [a.agent_id for a in remaining] == [two.agent_id]


def test_add_items_hands_an_agent_a_kit(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((4, -6))
            inserted = await client.add_items(agent, {"coal": 10, "iron-plate": 3})
            with pytest.raises(UnknownItemError, match="no item prototype named"):
                await client.add_items(agent.agent_id, {"no-such-item": 1})
            return inserted, await agent.inventory()

    inserted, inventory = run(scenario())
    assert inserted == {"coal": 10, "iron-plate": 3}
    assert inventory == {"coal": 10, "iron-plate": 3}


def test_validate_placement(game: Game):
    spot = Position(x=-40, y=20)

    async def scenario():
        async with game.client() as client:
            before = await client.validate_placement("stone-furnace", spot)
            agent = await client.create_agent((-42, 20))
            await client.add_items(agent, {"stone-furnace": 1})
            placed = await agent.place_entity("stone-furnace", spot)
            after = await client.validate_placement("stone-furnace", spot)
            unknown = await client.validate_placement("no-such-entity", spot)
            return placed, before, after, unknown

    placed, before, after, unknown = run(scenario())
    assert before.valid and before.reason is None and before.blockers == []
    assert not after.valid and after.reason == "blocked"
    assert [(b.name, b.position) for b in after.blockers] == [("stone-furnace", placed.position)]
    assert not unknown.valid and unknown.reason == "unknown_entity"


def test_snapshot_status_points_at_files_the_game_writes(game: Game):
    async def scenario():
        async with game.client() as client:
            return await client.snapshot_status()

    status = run(scenario())
    assert status.phase in {"bootstrap", "complete"}
    assert status.chunks >= 0 and 1 <= status.udp_port <= 65535
    assert (game.script_output / status.output_dir).is_dir()


def test_connect_to_nothing_is_a_connection_error():
    async def scenario():
        from factoryverse.sdk import FactoryVerseClient

        async with FactoryVerseClient("127.0.0.1", 1, "pw"):
            pass

    with pytest.raises(RconConnectionError):
        run(scenario())
