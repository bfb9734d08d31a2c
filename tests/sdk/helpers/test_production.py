"""get_production_stats: the agent force's LuaFlowStatistics, counted by the game as it crafts."""

from __future__ import annotations

import pytest

from factoryverse.engine.prototypes import load_prototypes
from factoryverse.sdk import InvalidArgumentError
from factoryverse.sdk.helpers import get_production_stats

from tests.sdk.conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")
GEAR = load_prototypes().raw["recipe"]["iron-gear-wheel"]


def test_hand_crafting_shows_in_the_forces_statistics(game: Game):
    # recipe iron-gear-wheel.ingredients: the plates one craft consumes.
    plates = next(i["amount"] for i in GEAR["ingredients"] if i["name"] == "iron-plate")

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-60, -40))
            await client.add_items(agent, {"iron-plate": 3 * plates})
            before = await get_production_stats(agent)
            await agent.crafting.craft("iron-gear-wheel", count=3)
            return before, await get_production_stats(agent)

    before, after = run(scenario())
    assert after.force == before.force and after.force.startswith("fv_embodied_agent.agent_")
    assert after.items_produced.get("iron-gear-wheel", 0) - before.items_produced.get("iron-gear-wheel", 0) == 3
    assert after.items_consumed.get("iron-plate", 0) - before.items_consumed.get("iron-plate", 0) == 3 * plates
    assert after.tick >= before.tick


def test_an_unknown_force_is_refused(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-60, -40))
            with pytest.raises(InvalidArgumentError) as refused:
                await get_production_stats(agent, force="nobody")
            return refused.value

    assert "nobody" in str(run(scenario()))
