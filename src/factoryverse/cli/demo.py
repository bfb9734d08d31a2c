"""`fv demo`: the main job, end to end on the embedded engine.

Starts a server, creates an agent, finds coal and iron in the map database, walks and mines by hand, builds a
fuelled burner mining drill feeding a stone furnace, runs the game until the furnace holds 20 iron plates, keeps the
spatial database in sync over UDP, and prints SQL answers about the factory it built.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import typer

from factoryverse.servers.instances import DEFAULT_SEED, Instance, configure_instance, start_instance, stop_instance
from factoryverse.cli.sql import format_rows

__all__ = ["demo", "run_demo", "DemoResult"]

_PLATES_WANTED = 20
# Game-side work needed: ~80 s of game time for 20 plates; in fast mode that is about a second of wall time.
_PLATES_TIMEOUT_S = 120.0
_SNAPSHOT_TIMEOUT_S = 30.0
_STARTING_KIT = {"burner-mining-drill": 1, "stone-furnace": 1}

# 2x2 spots fully on iron ore: the drill's centre sits on the tile corner (x, y), covering tiles x-1..x, y-1..y.
_IRON_SPOTS_SQL = """
SELECT a.x AS x, a.y AS y
FROM resource_tile a
JOIN resource_tile b ON b.name = 'iron-ore' AND b.x = a.x - 1 AND b.y = a.y
JOIN resource_tile c ON c.name = 'iron-ore' AND c.x = a.x AND c.y = a.y - 1
JOIN resource_tile d ON d.name = 'iron-ore' AND d.x = a.x - 1 AND d.y = a.y - 1
WHERE a.name = 'iron-ore'
ORDER BY (a.x - $ax) * (a.x - $ax) + (a.y - $ay) * (a.y - $ay), a.y, a.x
LIMIT 40
"""
_NEAREST_COAL_SQL = """
SELECT x, y FROM resource_tile WHERE name = 'coal'
ORDER BY (x + 0.5 - $ax) * (x + 0.5 - $ax) + (y + 0.5 - $ay) * (y + 0.5 - $ay), y, x
LIMIT 1
"""
_BUILT_SQL = """
SELECT entity_key, entity_name, position.x AS x, position.y AS y, force FROM map_entity
WHERE force LIKE 'fv_embodied_agent.%' ORDER BY entity_key
"""
_NEAREST_IRON_PATCH_SQL = """
SELECT patch_id, resource_name, tile_count, total_amount,
       round(ST_Distance(centroid, ST_Point($ax, $ay)), 1) AS distance
FROM resource_patch WHERE resource_name = 'iron-ore' ORDER BY distance LIMIT 1
"""


_NAME_TYPES_SQL = """
SELECT table_name, data_type FROM information_schema.columns
WHERE (table_name, column_name) IN (('resource_tile', 'name'), ('map_entity', 'entity_name')) ORDER BY table_name
"""


class DemoResult(dict):
    """What the demo built and measured (plates, entities, query rows), for tests and callers."""


def _say(message: str) -> None:
    typer.echo(message)


async def _wait_snapshot_complete(client: Any) -> Any:
    deadline = time.monotonic() + _SNAPSHOT_TIMEOUT_S
    while True:
        status = await client.snapshot_status()
        if status.phase == "complete":
            return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"fv_snapshot did not finish its bootstrap within {_SNAPSHOT_TIMEOUT_S:.0f} s: {status}")
        await asyncio.sleep(0.05)


async def run_demo(inst: Instance, *, say=_say) -> DemoResult:
    from factoryverse.db import SyncService, connect, load_snapshot, query
    from factoryverse.sdk import Direction, FactoryVerseClient
    from factoryverse.servers._map_db import GAME_NAMES_LUA, enum_names, parse_game_names

    snapshot_dir = inst.script_output / "fv_snapshot"
    if inst.db_path.exists():
        inst.db_path.unlink()
    con = connect(inst.db_path)
    sync: SyncService | None = None
    result = DemoResult()
    try:
        async with FactoryVerseClient(inst.rcon_host, inst.rcon_port, inst.rcon_password) as client:
            await _wait_snapshot_complete(client)
            # Name columns become ENUMs of the running game's own prototype names.
            names = parse_game_names(await client.rcon.lua(GAME_NAMES_LUA))
            report = load_snapshot(con, snapshot_dir, **enum_names(names))
            # Live deltas from here on; anything sent before the socket opened is read back from the update log.
            # (Created after the load: the service creates a plain schema if it finds none.)
            sync = SyncService(con, snapshot_dir, port=inst.snapshot_udp_port)
            await sync.start()
            await sync.catch_up()
            say(
                f"map snapshot: {report.chunks} chunks, {report.resource_tiles} resource tiles, {report.water_tiles} "
                f"water tiles, {report.resource_entities} trees and rocks, {report.patches} resource patches "
                f"loaded into {inst.db_path} in {report.seconds:.2f} s"
            )

            agent = await client.create_agent()
            me = (await agent.inspect()).position
            await client.add_items(agent, _STARTING_KIT)
            say(f"agent {agent.agent_id} at ({me.x:.1f}, {me.y:.1f}) with a starting kit {_STARTING_KIT}")

            coal = query(con, _NEAREST_COAL_SQL, {"ax": me.x, "ay": me.y})[0]
            walked = await agent.walk_to(coal["x"] + 0.5, coal["y"] + 0.5, radius=1)
            say(f"walked to coal at ({coal['x']}, {coal['y']}), arrived at ({walked.position.x:.1f}, {walked.position.y:.1f}) on tick {walked.tick}")
            mined_coal = await agent.mine_resource("coal", 8)
            say(f"mined {mined_coal.count} {mined_coal.item} by hand (tick {mined_coal.tick})")

            here = (await agent.inspect()).position
            drill_at = None
            for spot in query(con, _IRON_SPOTS_SQL, {"ax": here.x, "ay": here.y}):
                drill_pos = (float(spot["x"]), float(spot["y"]))
                furnace_pos = (drill_pos[0], drill_pos[1] - 2)
                ok_drill = await client.validate_placement("burner-mining-drill", drill_pos, Direction.NORTH)
                ok_furnace = await client.validate_placement("stone-furnace", furnace_pos)
                if ok_drill.valid and ok_furnace.valid:
                    drill_at, furnace_at = drill_pos, furnace_pos
                    break
            if drill_at is None:
                raise RuntimeError("no free 2x2 iron-ore spot with room for a furnace north of it near the agent")
            # Stand south of the drill's footprint, so the character never blocks the build.
            await agent.walk_to(drill_at[0] + 0.5, drill_at[1] + 3.5, radius=1)
            mined_ore = await agent.mine_resource("iron-ore", 2, (drill_at[0] - 0.5, drill_at[1] + 0.5))
            say(f"mined {mined_ore.count} iron-ore by hand next to the drill site ({drill_at[0]}, {drill_at[1]})")

            drill = await agent.place_entity("burner-mining-drill", drill_at, Direction.NORTH)
            furnace = await agent.place_entity("stone-furnace", furnace_at)
            await agent.put_inventory_item("coal", 4, "burner-mining-drill", drill.position)
            await agent.put_inventory_item("coal", 3, "stone-furnace", furnace.position)
            await agent.put_inventory_item("iron-ore", mined_ore.count, "stone-furnace", furnace.position)
            say(f"built burner-mining-drill #{drill.unit_number} feeding stone-furnace #{furnace.unit_number}; fuelled with coal")

            deadline = time.monotonic() + _PLATES_TIMEOUT_S
            plates = 0
            while plates < _PLATES_WANTED:
                state = await agent.inspect_entity("stone-furnace", furnace.position)
                plates = state.inventories.get("output", {}).get("iron-plate", 0)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"only {plates} iron plates after {_PLATES_TIMEOUT_S:.0f} s; furnace status {state.status}")
                await asyncio.sleep(0.05)
            tick = await client.tick()
            say(f"tick {tick}: the furnace holds {plates} iron-plate")

            await sync.catch_up()
            built = query(con, _BUILT_SQL)
            patch = query(con, _NEAREST_IRON_PATCH_SQL, {"ax": here.x, "ay": here.y})
            say("\nSELECT ... FROM map_entity  -- the entities the agent built")
            say(format_rows(built))
            say("\nSELECT ... FROM resource_patch  -- the nearest iron patch")
            say(format_rows(patch))
            types = query(con, _NAME_TYPES_SQL)
            say(f"\nsync: {sync.stats}")
            result.update(plates=plates, tick=tick, built=built, patch=patch, name_types=types, sync_stats=dict(sync.stats) if isinstance(sync.stats, dict) else sync.stats)
    finally:
        if sync is not None:
            await sync.stop()
        con.close()
    return result


def demo(
    seed: int = typer.Option(DEFAULT_SEED, help="Map seed (the same default as `fv server start`)."),
    keep: bool = typer.Option(False, help="Leave the server running afterwards (stop with `fv server stop --all`)."),
) -> None:
    """Run the main job on the embedded engine: agent, hand mining, drill -> furnace, 20 plates, SQL."""
    t0 = time.perf_counter()
    inst = start_instance(seed=seed, mode="fast")
    try:
        configure_instance(inst)
        _say(f"server {inst.id} ready on RCON {inst.rcon_host}:{inst.rcon_port} in {time.perf_counter() - t0:.2f} s")
        asyncio.run(run_demo(inst))
    except Exception as e:
        typer.echo(f"error: {type(e).__name__}: {e}", err=True)
        raise typer.Exit(1) from e
    finally:
        if not keep:
            stop_instance(inst)
    _say(f"demo finished in {time.perf_counter() - t0:.1f} s")
