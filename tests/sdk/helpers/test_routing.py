"""connect and connection_cost on the embedded game: belts carry ore around a wall, pipes carry water, poles make
one electric network, and the cost is what connect then takes from the inventory."""

from __future__ import annotations

import pytest

from factoryverse.sdk import (
    Direction,
    InvalidArgumentError,
    MapPosition,
    NoPathError,
    NotInInventoryError,
)
from factoryverse.sdk.helpers import connect, connection_cost, place_next_to, plan_connection

from tests.sdk.conftest import Game, eventually, run
from tests.sdk.helpers.ground import area, clear_ground, lua_json

pytestmark = pytest.mark.usefixtures("fresh_agents")


def test_belts_route_around_a_wall_and_carry_ore_into_the_chest(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, 40, -135, 100, -100)
            await client.call("test_ground", "place_resources", "iron-ore", area(50, -122, 54, -118), 5000)
            agent = await client.create_agent((52, -112))
            await client.add_items(agent, {"burner-mining-drill": 1, "wooden-chest": 1, "burner-inserter": 1,
                                           "transport-belt": 40, "stone-wall": 12, "coal": 10})
            drill = await place_next_to(agent, "burner-mining-drill", MapPosition(51.5, -119.5), Direction.EAST,
                                        facing=Direction.EAST)
            chest = await place_next_to(agent, "wooden-chest", drill, Direction.EAST, spacing=8)
            inserter = await place_next_to(agent, "burner-inserter", chest, Direction.WEST, facing=Direction.WEST)
            # A wall across the straight line from the drill to the inserter.
            await agent.walk_to(56.5, -115.5, radius=0.5)
            for y in range(-125, -114):
                await agent.place_entity("stone-wall", (58.5, y + 0.5))
            cost = await connection_cost(agent, drill, inserter, "transport-belt")
            before = await agent.inventory.get_total("transport-belt")
            placed = await connect(agent, drill, inserter, "transport-belt")
            after = await agent.inventory.get_total("transport-belt")
            await drill.add_fuel(agent.inventory.get_item("coal", count=5))
            await inserter.add_fuel(agent.inventory.get_item("coal", count=5))

            async def arrived() -> bool:
                return bool((await chest.read_state()).inventory("chest").get("iron-ore"))

            await eventually(arrived, "iron ore in the chest at the belt's end")
            walls = await lua_json(client, "rcon.print(game.surfaces.nauvis.count_entities_filtered{name = "
                                           "'stone-wall', area = {{58, -125}, {59, -114}}})")
            return cost, before - after, placed, walls, (await chest.read_state()).inventory("chest")

    cost, used, placed, walls, contents = run(scenario())
    assert cost == {"transport-belt": len(placed)} and used == len(placed)
    assert walls == 11  # the route went around the wall, not through it
    assert all(p.name == "transport-belt" for p in placed)
    assert not any(p.position.x == 58.5 and -125 <= p.position.y <= -114 for p in placed)
    assert contents["iron-ore"] >= 1


def test_pipes_carry_water_from_an_offshore_pump_to_a_boiler(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, -160, -135, -110, -100)
            await client.call("test_ground", "set_tiles", "water", area(-160, -135, -150, -100))
            agent = await client.create_agent((-140, -118))
            await client.add_items(agent, {"offshore-pump": 1, "boiler": 1, "pipe": 40})
            spots = await client.call("placement_hints", "get_water_placements", "offshore-pump",
                                      area(-153, -122, -147, -114), {"max_results": 1})
            spot = spots["placements"][0]
            await agent.walk_to(spot["position"]["x"] + 4, spot["position"]["y"])
            pump_at = await agent.place_entity("offshore-pump", spot["position"], spot["direction"])
            await agent.walk_to(-136, -110)
            boiler_at = await agent.place_entity("boiler", (-133.5, -111), Direction.EAST)
            pump = await agent.entity("offshore-pump", pump_at.position)
            boiler = await agent.entity("boiler", boiler_at.position)
            cost = await connection_cost(agent, pump, boiler, "pipe")
            placed = await connect(agent, pump, boiler, "pipe")

            async def water() -> bool:
                box = await lua_json(client, (
                    f"local b = game.surfaces.nauvis.find_entity('boiler', {{{boiler.position.x}, "
                    f"{boiler.position.y}}}) rcon.print(helpers.table_to_json(b.fluidbox[1] or {{}}))"))
                return box != [] and box.get("name") == "water" and box.get("amount", 0) > 0

            await eventually(water, "water in the boiler")
            return cost, placed

    cost, placed = run(scenario())
    assert cost == {"pipe": len(placed)} and len(placed) >= 10


def test_small_poles_join_two_points_into_one_electric_network(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, -40, -135, 20, -95)
            agent = await client.create_agent((-30, -100))
            await client.add_items(agent, {"small-electric-pole": 20, "stone-wall": 20})
            # A wall the poles' route must pass (wires cross it, poles cannot stand on it).
            await agent.walk_to(-12, -113, radius=0.5)
            for y in range(-122, -104):
                await agent.place_entity("stone-wall", (-10.5, y + 0.5))
            a, b = MapPosition(-25.5, -112.5), MapPosition(5.5, -112.5)
            plan = await plan_connection(agent, a, b, "small-electric-pole")
            poles = await connect(agent, a, b, "small-electric-pole")
            ids = [await lua_json(client, (
                f"rcon.print(game.surfaces.nauvis.find_entity('small-electric-pole', {{{p.position.x}, "
                f"{p.position.y}}}).electric_network_id)")) for p in poles]
            reach = await lua_json(client, "rcon.print(prototypes.entity['small-electric-pole']"
                                           ".get_max_wire_distance())")
            return plan, poles, ids, reach

    plan, poles, ids, reach = run(scenario())
    assert [p.position for p in poles] == [p.position for p in plan.placements]
    assert 1 <= plan.validations <= 20  # block-wise checks, not one call per tile
    assert (poles[0].position, poles[-1].position) == (MapPosition(-25.5, -112.5), MapPosition(5.5, -112.5))
    assert len(set(ids)) == 1 and ids[0] is not None
    assert all(p.position.distance(q.position) <= reach for p, q in zip(poles, poles[1:]))
    assert not any(p.position.x == -10.5 and -122 <= p.position.y < -104 for p in poles)


def test_no_route_names_the_obstacle_and_a_short_inventory_places_nothing(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, 40, -95, 80, -75)
            agent = await client.create_agent((45, -80))
            await client.add_items(agent, {"stone-wall": 16, "transport-belt": 2})
            # A ring of walls around (60, -88): nothing can get in.
            await agent.walk_to(57, -84, radius=0.5)
            for x in range(58, 63):
                for y in range(-90, -85):
                    if x in (58, 62) or y in (-90, -86):
                        await agent.place_entity("stone-wall", (x + 0.5, y + 0.5))
            errors = []
            try:
                await connect(agent, MapPosition(45.5, -88.5), MapPosition(60.5, -88.5), "transport-belt")
            except NoPathError as exc:
                errors.append(exc)
            try:
                await connect(agent, MapPosition(45.5, -92.5), MapPosition(55.5, -92.5), "transport-belt")
            except NotInInventoryError as exc:
                errors.append(exc)
            for with_, a in (("iron-plate", MapPosition(45.5, -92.5)), ("pipe", "here")):
                try:
                    await connection_cost(agent, a, MapPosition(55.5, -92.5), with_)
                except InvalidArgumentError as exc:
                    errors.append(exc)
            return errors, await agent.inventory.get_total("transport-belt")

    (no_path, short, not_a_connector, not_a_position), belts = run(scenario())
    assert "'iron-plate' does not connect things" in str(not_a_connector)
    assert "'here'" in str(not_a_position) and "MapPosition" in str(not_a_position)
    assert "(60.5, -88.5) is closed in by stone-wall" in str(no_path) and no_path.method == "connect"
    assert "11 transport-belt" in str(short) and "holds 2" in str(short)
    assert belts == 2


def test_the_agent_standing_on_the_route_steps_aside_and_the_route_stays_straight(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, 40, -75, 100, -60)
            agent = await client.create_agent((60, -68))
            await client.add_items(agent, {"pipe": 30})
            await agent.walk_to(60.5, -67.5, radius=0.2)
            a, b = MapPosition(50.5, -67.5), MapPosition(70.5, -67.5)
            placed = await connect(agent, a, b, "pipe")
            return placed, await agent.walking.position()

    placed, stands = run(scenario())
    # Planned through the character's tile (characters move), so the straight line of 21 pipes.
    assert [p.position for p in placed] == [MapPosition(50.5 + i, -67.5) for i in range(21)]
    assert not any(abs(p.position.x - stands.x) < 0.5 and abs(p.position.y - stands.y) < 0.5 for p in placed)
