"""A position passed as a string: every call that takes one refuses it by name, before anything reaches the game."""

from __future__ import annotations

import pytest

from factoryverse.sdk import FactoryVerseError, Furnace, InvalidArgumentError, MapPosition
from factoryverse.sdk._args import position_arg
from factoryverse.sdk.helpers import get_resource_patch, nearest

from tests.sdk.conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


@pytest.mark.parametrize("value", ["10,5", "(10, 5)", b"10,5", None, 5, (1, "a"), {"x": 1}, float("nan")])
def test_anything_but_a_position_names_the_method_and_the_parameter(value):
    with pytest.raises(InvalidArgumentError) as info:
        position_arg(value, "walking.to")
    assert str(info.value).startswith(f"walking.to: position={value!r} is not a position; pass MapPosition(x, y)")
    assert info.value.method == "walking.to"
    assert position_arg((1, 2), "walking.to") == position_arg({"x": 1, "y": 2}, "walking.to") == MapPosition(1, 2)


@pytest.mark.parametrize("value", [{"x": "1", "y": "2"}, ("1", "2"), ["1", 2], (True, 2), {"x": 1, "y": True}])
def test_numeric_strings_and_bools_are_not_coordinates(value):
    # pydantic would coerce these to numbers; the game refuses them, so the SDK does before sending anything.
    with pytest.raises(InvalidArgumentError) as info:
        position_arg(value, "walking.to")
    assert str(info.value).startswith(f"walking.to: position={value!r} is not a position; pass MapPosition(x, y)")
    assert info.value.method == "walking.to" and "a coordinate is a number, not" in str(info.value)


def test_a_position_of_numeric_strings_is_refused_at_the_entry_points_and_nothing_happens(game: Game):
    as_strings = {"x": "1", "y": "2"}

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-180, 90))
            await client.add_items(agent, {"wooden-chest": 1})
            start = await agent.walking.position()
            before = len(await client.list_agents())
            item = await agent.inventory.get_placeable("wooden-chest")
            calls = [
                ("walking.to", lambda: agent.walking.to(as_strings)),
                ("walking.to", lambda: agent.walking.to(("1", "2"))),
                ("mining.mine", lambda: agent.mining.mine("iron-ore", 5, (True, 2))),
                ("place", lambda: item.place(("1", "2"))),
                ("place_entity", lambda: agent.place_entity("wooden-chest", as_strings)),
                ("inspect_entity", lambda: agent.inspect_entity("wooden-chest", as_strings)),
                ("create_agent", lambda: client.create_agent(as_strings)),
                ("validate_placement", lambda: client.validate_placement("wooden-chest", ("1", "2"))),
            ]
            refused = []
            for method, call in calls:
                with pytest.raises(InvalidArgumentError) as info:
                    await call()  # type: ignore[arg-type]
                refused.append((method, info.value))
            after = (await agent.walking.position(), await agent.inventory.get_total("wooden-chest"),
                     len(await client.list_agents()) - before)
            return start, refused, after

    start, refused, (position, chests, agents) = run(scenario())
    for method, error in refused:
        assert error.method == method and str(error).startswith(f"{method}: position="), str(error)
        assert "a coordinate is a number, not" in str(error), str(error)
    assert position == start and chests == 1 and agents == 0


def test_a_string_position_is_a_typed_error_at_every_entry_point_and_nothing_happens(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-180, 60))
            await client.add_items(agent, {"wooden-chest": 1})
            start = await agent.walking.position()
            before = len(await client.list_agents())
            item = await agent.inventory.get_placeable("wooden-chest")
            calls = [
                ("walking.to", "position", lambda: agent.walking.to("10,5")),
                ("mining.mine", "position", lambda: agent.mining.mine("iron-ore", 5, "10,5")),
                ("walk_to", "position", lambda: agent.walk_to("10,5")),
                ("place", "position", lambda: item.place("10,5")),
                ("place_ghost", "position", lambda: item.place_ghost("10,5")),
                ("place_entity", "position", lambda: agent.place_entity("wooden-chest", "10,5")),
                ("pickup_entity", "position", lambda: agent.pickup_entity("wooden-chest", "10,5")),
                ("put_inventory_item", "position", lambda: agent.put_inventory_item("coal", 1, "wooden-chest", "10,5")),
                ("inspect_entity", "position", lambda: agent.inspect_entity("wooden-chest", "10,5")),
                ("create_agent", "position", lambda: client.create_agent("10,5")),
                ("validate_placement", "position", lambda: client.validate_placement("wooden-chest", "10,5")),
                ("nearest", "from_", lambda: nearest(agent, "iron-ore", from_="10,5")),
                ("get_resource_patch", "position", lambda: get_resource_patch(agent, "iron-ore", "10,5")),
            ]
            refused = []
            for method, param, call in calls:
                with pytest.raises(InvalidArgumentError) as info:
                    await call()  # type: ignore[arg-type]
                refused.append((method, param, info.value))
            with pytest.raises(InvalidArgumentError) as built:
                Furnace("stone-furnace", "10,5")  # type: ignore[arg-type]
            refused.append(("Furnace", "position", built.value))
            after = (await agent.walking.position(), await agent.inventory.get_total("wooden-chest"),
                     await agent.reachable_view.get_ghosts(), len(await client.list_agents()) - before)
            return start, refused, after

    start, refused, (position, chests, ghosts, agents) = run(scenario())
    for method, param, error in refused:
        assert isinstance(error, FactoryVerseError) and error.method == method
        assert str(error).startswith(f"{method}: {param}='10,5' is not a position"), str(error)
    # Refused before sending: the agent did not move, placed nothing, and no second agent was made.
    assert position == start and chests == 1 and ghosts == [] and agents == 0
