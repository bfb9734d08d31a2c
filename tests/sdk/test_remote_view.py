"""RemoteView on the real loader and SyncService: the seed's form, REMOTE objects, ghosts in both views."""

from __future__ import annotations

import pytest

from factoryverse.sdk import (
    EntityView,
    Furnace,
    GhostError,
    MapDatabaseError,
    MiningDrill,
    NoRemoteViewError,
    ReachError,
    RemoteView,
    RemoteViewError,
    build_namespace,
)

from tests.sdk.conftest import Game, eventually, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


async def _open_view(client, game: Game) -> tuple[RemoteView, int]:
    async def complete() -> bool:
        return (await client.snapshot_status()).phase == "complete"

    await eventually(complete, "the snapshot bootstrap")
    status = await client.snapshot_status()
    view = RemoteView(game.script_output / status.output_dir, udp_dispatcher=None)
    await view.load()
    await view.start()
    await client.configure_snapshot(udp_port=view.udp_port)
    return view, status.udp_port


def test_remote_entities_and_ghosts_follow_the_seeds_table(game: Game):
    async def scenario():
        async with game.client() as client:
            view, old_port = await _open_view(client, game)
            try:
                agent = await client.create_agent((-90, 40))
                with pytest.raises(NoRemoteViewError):
                    agent.remote_view
                remote_view = agent.use_remote_view(view)
                await client.add_items(agent, {"stone-furnace": 2})
                item = await agent.inventory.get_placeable("stone-furnace")
                cues = [c for c in await item.placement_cues(max_results=60) if c.distance >= 2.5]
                # A mutation answers the snapshot seq it caused, and returns once the attached view applied it:
                # the query right after it sees the furnace (read-your-writes).
                placed = await agent.call("place_entity", "stone-furnace", cues[0].position)

                furnaces = remote_view.get_entities(
                    "SELECT * FROM map_entity WHERE entity_name = 'stone-furnace'")
                keyed = remote_view.get_entities(
                    f"SELECT entity_key FROM map_entity WHERE entity_key = {placed['unit_number']}")
                remote = next(f for f in furnaces if f.unit_number == placed["unit_number"])
                with pytest.raises(RemoteViewError) as refused:
                    await remote.add_fuel(agent.inventory.get_item("coal", count=1))
                reachable = await remote.to_reachable()

                ghost = await item.place_ghost(cues[-1].position)
                rows = remote_view.query(
                    f"SELECT entity_name FROM map_entity WHERE entity_key = {placed['unit_number']}")
                pending = remote_view.get_ghosts("SELECT * FROM ghost WHERE ghost_name = 'stone-furnace'")
                remote_ghost = next(g for g in pending if g.position == ghost.position)
                with pytest.raises(RemoteViewError):
                    await remote_ghost.build()
                with pytest.raises(GhostError):
                    await remote_ghost.add_fuel("coal", 1)
                removed = await remote_ghost.remove()
                ns = build_namespace(agent)
                miner = await client.create_agent((27, 3))  # beside an ore patch of the seed-1 map
                await client.add_items(miner, {"burner-mining-drill": 1})
                drill_item = await miner.inventory.get_placeable("burner-mining-drill")
                cue = next(c for c in await drill_item.placement_cues(max_results=40) if c.distance >= 2.5)
                miner.use_remote_view(view)
                drill = await drill_item.place(cue.position)
                joined = miner.remote_view.get_entities(
                    "SELECT e.*, d.output_position FROM map_entity e JOIN mining_drill d ON e.entity_key = d.entity_key")
                remote_drill = next(d for d in joined if d.unit_number == drill.unit_number)
                drill_outputs = (await remote_drill.output_position(), await drill.output_position())
                after = remote_view.get_ghosts("SELECT * FROM ghost WHERE ghost_name = 'stone-furnace'")
                return (remote, keyed, refused.value, reachable, removed, remote_ghost.inspect(), rows, ns, after,
                        remote_drill, drill_outputs, remote_ghost.position)
            finally:
                await client.configure_snapshot(udp_port=old_port)
                await view.close()

    (remote, keyed, refused, reachable, removed, ghost_text, rows, ns, after, remote_drill,
     drill_outputs, ghost_at) = run(scenario())
    assert isinstance(remote, Furnace) and remote.view is EntityView.REMOTE and remote.row["entity_type"] == "furnace"
    assert [e.unit_number for e in keyed] == [remote.unit_number] and keyed[0].name == "stone-furnace"
    assert "walk" in str(refused) and isinstance(refused, ReachError) and refused.method == "put_inventory_item"
    assert "map database" in remote.inspect()
    assert isinstance(reachable, Furnace) and reachable.view is EntityView.REACHABLE and reachable.state is not None
    assert removed is True
    assert ghost_text.startswith("ghost of stone-furnace")
    assert rows == [{"entity_name": "stone-furnace"}]
    assert ns["remote_view"] is not None
    assert all(g.position != ghost_at for g in after)  # the removed ghost left the ghost table
    # The seed's join form gives typed REMOTE drills whose output position is the game's drop_position.
    assert isinstance(remote_drill, MiningDrill) and remote_drill.view is EntityView.REMOTE
    assert drill_outputs[0] == drill_outputs[1]


def test_bad_sql_and_an_unloaded_view_are_typed_errors(game: Game, tmp_path):
    view = RemoteView(tmp_path)
    with pytest.raises(MapDatabaseError, match="load"):
        view.query("SELECT 1")

    async def scenario():
        async with game.client() as client:
            loaded, old_port = await _open_view(client, game)
            try:
                with pytest.raises(MapDatabaseError) as bad:
                    loaded.query("SELEC * FROM map_entity")
                with pytest.raises(MapDatabaseError, match="entity_key"):
                    loaded.get_entities("SELECT 1 AS one")
                with pytest.raises(MapDatabaseError):
                    loaded.query("DELETE FROM map_entity")
                return bad.value, loaded.query("SELECT count(*) AS n FROM map_entity")
            finally:
                await client.configure_snapshot(udp_port=old_port)
                await loaded.close()

    bad, counted = run(scenario())
    assert bad.sql == "SELEC * FROM map_entity" and bad.__cause__ is not None
    assert counted[0]["n"] >= 0
