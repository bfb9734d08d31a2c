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
    MiningDrill,
    TransportBelt,
)
from factoryverse.sdk.entities import remote_entity

from tests.sdk.conftest import Game, run
from tests.sdk.test_remote_view import _open_view

pytestmark = pytest.mark.usefixtures("fresh_agents")

_KIND_FACTS = ("recipe", "output_position", "mining_target", "contents")


async def _place(agent, name, placed, direction=None, resources=False):
    item = await agent.inventory.get_placeable(name)
    cues = await item.placement_cues(direction, max_results=80)
    # Apart from what was placed already, so one placement cannot block the next one's cue.
    cue = next(c for c in cues if c.distance >= 2.5 and (c.resources > 0 or not resources)
               and all(c.position.distance(p.position) >= 3 for p in placed))
    entity = await item.place(cue.position, direction)
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


def test_remote_reports_carry_the_map_databases_facts(game: Game):
    async def scenario():
        async with game.client() as client:
            view, old_port = await _open_view(client, game)
            placed: list[BaseEntity] = []
            try:
                agent = await client.create_agent((27, 3))  # beside an ore patch of the seed-1 map
                agent.use_remote_view(view)
                await client.add_items(agent, {"burner-mining-drill": 1, "wooden-chest": 1})
                drill = await _place(agent, "burner-mining-drill", placed, resources=True)
                chest = await _place(agent, "wooden-chest", placed)
                chest_sql = ("SELECT e.*, c.contents FROM map_entity e "
                             f"JOIN container c USING (entity_key) WHERE entity_key = {chest.unit_number}")
                drills = agent.remote_view.get_entities(
                    "SELECT e.*, d.mining_target, d.output_position FROM map_entity e "
                    f"JOIN mining_drill d USING (entity_key) WHERE entity_key = {drill.unit_number}")
                return drills, agent.remote_view.get_entities(chest_sql), await drill.output_position()
            finally:
                await _pick_up(placed)
                await client.configure_snapshot(udp_port=old_port)
                await view.close()

    (remote_drill,), (remote_chest,), drop = run(scenario())
    drill_report = remote_drill.inspect(structured=True)
    chest_report = remote_chest.inspect(structured=True)
    assert isinstance(drill_report, EntityReport) and drill_report.view == "remote"
    assert drill_report.output_position == drop and drill_report.mining_target
    assert drill_report.status is None and drill_report.reachable is None  # not the game's state: not read
    # Built empty, as its entity_built record says (items put in later reach the database only when
    # fv_snapshot's sampler finds them, which no event announces).
    assert remote_chest.row["contents"] == {} and chest_report.contents is None and chest_report.inventories == {}
    assert (chest_report.name, chest_report.type, chest_report.is_ghost) == ("wooden-chest", "container", False)
    assert "map database" in remote_chest.inspect()


def test_a_database_rows_kind_columns_become_typed_report_fields():
    # The row as RemoteView.get_entities hands it over for the seed's joins (map_entity + container / furnace).
    base = {"entity_key": 7, "position": {"x": 1.5, "y": 2.5}, "direction": "east", "surface": "nauvis"}
    chest = remote_entity({**base, "entity_name": "wooden-chest", "entity_type": "container",
                           "contents": {"iron-plate": 4}}, None)
    furnace = remote_entity({**base, "entity_name": "stone-furnace", "entity_type": "furnace",
                             "recipe": "iron-plate"}, None)
    chest_report, furnace_report = chest.inspect(structured=True), furnace.inspect(structured=True)
    assert chest_report.contents == {"iron-plate": 4} and chest_report.direction is Direction.EAST
    assert furnace_report.recipe == "iron-plate" and furnace_report.unit_number == 7
    assert "contents: {'iron-plate': 4}" in chest.inspect() and "recipe: iron-plate" in furnace.inspect()
