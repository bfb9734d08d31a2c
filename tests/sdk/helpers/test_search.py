"""nearest and get_resource_patch against the game's own entities, read independently over RCON."""

from __future__ import annotations

import math

import pytest

from factoryverse.sdk import EntityNotFoundError, InvalidArgumentError, MapPosition, build_namespace
from factoryverse.sdk.helpers import get_resource_patch, nearest

from tests.sdk.conftest import Game, run
from tests.sdk.helpers.ground import area, clear_ground, lua_json

pytestmark = pytest.mark.usefixtures("fresh_agents")

# Half the side of the square the test reads every ore tile from; the answer must lie inside it to be checked.
_BOX = 150


def test_nearest_iron_ore_is_the_games_own_answer(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-70, -100))
            here = await agent.walking.position()
            found = await nearest(agent, "iron-ore")
            bound = await build_namespace(agent)["nearest"]("iron-ore")
            x0, y0, x1, y1 = here.x - _BOX, here.y - _BOX, here.x + _BOX, here.y + _BOX
            tiles = await lua_json(client, (
                "local out = {} for _, e in pairs(game.surfaces.nauvis.find_entities_filtered{name = 'iron-ore', "
                f"area = {{{{{x0}, {y0}}}, {{{x1}, {y1}}}}}}}) do out[#out + 1] = e.position end "
                "rcon.print(helpers.table_to_json(out))"))
            return here, found, bound, tiles

    here, found, bound, tiles = run(scenario())
    distances = {(t["x"], t["y"]): math.dist((t["x"], t["y"]), (here.x, here.y)) for t in tiles}
    best = min(distances.values())
    assert best < _BOX, "the nearest ore must lie inside the square read, or the check proves nothing"
    assert (found.x, found.y) in distances
    assert distances[(found.x, found.y)] == pytest.approx(best)
    assert bound == found


def test_nearest_own_entity_is_the_closer_of_two(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, -110, -135, -90, -120)
            agent = await client.create_agent((-100, -128))
            await client.add_items(agent, {"wooden-chest": 2})
            await agent.place_entity("wooden-chest", (-97.5, -127.5))
            await agent.place_entity("wooden-chest", (-106.5, -124.5))
            return await nearest(agent, "wooden-chest", MapPosition(-105, -125))

    assert run(scenario()) == MapPosition(-106.5, -124.5)


def test_resource_patch_counts_the_games_tiles(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, 100, -135, 140, -115)
            # Two patches of copper ore, a gap of one tile between them: only the one asked about counts.
            await client.call("test_ground", "place_resources", "copper-ore", area(110, -130, 115, -126), 700)
            await client.call("test_ground", "place_resources", "copper-ore", area(116, -130, 118, -126), 50)
            agent = await client.create_agent((108, -120))
            return await get_resource_patch(agent, "copper-ore", MapPosition(112.5, -128.5))

    patch = run(scenario())
    assert (patch.size, patch.amount, patch.cut_off) == (20, 20 * 700, False)
    assert patch.bounding_box.left_top == MapPosition(110, -130)
    assert patch.bounding_box.right_bottom == MapPosition(115, -126)


def test_bad_names_and_empty_ground_are_typed_errors(game: Game):
    async def scenario():
        async with game.client() as client:
            await clear_ground(client, 100, -135, 140, -115)
            agent = await client.create_agent((108, -120))
            errors = []
            for call in (nearest(agent, "no-such-thing"), get_resource_patch(agent, "wooden-chest", (110, -130)),
                         get_resource_patch(agent, "iron-ore", (120.5, -120.5)), nearest(agent, 42)):
                try:
                    await call
                except (InvalidArgumentError, EntityNotFoundError) as exc:
                    errors.append(exc)
            return errors

    unknown, not_resource, none_here, bad_type = run(scenario())
    assert isinstance(unknown, InvalidArgumentError) and "no-such-thing" in str(unknown)
    assert isinstance(not_resource, InvalidArgumentError) and "not a resource" in str(not_resource)
    assert isinstance(none_here, EntityNotFoundError) and "nearest('iron-ore')" in str(none_here)
    assert isinstance(bad_type, InvalidArgumentError)
