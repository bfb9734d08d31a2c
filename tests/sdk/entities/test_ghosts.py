"""Ghosts through the REACHABLE view: placed from an item, inspected, built only in reach, removed."""

from __future__ import annotations

import pytest

from factoryverse.sdk import Container, EntityNotFoundError, EntityView, GhostError, InvalidArgumentError, MapPosition, ViewError

from tests.sdk.conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


def test_a_ghost_is_planned_built_and_removed(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-120, 60))
            await client.add_items(agent, {"wooden-chest": 1})
            item = await agent.inventory.get_placeable("wooden-chest")
            spots = [c.position for c in await item.placement_cues(max_results=60) if c.distance >= 2.5]
            ghost = await item.place_ghost(spots[0])
            other = await item.place_ghost(spots[1])
            listed = await agent.reachable_view.get_ghosts("wooden-chest")
            with pytest.raises(GhostError, match="build"):
                await ghost.insert("wood", 1)
            built = await ghost.build()
            with pytest.raises(ViewError, match="real entity"):
                await built.remove()
            removed = await other.remove()
            await client.add_items(agent, {"wood": 1})
            await built.pickup()
            with pytest.raises(EntityNotFoundError):  # the object outlived its entity: the game says so
                await built.insert(agent.inventory.get_item("wood", count=1))
            left = await agent.reachable_view.get_ghosts()
            after = await agent.inventory.get_total("wooden-chest")
            return ghost, other, listed, built, removed, left, after

    ghost, other, listed, built, removed, left, after = run(scenario())
    assert isinstance(ghost, Container) and ghost.is_ghost and ghost.view is EntityView.REACHABLE
    assert ghost.inspect().startswith("ghost of wooden-chest")
    assert {g.position for g in listed} == {ghost.position, other.position} and all(g.is_ghost for g in listed)
    assert isinstance(built, Container) and not built.is_ghost and built.position == ghost.position
    assert removed is True and left == [] and after == 1  # the chest came back


def test_bad_stacks_are_refused_before_anything_moves(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((-150, 60))
            inventory = agent.inventory
            with pytest.raises(InvalidArgumentError, match="at least 1"):
                inventory.get_item("coal", count=0)
            with pytest.raises(InvalidArgumentError, match="non-empty string"):
                inventory.get_item("", count=1)
            with pytest.raises(InvalidArgumentError, match="not a position"):
                await agent.walking.to("10,5")  # type: ignore[arg-type]
            with pytest.raises(InvalidArgumentError, match="places no entity"):
                await inventory.get_placeable("coal")
            return await agent.walking.position()

    assert run(scenario()) == MapPosition(-150, 60)
