"""Factory objects: the right class per entity type, REACHABLE mutations, REMOTE views refusing them."""

from __future__ import annotations

import pytest

from factoryverse.engine.prototypes import load_prototypes
from factoryverse.sdk import (
    AssemblingMachine,
    BaseEntity,
    Boiler,
    Container,
    ElectricPole,
    Entity,
    EntityView,
    Furnace,
    Inserter,
    Lab,
    MiningDrill,
    OffshorePump,
    Pipe,
    Position,
    SteamEngine,
    TransportBelt,
    ViewError,
)
from factoryverse.sdk.objects import entity_class_for

from .conftest import Game, eventually, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


def test_furnace_smelts_what_the_agent_puts_in(game: Game):
    spot = Position(x=-24, y=-8)

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-26, -8))
            await client.add_items(agent, {"stone-furnace": 1, "coal": 5, "iron-ore": 3})
            placed = await agent.place_entity("stone-furnace", spot)
            furnace = await agent.entity("stone-furnace", placed.position)
            assert isinstance(furnace, Furnace) and furnace.view is EntityView.REACHABLE
            assert furnace.unit_number == placed.unit_number
            assert await furnace.add_fuel("coal", 5) == 5
            assert await furnace.add_ingredients("iron-ore", 3) == 3

            async def all_smelted() -> bool:
                return await furnace.products() == 3

            await eventually(all_smelted, "the furnace to smelt 3 iron-ore")
            taken_one = await furnace.take_products(1)
            taken_rest = await furnace.take_products()
            return taken_one, taken_rest, await agent.inventory(), await furnace.products()

    taken_one, taken_rest, inventory, left = run(scenario())
    assert (taken_one, taken_rest, left) == (1, 2, 0)
    assert inventory.get("iron-plate") == 3
    assert "iron-ore" not in inventory


def test_mining_drill_output_position_is_the_prototype_drop_vector(game: Game):
    # burner-mining-drill.vector_to_place_result, facing north, is where the drill drops its ore.
    vector = load_prototypes().raw["mining-drill"]["burner-mining-drill"]["vector_to_place_result"]

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((27, 3))
            await client.add_items(agent, {"burner-mining-drill": 1, "coal": 2})
            placed = await agent.place_entity("burner-mining-drill", (30, 4))
            drill = await agent.entity("burner-mining-drill", placed.position)
            assert isinstance(drill, MiningDrill)
            fuelled = await drill.add_fuel("coal", 2)
            return placed, await drill.output_position(), fuelled

    placed, output, fuelled = run(scenario())
    assert fuelled == 2
    assert output.x == pytest.approx(placed.position.x + vector[0])
    assert output.y == pytest.approx(placed.position.y + vector[1])


def test_container_contents(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-30, 14))
            await client.add_items(agent, {"wooden-chest": 1, "coal": 4})
            placed = await agent.place_entity("wooden-chest", (-28.5, 14.5))
            chest = await agent.entity("wooden-chest", placed.position)
            assert isinstance(chest, Container)
            assert await chest.put("coal", 4) == 4
            return await chest.contents(), await agent.inventory()

    contents, inventory = run(scenario())
    assert contents == {"coal": 4}
    assert inventory == {}


def test_remote_views_and_ghosts_can_look_but_not_change(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-34, -14))
            await client.add_items(agent, {"stone-furnace": 1, "coal": 1})
            placed = await agent.place_entity("stone-furnace", (-32, -14))
            remote = Furnace("stone-furnace", placed.position, agent=agent, view=EntityView.REMOTE)
            ghost = Furnace("stone-furnace", placed.position, agent=agent, view=EntityView.REACHABLE, is_ghost=True)
            with pytest.raises(ViewError, match="REMOTE view.*walking.to"):
                await remote.add_fuel("coal", 1)
            with pytest.raises(ViewError, match="ghost"):
                await ghost.take_products()
            with pytest.raises(ViewError, match="no agent"):
                await BaseEntity("stone-furnace", placed.position).refresh()
            looked = await remote.read_state()
            return looked, await agent.inventory()

    looked, inventory = run(scenario())
    assert looked.name == "stone-furnace" and looked.inventory("fuel") == {}
    assert inventory == {"coal": 1}


@pytest.mark.parametrize(
    ("entity_type", "cls"),
    [("furnace", Furnace), ("mining-drill", MiningDrill), ("container", Container),
     ("logistic-container", Container), ("transport-belt", TransportBelt), ("wall", Entity)],
)
def test_entity_class_for_type(entity_type: str, cls: type):
    assert entity_class_for(entity_type) is cls


@pytest.mark.parametrize(("name", "cls"), [
    ("stone-furnace", Furnace), ("assembling-machine-1", AssemblingMachine), ("lab", Lab),
    ("burner-inserter", Inserter), ("burner-mining-drill", MiningDrill), ("small-electric-pole", ElectricPole),
    ("boiler", Boiler), ("steam-engine", SteamEngine), ("offshore-pump", OffshorePump), ("pipe", Pipe),
    ("pipe-to-ground", Pipe), ("iron-chest", Container), ("stone-wall", Entity),
])
def test_each_family_owns_its_entities_prototype_type(name: str, cls: type):
    # The type comes from the game's data (steam-engine is a "generator"), not from the class's own list.
    raw = load_prototypes().raw
    (entity_type,) = [t for t, group in raw.items() if "collision_box" in group.get(name, {})]
    assert entity_class_for(entity_type) is cls
