"""Mining resources in reach as the seed writes it, and the research accessor against the force's real tree."""

from __future__ import annotations

import pytest

from factoryverse.sdk import (NoResourceInReachError, ReachError, ResearchError, ResearchRefusedError,
                              UnknownTechnologyError)

from tests.sdk.conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


def test_resources_in_reach_are_mined_as_the_seed_writes(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((27, 3))  # beside an ore patch of the seed-1 map
            reachable_view, inventory = agent.reachable_view, agent.inventory
            everything = await reachable_view.get_resources()
            name = everything[0].name
            resources = await reachable_view.get_resources(name)
            mined = await resources[0].mine(max_count=3)
            with pytest.raises(NoResourceInReachError, match="walk"):
                await reachable_view.get_resources("uranium-ore")
            return name, resources[0], mined, await inventory.get_total(mined.item)

    name, tile, mined, held = run(scenario())
    assert tile.name == name and tile.amount > 0
    assert mined.count == 3 and held == 3


def test_research_queue_and_the_games_refusals(game: Game):
    # In 2.x a new force can queue nothing: its first technologies are researched by triggers, not labs.
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-10, 90))
            research = agent.research
            with pytest.raises(ResearchRefusedError, match="automation"):
                await research.enqueue("automation")
            await client.call("admin", "unlock_technology", agent.agent_id, "automation-science-pack")
            techs = {t.name: t for t in await research.technologies()}
            job = await research.enqueue("automation")
            queued = await research.queue()
            cancelled = await research.cancel()
            after = await research.queue()
            with pytest.raises(UnknownTechnologyError) as unknown:
                await research.enqueue("no-such-technology")
            return techs, job, queued, cancelled, after, unknown.value

    techs, job, queued, cancelled, after, unknown = run(scenario())
    assert techs["automation-science-pack"].researched and techs["automation"].researchable
    assert job.technology == "automation" and "automation" in [queued.current, *queued.queue]
    assert cancelled is True and "automation" not in [after.current, *after.queue]
    assert isinstance(unknown, ResearchError) and not isinstance(unknown, ReachError)
    assert unknown.agent_id is not None and unknown.method == "enqueue_research" and unknown.detail
