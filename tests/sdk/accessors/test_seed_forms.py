"""The seed's accessor examples, in the SDK's awaited form, on the embedded game over real RCON and UDP."""

from __future__ import annotations

import pytest

from factoryverse.sdk import (
    CraftRefusedError,
    EntityNotFoundError,
    Furnace,
    InventoryError,
    ItemStack,
    MapPosition,
    NotInInventoryError,
    RecipeError,
    build_namespace,
)

from factoryverse.engine.prototypes import load_prototypes
from tests.sdk.conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


def test_walk_craft_enqueue_and_count_as_the_seed_writes(game: Game):
    # recipe iron-gear-wheel.ingredients: iron-plate per gear
    per_gear = next(i["amount"] for i in load_prototypes().raw["recipe"]["iron-gear-wheel"]["ingredients"]
                    if i["name"] == "iron-plate")

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((0, 0))
            walking, inventory, crafting = agent.walking, agent.inventory, agent.crafting
            walked = await walking.to(MapPosition(3, 2))
            await client.add_items(agent, {"iron-plate": 4 * per_gear})
            done = await crafting.craft("iron-gear-wheel", count=2)
            gears = await inventory.get_total("iron-gear-wheel")
            # Paused, the queued crafts cannot finish before they are dequeued.
            await client.pause()
            try:
                job = await crafting.enqueue("iron-gear-wheel", count=2)
                queued = await crafting.queue()
                cancelled = await crafting.dequeue("iron-gear-wheel")
            finally:
                await client.resume()
            plates = await inventory.get_total("iron-plate")
            return walked, done, gears, job, queued, cancelled, plates, await crafting.queue()

    walked, done, gears, job, queued, cancelled, plates, after = run(scenario())
    assert walked.position.distance(MapPosition(3, 2)) <= 1.0
    assert done.success and gears == 2
    assert job.recipe == "iron-gear-wheel" and [(e.recipe, e.count) for e in queued.entries] == [("iron-gear-wheel", 2)]
    assert cancelled == 2 and plates == 2 * per_gear and after.entries == []


def test_hand_crafting_a_smelting_recipe_comes_back_as_the_games_refusal(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((4, 30))
            await client.add_items(agent, {"iron-ore": 10})
            with pytest.raises(CraftRefusedError) as refused:
                await agent.crafting.craft("iron-plate", count=10)
            return refused.value, await agent.inventory.get_total("iron-ore")

    error, ore = run(scenario())
    assert isinstance(error, RecipeError) and error.agent_id is not None and error.method == "craft_enqueue"
    assert ore == 10  # nothing was taken


def test_get_item_is_a_claim_the_game_checks_on_use(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-40, 30))
            await client.add_items(agent, {"stone-furnace": 1, "coal": 3})
            item = await agent.inventory.get_placeable("stone-furnace")
            # The nearest cue is the character's own tile, which place_entity then refuses (reported to the mods).
            cue = next(c for c in await item.placement_cues(max_results=20) if c.distance >= 2.5)
            furnace = await item.place(cue.position)
            assert isinstance(furnace, Furnace) and furnace.position == cue.position
            found = await agent.reachable_view.get_entity("stone-furnace")
            stack = agent.inventory.get_item("coal", count=5)
            with pytest.raises(NotInInventoryError) as short:
                await found.add_fuel(stack)
            went = await found.add_fuel(agent.inventory.get_item("coal", count=3))
            await client.add_items(agent, {"iron-ore": 2})
            # A stack of the wrong item: the game's own check refuses it, and nothing moves.
            with pytest.raises(InventoryError, match="iron-ore") as wrong:
                await found.add_fuel(agent.inventory.get_item("iron-ore", count=2))
            assert await agent.inventory.get_total("iron-ore") == 2
            return found, short.value, went, wrong.value

    found, short, went, wrong = run(scenario())
    assert wrong.method == "put_inventory_item" and wrong.agent_id == short.agent_id
    assert isinstance(found, Furnace) and found.name == "stone-furnace"
    assert short.agent_id is not None and "coal" in short.detail
    assert went == 3


def test_get_entity_says_walk_closer_when_none_is_in_reach(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((200, 200))
            with pytest.raises(EntityNotFoundError, match="walk closer"):
                await agent.reachable_view.get_entity("assembling-machine-1")
            assert ItemStack("coal", 2) == agent.inventory.get_item("coal", count=2)
            return build_namespace(agent)

    ns = run(scenario())
    assert {"walking", "mining", "crafting", "research", "inventory", "reachable_view"} <= set(ns)
    assert "remote_view" not in ns  # no map database attached
    assert ns["MapPosition"](1, 2).x == 1 and "Furnace" in ns and "MiningDrillItem" in ns
