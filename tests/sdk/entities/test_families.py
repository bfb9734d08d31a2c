"""Entity families on the embedded game: each affordance does what the game's own values say."""

from __future__ import annotations

import pytest

from factoryverse.engine.prototypes import load_prototypes
from factoryverse.sdk import (
    AssemblingMachine,
    Boiler,
    Lab,
    BoundingBox,
    Direction,
    ElectricPole,
    Entity,
    Inserter,
    InvalidArgumentError,
    MapPosition,
    MiningDrill,
    OutOfReachError,
    ReachError,
    TransportBelt,
)

from tests.sdk.conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")
RAW = load_prototypes().raw


async def _place(agent, name, direction=None, min_distance=2.5, resources=False):
    item = await agent.inventory.get_placeable(name)
    cues = await item.placement_cues(direction, max_results=40)
    cue = next(c for c in cues if c.distance >= min_distance and (c.resources > 0 or not resources))
    return await item.place(cue.position, direction)


def test_inserter_positions_are_the_games(game: Game):
    # burner-inserter.pickup_position / insert_position are the vectors of a north-facing inserter.
    proto = RAW["inserter"]["burner-inserter"]

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((60, -60))
            await client.add_items(agent, {"burner-inserter": 1})
            inserter = await _place(agent, "burner-inserter", Direction.NORTH)
            return inserter, await inserter.get_pickup_position(), await inserter.get_drop_position()

    inserter, pickup, drop = run(scenario())
    assert isinstance(inserter, Inserter)
    px, py = proto["pickup_position"]
    dx, dy = proto["insert_position"]
    assert (pickup.x, pickup.y) == pytest.approx((inserter.position.x + px, inserter.position.y + py))
    assert (drop.x, drop.y) == pytest.approx((inserter.position.x + dx, inserter.position.y + dy))


def test_mining_drill_output_search_area_and_place_adjacent(game: Game):
    radius = RAW["mining-drill"]["burner-mining-drill"]["resource_searching_radius"]

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((27, 3))  # beside an ore patch of the seed-1 map
            await client.add_items(agent, {"burner-mining-drill": 1, "wooden-chest": 1})
            drill = await _place(agent, "burner-mining-drill", Direction.EAST, min_distance=2.5, resources=True)
            out = await drill.output_position()
            area = await drill.get_search_area()
            chest = await drill.place_adjacent("wooden-chest")
            return drill, out, area, chest

    drill, out, area, chest = run(scenario())
    assert isinstance(drill, MiningDrill) and drill.direction is Direction.EAST
    assert area == BoundingBox.around(drill.position, radius)
    assert out.x > drill.position.x  # facing east, the drop position is east of the drill
    assert chest.name == "wooden-chest" and chest.position.distance(out) < 1.0
    assert drill.inspect(structured=True).output_position == out


def test_belt_extends_straight_and_turns(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-60, -60))
            await client.add_items(agent, {"transport-belt": 3})
            item = await agent.inventory.get_placeable("transport-belt")
            cues = await item.placement_cues(Direction.EAST, max_results=200)
            free = {(c.position.x, c.position.y) for c in cues}
            start = next(c.position for c in cues if c.distance >= 2.5
                         and {(c.position.x + 1, c.position.y), (c.position.x + 2, c.position.y)} <= free)
            first = await item.place(start, Direction.EAST)
            second = await first.extend()
            third = await second.extend(turn="right")
            with pytest.raises(InvalidArgumentError, match="'left' or 'right'"):
                await third.extend(turn="up")  # type: ignore[arg-type]
            return first, second, third

    first, second, third = run(scenario())
    assert all(isinstance(b, TransportBelt) for b in (first, second, third))
    assert second.position == first.position.offset(1, 0) and second.direction is Direction.EAST
    assert third.position == second.position.offset(1, 0) and third.direction is Direction.SOUTH


def test_pole_extends_by_its_wire_reach(game: Game):
    # small-electric-pole.maximum_wire_distance
    reach = RAW["electric-pole"]["small-electric-pole"]["maximum_wire_distance"]

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((90, 90))
            await client.add_items(agent, {"small-electric-pole": 2})
            item = await agent.inventory.get_placeable("small-electric-pole")
            cues = await item.placement_cues(max_results=200)
            free = {(c.position.x, c.position.y) for c in cues}
            start = next(c.position for c in cues
                         if c.distance >= 1.5 and (c.position.x - int(reach), c.position.y) in free)
            pole = await item.place(start)
            with pytest.raises(InvalidArgumentError, match="wire reaches"):
                await pole.extend(Direction.WEST, distance=reach + 1)
            far = await pole.extend(Direction.WEST)
            return pole, far

    pole, far = run(scenario())
    assert isinstance(far, ElectricPole)
    assert far.position.distance(pole.position) == int(reach)
    assert far.position.x < pole.position.x


def test_assembler_recipe_and_out_of_reach_says_walk_closer(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((120, -30))
            await client.add_items(agent, {"assembling-machine-1": 1, "stone-wall": 1})
            machine = await _place(agent, "assembling-machine-1", min_distance=3)
            assert isinstance(machine, AssemblingMachine)
            await machine.set_recipe("iron-gear-wheel")
            recipe = await machine.get_recipe()
            text = machine.inspect()
            wall = await _place(agent, "stone-wall", min_distance=2)
            await agent.walking.to(MapPosition(120, 10))
            with pytest.raises(OutOfReachError) as far:
                await machine.set_recipe("copper-cable")
            return recipe, text, wall, far.value, await machine.get_recipe()

    recipe, text, wall, far, still = run(scenario())
    assert recipe == "iron-gear-wheel" and still == "iron-gear-wheel"
    assert "assembling-machine-1" in text and "recipe: iron-gear-wheel" in text
    assert type(wall) is Entity  # no family of its own
    assert isinstance(far, ReachError) and "walk closer" in str(far) and far.method == "set_entity_recipe"


def test_lab_and_boiler_are_their_families_and_the_boiler_takes_fuel(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((150, 60))
            await client.add_items(agent, {"lab": 1, "boiler": 1, "coal": 2})
            lab = await _place(agent, "lab", min_distance=3)
            boiler = await _place(agent, "boiler", min_distance=3.5)
            burned = await boiler.add_fuel(agent.inventory.get_item("coal", count=2))
            await boiler.refresh()
            return lab, boiler, burned, boiler.inspect(structured=True), await lab.bounding_box()

    lab, boiler, burned, facts, box = run(scenario())
    assert isinstance(lab, Lab) and isinstance(boiler, Boiler)
    assert burned == 2 and facts.inventories["fuel"] == {"coal": 2}
    # lab.collision_box
    (left, top), (right, bottom) = RAW["lab"]["lab"]["collision_box"]
    assert (box.width, box.height) == pytest.approx((right - left, bottom - top))
