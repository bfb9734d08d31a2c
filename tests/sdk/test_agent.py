"""Agent actions against the real game: completions over UDP, results and typed refusals."""

from __future__ import annotations

import asyncio
import json

import pytest

from factoryverse.sdk import (
    AgentBusyError,
    Direction,
    FactoryVerseError,
    InvalidArgumentError,
    NoPathError,
    NoResourceInReachError,
    OutOfReachError,
    PlacementBlockedError,
    Position,
    UnknownEntityError,
    UnknownInterfaceError,
)

from .conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")

# Seed 1 has iron ore east of the spawn, around (29.5, -0.5) (found with find_entities_filtered).
IRON_ORE = Position(x=29.5, y=-0.5)


def test_walk_to_completes_over_udp(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((0, 0))
            walked = await agent.walk_to(10, 5)
            state = await agent.inspect()
            return walked, state

    walked, state = run(scenario())
    # The mod's default arrival radius is 1 tile around the goal.
    assert walked.position.distance((10, 5)) <= 1.0
    assert state.position == walked.position
    assert not state.walking


def test_walk_to_water_raises_no_path(game: Game):
    async def scenario():
        async with game.client() as client:
            # A tile whose whole 7x7 neighbourhood is water: no character can get within 1 tile of it.
            reply = await client.rcon.lua(
                "local s = game.surfaces.nauvis "
                "for _, t in pairs(s.find_tiles_filtered{area = {{-96, -96}, {96, 96}}, name = 'water'}) do "
                "local p = t.position "
                "if #s.find_tiles_filtered{area = {{p.x - 3, p.y - 3}, {p.x + 4, p.y + 4}}, "
                "collision_mask = 'water_tile'} == 49 then rcon.print(helpers.table_to_json(p)) return end end"
            )
            lake = Position.of(json.loads(reply))
            agent = await client.create_agent((0, 0))
            with pytest.raises(NoPathError) as caught:
                await agent.walk_to(lake.x + 0.5, lake.y + 0.5)
            return caught.value

    error = run(scenario())
    assert error.code == "no_path" and error.action_id is not None
    assert error.result is not None and "position" in error.result
    assert "no path" in str(error)


def test_mine_resource_returns_the_mined_count(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent(IRON_ORE)
            mined = await agent.mine_resource("iron-ore", 3)
            return mined, await agent.inventory()

    mined, inventory = run(scenario())
    assert (mined.item, mined.count) == ("iron-ore", 3)
    assert inventory == {"iron-ore": 3}


def test_mining_with_no_ore_in_reach_is_refused(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((0, 0))
            await agent.mine_resource("iron-ore")

    with pytest.raises(NoResourceInReachError, match="walk_to"):
        run(scenario())


def test_place_fuel_inspect_and_pick_up(game: Game):
    spot = Position(x=-6, y=8)

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-8, 8))
            await client.add_items(agent, {"stone-furnace": 1, "coal": 7})
            placed = await agent.place_entity("stone-furnace", spot, Direction.NORTH)
            inserted = await agent.put_inventory_item("coal", 5, "stone-furnace", placed.position)
            state = await agent.inspect_entity("stone-furnace", placed.position)
            taken = await agent.take_inventory_item("coal", 2, "stone-furnace", placed.position, "fuel")
            picked = await agent.pickup_entity("stone-furnace", placed.position)
            return placed, inserted, state, taken, picked, await agent.inventory()

    placed, inserted, state, taken, picked, inventory = run(scenario())
    assert placed.name == "stone-furnace" and placed.direction is Direction.NORTH
    assert placed.position.distance(spot) <= 1.0
    assert inserted == 5
    assert state.type == "furnace" and state.unit_number == placed.unit_number
    assert state.inventory("fuel") == {"coal": 5}
    assert state.inventory("input") == {} and state.inventory("output") == {}
    assert taken == 2
    assert picked == {"stone-furnace": 1, "coal": 3}
    assert inventory == {"stone-furnace": 1, "coal": 7}


def test_unknown_entity_name_is_refused(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((0, 0))
            await agent.place_entity("no-such-entity", (1, 1))

    with pytest.raises(UnknownEntityError, match="no entity prototype named"):
        run(scenario())


def test_out_of_reach_placement_and_insertion(game: Game):
    spot = Position(x=-12, y=14)

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-12, 12))
            await client.add_items(agent, {"stone-furnace": 2, "coal": 1})
            with pytest.raises(OutOfReachError, match="build_distance") as far_build:
                await agent.place_entity("stone-furnace", (spot.x + 40, spot.y))
            placed = await agent.place_entity("stone-furnace", spot)
            await agent.walk_to(spot.x + 25, spot.y)
            with pytest.raises(OutOfReachError, match="walk_to") as far_put:
                await agent.put_inventory_item("coal", 1, "stone-furnace", placed.position)
            return far_build.value, far_put.value, await agent.inventory()

    far_build, far_put, inventory = run(scenario())
    assert far_build.code == far_put.code == "out_of_reach"
    assert inventory == {"stone-furnace": 1, "coal": 1}  # refused calls took nothing


def test_blocked_placement_names_what_is_in_the_way(game: Game):
    spot = Position(x=-16, y=18)

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-18, 18))
            await client.add_items(agent, {"stone-furnace": 2})
            await agent.place_entity("stone-furnace", spot)
            await agent.place_entity("stone-furnace", spot)

    with pytest.raises(PlacementBlockedError, match="in the way: stone-furnace"):
        run(scenario())


def test_a_second_walk_while_walking_is_refused(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((0, 0))
            # Start without awaiting, via the raw interface, then ask for a second walk at once.
            started = await agent.call("walk_to", {"x": 20, "y": -10})
            try:
                with pytest.raises(AgentBusyError, match="already walking"):
                    await agent.call("walk_to", {"x": 0, "y": 10})
            finally:
                listener = await client.listener()
                await listener.wait_for(agent.agent_id, started["action_id"], timeout=20)

    run(scenario())


def test_a_destroyed_agent_has_no_interface(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((0, 0))
            assert await client.destroy_agents([agent.agent_id]) == [agent.agent_id]
            await agent.inspect()

    with pytest.raises(UnknownInterfaceError, match="agent_"):
        run(scenario())


def test_concurrent_agents_get_their_own_completions(game: Game):
    async def scenario():
        async with game.client() as client:
            first = await client.create_agent((0, -4))
            second = await client.create_agent((0, 4))
            return await asyncio.gather(first.walk_to(-6, -4), second.walk_to(6, 4))

    a, b = run(scenario())
    assert a.position.distance((-6, -4)) <= 1.0
    assert b.position.distance((6, 4)) <= 1.0
    assert a.action_id != b.action_id


@pytest.mark.parametrize(("call", "named"), [
    (lambda agent: agent.walk_to("a", "b"), "x"),
    (lambda agent: agent.walk_to(1, "b"), "y"),
    (lambda agent: agent.walk_to(Position(x=1, y=2), 3), "x"),
    (lambda agent: agent.walk_to(1, float("nan")), "y"),
    (lambda agent: agent.walk_to(1, 2, radius="near"), "radius"),
    (lambda agent: agent.walk_to(1, 2, timeout=0), "timeout"),
    (lambda agent: agent.walk_to("a"), "position"),
    (lambda agent: agent.mine_resource("iron-ore", 1, timeout="soon"), "timeout"),
    (lambda agent: agent.place_entity("wooden-chest", (1, 1), "north"), "direction"),
    (lambda agent: agent.place_entity("wooden-chest", (1, 1), 99), "direction"),
])
def test_bad_arguments_raise_the_sdks_typed_error_and_leave_the_agent_still(game: Game, call, named):
    """Regression: walk_to("a", "b") raised a bare ValueError from float("a"), outside FactoryVerseError."""
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((0, 0))
            with pytest.raises(InvalidArgumentError) as info:
                await call(agent)
            return info.value, await agent.inspect()

    error, state = run(scenario())
    assert isinstance(error, FactoryVerseError)
    assert named in str(error)
    assert not state.walking and state.position == Position(x=0, y=0)
