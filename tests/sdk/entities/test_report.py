"""inspect(structured=True) is an EntityReport: the common part for every kind, and each kind's own facts typed,
from the game (REACHABLE) and from the map database (REMOTE)."""

from __future__ import annotations

import pytest

from factoryverse.sdk import (
    BaseEntity,
    BurnerState,
    Container,
    Direction,
    EntityReport,
    Furnace,
    Inserter,
    MiningDrill,
    Position,
    TransportBelt,
)

from tests.sdk.conftest import ACTION_TIMEOUT, Game, eventually, run
from tests.sdk.test_remote_view import _open_view

pytestmark = pytest.mark.usefixtures("fresh_agents")

_KIND_FACTS = ("recipe", "output_position", "mining_target", "contents")


async def _cue(agent, name, placed, direction=None, resources=False):
    item = await agent.inventory.get_placeable(name)
    cues = await item.placement_cues(direction, max_results=80)
    # Apart from what was placed already, so one placement cannot block the next one's cue.
    cue = next(c for c in cues if c.distance >= 2.5 and (c.resources > 0 or not resources)
               and all(c.position.distance(p.position) >= 3 for p in placed))
    return item, cue.position


async def _place(agent, name, placed, direction=None, resources=False):
    item, position = await _cue(agent, name, placed, direction, resources)
    entity = await item.place(position, direction)
    placed.append(entity)
    return entity


async def _pick_up(placed) -> None:
    # The game is shared and these spots lie by the ore patch other tests build on: leave them as found.
    for entity in placed:
        await entity.pickup()


def test_reachable_reports_carry_the_games_state_and_each_kinds_facts(game: Game):
    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((27, 3))  # beside an ore patch of the seed-1 map
            await client.add_items(agent, {"stone-furnace": 1, "burner-mining-drill": 1, "wooden-chest": 1,
                                           "transport-belt": 1, "coal": 5, "iron-plate": 3})
            placed: list[BaseEntity] = []
            try:
                drill = await _place(agent, "burner-mining-drill", placed, Direction.EAST, resources=True)
                furnace = await _place(agent, "stone-furnace", placed)
                chest = await _place(agent, "wooden-chest", placed)
                belt = await _place(agent, "transport-belt", placed, Direction.SOUTH)
                await furnace.add_fuel(agent.inventory.get_item("coal", count=5))
                await chest.insert("iron-plate", 3)
                objects = [await o.refresh() for o in (furnace, drill, chest, belt)]
                return objects, await drill.output_position()
            finally:
                await _pick_up(placed)

    (furnace, drill, chest, belt), drop = run(scenario())
    reports = [o.inspect(structured=True) for o in (furnace, drill, chest, belt)]
    assert all(isinstance(r, EntityReport) and r.view == "reachable" and r.reachable is True for r in reports)
    by_kind = dict(zip(("furnace", "drill", "chest", "belt"), reports))
    assert isinstance(furnace, Furnace) and by_kind["furnace"].type == "furnace"
    assert by_kind["furnace"].inventories["fuel"] == {"coal": 5}
    assert isinstance(by_kind["furnace"].burner, BurnerState)
    assert isinstance(drill, MiningDrill) and by_kind["drill"].output_position == drop
    assert by_kind["drill"].direction is Direction.EAST and by_kind["drill"].burner is not None
    assert isinstance(chest, Container) and by_kind["chest"].inventories == {"chest": {"iron-plate": 3}}
    assert isinstance(belt, TransportBelt) and by_kind["belt"].direction is Direction.SOUTH
    # A belt has the common part only: no inventory of the four kinds, no burner, none of the kinds' facts.
    assert by_kind["belt"].inventories == {} and by_kind["belt"].burner is None
    assert all(getattr(by_kind["belt"], key) is None for key in _KIND_FACTS)
    assert all(r.unit_number == o.unit_number for r, o in zip(reports, (furnace, drill, chest, belt)))
    # The text form reads the same report.
    assert f"output_position: {drop}" in drill.inspect()
    assert "chest: 3 iron-plate" in chest.inspect() and "fuel: 5 coal" in furnace.inspect()


async def _applied(client, view) -> None:
    """Wait (bounded) until the view has applied every delta the game has sent so far."""
    await view.wait_for_seq((await client.snapshot_status()).seq, timeout=ACTION_TIMEOUT)


def test_remote_reports_carry_the_map_databases_facts(game: Game):
    """What no event announces reaches the map database through fv_snapshot's sampler (items put into a chest, the
    recipe a furnace smelts) and comes back in the REMOTE objects and reports. The chest is built from a ghost first:
    the revived ghost goes without an event, the case that once stopped the sampler for the rest of the game
    (fv_snapshot 0.3.3), whichever SDK tests ran before."""
    async def scenario():
        async with game.client() as client:
            view, old_port = await _open_view(client, game)
            placed: list[BaseEntity] = []
            try:
                agent = await client.create_agent((27, 3))  # beside an ore patch of the seed-1 map
                remote_view = agent.use_remote_view(view)
                await client.add_items(agent, {"burner-mining-drill": 1, "wooden-chest": 1, "stone-furnace": 1,
                                               "burner-inserter": 1, "iron-plate": 4, "iron-ore": 50, "coal": 5})
                drill = await _place(agent, "burner-mining-drill", placed, Direction.EAST, resources=True)
                furnace = await _place(agent, "stone-furnace", placed)
                inserter = await _place(agent, "burner-inserter", placed, Direction.WEST)
                item, spot = await _cue(agent, "wooden-chest", placed)
                chest = await (await item.place_ghost(spot)).build()
                placed.append(chest)
                await _applied(client, view)
                (built,) = remote_view.get_entities(f"SELECT * FROM map_entity WHERE entity_key = {chest.unit_number}")
                assert await chest.insert("iron-plate", 4) == 4
                await furnace.add_fuel("coal", 5)
                await furnace.add_ingredients("iron-ore", 50)

                keys = f"({chest.unit_number}, {furnace.unit_number}, {drill.unit_number}, {inserter.unit_number})"
                plain: list[BaseEntity] = []

                async def sampled() -> bool:
                    # Kept from the poll that saw both: the furnace's recipe lasts only while it smelts.
                    await _applied(client, view)
                    # The seed's query form (map_entity alone) hands over each kind's facts too.
                    plain[:] = remote_view.get_entities(f"SELECT * FROM map_entity WHERE entity_key IN {keys}")
                    facts = {type(o): o.inspect(structured=True) for o in plain}
                    return (facts[Container].contents == {"iron-plate": 4}
                            and facts[Furnace].recipe == "iron-plate")

                await eventually(sampled, "the filled chest and the smelting furnace in the map database")
                (joined,) = remote_view.get_entities(
                    "SELECT e.*, c.contents FROM map_entity e JOIN container c USING (entity_key) "
                    f"WHERE entity_key = {chest.unit_number}")
                (aliased,) = remote_view.get_entities(
                    "SELECT entity_key, entity_type, 'chosen' AS contents FROM map_entity "
                    f"WHERE entity_key = {chest.unit_number}")
                # Without entity_key a row cannot be matched to its kind's table: it keeps what it has.
                (keyless,) = remote_view.get_entities(
                    f"SELECT entity_name, entity_type, position FROM map_entity WHERE entity_key = {chest.unit_number}")
                assert keyless.unit_number is None and keyless.inspect(structured=True).contents is None
                ends = (await inserter.get_pickup_position(), await inserter.get_drop_position())
                return plain, joined, aliased, built, await drill.output_position(), ends
            finally:
                await _pick_up(placed)
                await client.configure_snapshot(udp_port=old_port)
                await view.close()

    plain, joined, aliased, built, drop, (pickup, inserter_drop) = run(scenario())
    by_type = {type(o): o for o in plain}
    assert set(by_type) == {Container, Furnace, MiningDrill, Inserter}
    # The inserter's ends are in its row, where its REMOTE object reads them without a game call.
    remote_inserter = by_type[Inserter].row
    assert (Position.of(remote_inserter["pickup_position"]), Position.of(remote_inserter["drop_position"])) == (
        pickup, inserter_drop)
    drill_report = by_type[MiningDrill].inspect(structured=True)
    assert isinstance(drill_report, EntityReport) and drill_report.view == "remote"
    assert drill_report.output_position == drop and drill_report.mining_target == "iron-ore"
    assert drill_report.direction is Direction.EAST  # the database's direction name, typed
    assert drill_report.status is None and drill_report.reachable is None  # not the game's state: not read
    furnace_report = by_type[Furnace].inspect(structured=True)
    assert furnace_report.recipe == "iron-plate" and "recipe: iron-plate" in by_type[Furnace].inspect()
    # Built empty, as its entity_built record says: the database knows it holds nothing.
    assert built.row["contents"] == {} and built.inspect(structured=True).contents == {}
    for chest in (by_type[Container], joined):
        report = chest.inspect(structured=True)
        assert report.contents == {"iron-plate": 4} and report.inventories == {}
        assert (report.name, report.type, report.is_ghost, report.view) == ("wooden-chest", "container", False,
                                                                            "remote")
        assert report.unit_number == chest.unit_number
        text = chest.inspect()
        assert "contents: {'iron-plate': 4}" in text and "map database" in text
    # A column the query chose itself is not overwritten by the kind's table.
    assert aliased.row["contents"] == "chosen"
