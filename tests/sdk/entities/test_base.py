"""An entity destroyed since it was fetched: the object outlives it, and every use of it says so in a typed error."""

from __future__ import annotations

import pytest

from factoryverse.sdk import EntityNotFoundError, EntityView, Furnace, ViewError

from tests.sdk.conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")

# The world, not the agent, removes the furnace (as a biter or another player would): plain Lua over RCON.
_DESTROY = (
    'local e = game.surfaces["nauvis"].find_entity("stone-furnace", {{{x}, {y}}}) '
    'rcon.print(e and e.destroy() and "destroyed" or "missing")'
)


def test_a_furnace_destroyed_since_it_was_fetched_is_a_typed_error_and_loses_no_items(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-210, 60))
            await client.add_items(agent, {"stone-furnace": 1, "coal": 5, "iron-ore": 4})
            item = await agent.inventory.get_placeable("stone-furnace")
            cue = next(c for c in await item.placement_cues(max_results=60) if c.distance >= 2.5)
            await item.place(cue.position)
            furnace = await agent.reachable_view.get_entity("stone-furnace")
            remote = Furnace("stone-furnace", furnace.position, agent=agent, view=EntityView.REMOTE)
            async with game.rcon() as rcon:
                gone = await rcon.lua(_DESTROY.format(x=furnace.position.x, y=furnace.position.y))
            errors = {}
            for what, use in [
                ("add_fuel", lambda: furnace.add_fuel(agent.inventory.get_item("coal", count=5))),
                ("add_ingredients", lambda: furnace.add_ingredients(agent.inventory.get_item("iron-ore", count=4))),
                ("refresh", furnace.refresh),
                ("take_products", furnace.take_products),
                ("remote read_state", remote.read_state),
            ]:
                with pytest.raises(EntityNotFoundError) as info:
                    await use()
                errors[what] = info.value
            # A REMOTE object is refused as REMOTE first: the agent is told to walk closer, not that it is gone.
            with pytest.raises(ViewError, match="REMOTE"):
                await remote.add_fuel(agent.inventory.get_item("coal", count=1))
            with pytest.raises(EntityNotFoundError, match="walk closer"):
                await agent.reachable_view.get_entity("stone-furnace")
            held = {name: await agent.inventory.get_total(name) for name in ("coal", "iron-ore", "stone-furnace")}
            return gone, furnace, errors, held

    gone, furnace, errors, held = run(scenario())
    assert gone == "destroyed"
    for what, error in errors.items():
        assert error.agent_id is not None and error.method, what
        assert "stone-furnace" in str(error), (what, str(error))
    assert held == {"coal": 5, "iron-ore": 4, "stone-furnace": 0}  # nothing moved into the furnace that was gone
    assert furnace.inspect().startswith("stone-furnace (furnace)")  # what it knew when fetched stays readable
