"""place_next_to: the new entity's footprint sits `spacing` tiles beside the reference's, as the game lays them."""

from __future__ import annotations

import pytest

from factoryverse.sdk import Direction, InvalidArgumentError, MapPosition, PlacementBlockedError
from factoryverse.sdk.helpers import place_next_to

from tests.sdk.conftest import Game, run
from tests.sdk.helpers.ground import clear_ground, lua_json

pytestmark = pytest.mark.usefixtures("fresh_agents")


async def _tiles(client, name, position):
    """The tiles the entity covers, from its bounding box as the game reports it."""
    box = await lua_json(client, (
        f"local e = game.surfaces.nauvis.find_entity('{name}', {{{position.x}, {position.y}}}) "
        "rcon.print(helpers.table_to_json(e.bounding_box))"))
    import math

    lt, rb = box["left_top"], box["right_bottom"]
    return {(x, y) for x in range(math.floor(lt["x"]), math.ceil(rb["x"]))
            for y in range(math.floor(lt["y"]), math.ceil(rb["y"]))}


def test_entities_go_beside_the_reference_with_the_spacing_asked(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, 140, -135, 170, -110)
            agent = await client.create_agent((155, -115))
            await client.add_items(agent, {"stone-furnace": 1, "wooden-chest": 2, "burner-inserter": 1})
            furnace = await place_next_to(agent, "stone-furnace", MapPosition(155.5, -124.5), Direction.NORTH)
            chest = await place_next_to(agent, "wooden-chest", furnace, Direction.EAST, spacing=0)
            far = await place_next_to(agent, "wooden-chest", furnace, Direction.WEST, spacing=2)
            inserter = await place_next_to(agent, "burner-inserter", furnace, Direction.SOUTH, facing=Direction.NORTH)
            return {e.name + str(i): await _tiles(client, e.name, e.position)
                    for i, e in enumerate((furnace, chest, far, inserter))}, inserter

    tiles, inserter = run(scenario())
    furnace, chest, far, ins = tiles["stone-furnace0"], tiles["wooden-chest1"], tiles["wooden-chest2"], \
        tiles["burner-inserter3"]
    # North of the reference tile (155, -125), a 2x2 furnace centered on it (a half tile rounds east).
    assert furnace == {(155, -127), (156, -127), (155, -126), (156, -126)}
    assert chest == {(157, -126)}  # touching the furnace's east side, centered (rounded south)
    assert far == {(152, -126)}  # two free tiles (153, 154) west of the furnace
    assert ins == {(156, -125)}  # right below the furnace (its center half-tile rounds east)
    assert inserter.direction is Direction.NORTH


def test_a_blocked_spot_names_what_is_in_the_way_and_takes_nothing(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, 140, -135, 170, -110)
            agent = await client.create_agent((150, -115))
            await client.add_items(agent, {"wooden-chest": 1, "stone-wall": 2})
            await agent.place_entity("stone-wall", (152.5, -120.5))
            await agent.place_entity("stone-wall", (153.5, -120.5))
            refusals = []
            for spacing, direction in ((0, Direction.EAST), (-1, Direction.EAST), (0, Direction.NORTHEAST)):
                try:
                    await place_next_to(agent, "wooden-chest", MapPosition(152.5, -120.5), direction, spacing)
                except (PlacementBlockedError, InvalidArgumentError) as exc:
                    refusals.append(exc)
            return refusals, await agent.inventory.items()

    (blocked, bad_spacing, diagonal), items = run(scenario())
    assert isinstance(blocked, PlacementBlockedError)
    assert "stone-wall" in str(blocked) and blocked.method == "place_next_to"
    assert isinstance(bad_spacing, InvalidArgumentError) and "spacing" in str(bad_spacing)
    assert isinstance(diagonal, InvalidArgumentError) and "NORTHEAST" in str(diagonal)
    assert items.get("wooden-chest") == 1  # nothing was used up
