"""The seed's entity tables: every component of an entity record lands in its table, and deltas keep them exact."""

from __future__ import annotations

import json

import duckdb
import pytest

from factoryverse.db import load_snapshot, query, sync_from_disk

from . import _records as R
from ._records import SnapshotWriter
from ._seed_sql import (BEST_IRON, COASTS, DRILLS, GHOSTS, IRON_PATCHES, NEAREST_IRON, UNCOVERED,
                       UNPOWERED_DRILLS)

_TICK = 60


def _factory() -> list[dict]:
    return [
        R.entity(1, "wooden-chest", 0.5, 0.5, half=0.35, inventories={"chest": {"iron-plate": 40}}),
        R.entity(2, "burner-inserter", 1.5, 0.5, entity_type="inserter", half=0.15, direction=4, status="working",
                 fuel={"burning": "coal", "remaining": 1000.0}, inventories={"fuel": {"coal": 2}},
                 inserter={"pickup_position": [0.5, 0.5], "drop_position": [2.5, 0.5], "pickup_target": 1,
                           "drop_target": 3, "filters": ["iron-plate"], "filter_mode": "whitelist"}),
        R.entity(3, "stone-furnace", 3.0, 1.0, entity_type="furnace", half=0.9, status="working", recipe="iron-plate",
                 crafting_progress=0.5, inventories={"crafter_input": {"iron-ore": 5}}),
        R.entity(4, "transport-belt", 5.5, 0.5, entity_type="transport-belt", half=0.4, direction=8,
                 belt={"outputs": [5]}),
        R.entity(5, "transport-belt", 5.5, 1.5, entity_type="transport-belt", half=0.4, direction=8,
                 belt={"inputs": [4]}),
        R.entity(6, "small-electric-pole", 7.5, 0.5, entity_type="electric-pole", half=0.15, electric_network_id=11,
                 pole={"supply_area": [5.0, -2.0, 10.0, 3.0], "wires": [9]}),
        R.entity(7, "burner-mining-drill", 1.0, 5.0, entity_type="mining-drill", half=0.99,
                 drill={"mining_area": [0, 4, 2, 6], "mining_target": "iron-ore", "drop_position": [1.3, 3.3],
                        "drop_target": 1}),
        R.entity(8, "assembling-machine-1", 10.5, 10.5, entity_type="assembling-machine", half=1.4,
                 crafting_progress=0, electric_network_id=11, status="no_recipe"),
        R.entity(9, "pipe", 12.5, 0.5, entity_type="pipe", half=0.3,
                 fluids=[{"index": 1, "name": "water", "amount": 50.0, "temperature": 15.0}]),
        R.entity(10, "entity-ghost", 20.5, 20.5, entity_type="entity-ghost", half=1.5,
                 ghost_name="assembling-machine-1", ghost_type="assembling-machine"),
    ]


@pytest.fixture
def factory(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    water = [R.water_tile(x, y) for y in range(30, 36) for x in range(30, 36)]
    writer.write_init([*_factory(), *R.ore_rect(0, 4, 3, 3), *R.ore_rect(100, 100, 2, 2),
                       *R.ore_rect(50, 50, 2, 2, name="copper-ore"), *water])
    writer.write_research([R.research("player", current="electronics", progress=0.25,
                                      queue=["electronics", "steel-processing"], researched=["automation", "logistics"])])
    writer.write_status(0, tick=_TICK)
    load_snapshot(con, writer.root)
    return con


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    return query(con, sql)


def test_map_entity_holds_every_placed_entity_but_ghosts(factory: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(factory, "SELECT entity_key, entity_name, position, bbox, direction, electric_network_id "
                          "FROM map_entity WHERE entity_key IN (3, 7, 10) ORDER BY 1")
    assert rows == [
        # the tile-aligned envelope of the collision box: 2.1..3.9 -> 2..4
        {"entity_key": 3, "entity_name": "stone-furnace", "position": {"x": 3.0, "y": 1.0},
         "bbox": "POLYGON ((2 0, 2 2, 4 2, 4 0, 2 0))", "direction": "north", "electric_network_id": None},
        {"entity_key": 7, "entity_name": "burner-mining-drill", "position": {"x": 1.0, "y": 5.0},
         "bbox": "POLYGON ((0 4, 0 6, 2 6, 2 4, 0 4))", "direction": "north", "electric_network_id": None},
    ]
    assert _rows(factory, "SELECT count(*) AS n FROM map_entity") == [{"n": 9}]


def test_each_component_has_its_row(factory: duckdb.DuckDBPyConnection) -> None:
    assert _rows(factory, "SELECT * FROM inserter") == [{
        "entity_key": 2, "pickup_position": {"x": 0.5, "y": 0.5}, "drop_position": {"x": 2.5, "y": 0.5},
        "pickup_target": 1, "drop_target": 3, "filters": ["iron-plate"], "filter_mode": "whitelist"}]
    assert _rows(factory, "SELECT * FROM transport_belt ORDER BY 1") == [
        {"entity_key": 4, "direction": "south", "input_keys": None, "output_keys": [5]},
        {"entity_key": 5, "direction": "south", "input_keys": [4], "output_keys": None}]
    assert _rows(factory, "SELECT * FROM electric_pole") == [
        {"entity_key": 6, "supply_area": "POLYGON ((5 -2, 5 3, 10 3, 10 -2, 5 -2))", "connections": [9]}]
    assert _rows(factory, "SELECT * FROM mining_drill") == [
        {"entity_key": 7, "mining_area": "POLYGON ((0 4, 0 6, 2 6, 2 4, 0 4))", "mining_target": "iron-ore",
         "output_position": {"x": 1.3, "y": 3.3}, "output_target": 1}]
    assert _rows(factory, "SELECT * FROM assemblers") == [
        {"entity_key": 8, "recipe": None, "crafting_progress": 0.0}]
    assert _rows(factory, "SELECT * FROM furnace") == [
        {"entity_key": 3, "recipe": "iron-plate", "crafting_progress": 0.5}]
    assert _rows(factory, "SELECT entity_key, contents['iron-plate'] AS plates FROM container") == [
        {"entity_key": 1, "plates": 40}]
    assert _rows(factory, "SELECT * FROM entity_inventory ORDER BY 1") == [
        {"entity_key": 1, "inventory": "chest", "item": "iron-plate", "count": 40},
        {"entity_key": 2, "inventory": "fuel", "item": "coal", "count": 2},
        {"entity_key": 3, "inventory": "crafter_input", "item": "iron-ore", "count": 5}]
    assert _rows(factory, "SELECT * FROM burner") == [
        {"entity_key": 2, "burning": "coal", "remaining_energy": 1000.0}]
    assert _rows(factory, "SELECT * FROM fluid_box") == [
        {"entity_key": 9, "index": 1, "fluid": "water", "amount": 50.0, "temperature": 15.0}]
    assert _rows(factory, "SELECT * FROM entity_status ORDER BY 1") == [
        {"entity_key": 2, "status": "working", "tick": _TICK}, {"entity_key": 3, "status": "working", "tick": _TICK},
        {"entity_key": 8, "status": "no_recipe", "tick": _TICK}]


def test_a_ghost_is_in_ghost_only(factory: duckdb.DuckDBPyConnection) -> None:
    assert _rows(factory, "SELECT * FROM ghost") == [{
        "entity_key": 10, "ghost_name": "assembling-machine-1", "ghost_type": "assembling-machine", "surface": "nauvis",
        "position": {"x": 20.5, "y": 20.5}, "bbox": "POLYGON ((19 19, 19 22, 22 22, 22 19, 19 19))",
        "direction": "north", "force": "player", "recipe": None}]
    assert _rows(factory, "SELECT count(*) AS n FROM map_entity WHERE entity_key = 10") == [{"n": 0}]


def test_research_and_technology_come_from_research_jsonl_and_deltas(writer: SnapshotWriter,
                                                                     factory: duckdb.DuckDBPyConnection) -> None:
    assert _rows(factory, "SELECT * FROM research") == [{
        "force": "player", "current": "electronics", "progress": 0.25, "queue": ["electronics", "steel-processing"],
        "tick": 0}]
    assert _rows(factory, "SELECT name, researched FROM technology ORDER BY name") == [
        {"name": "automation", "researched": True}, {"name": "electronics", "researched": False},
        {"name": "logistics", "researched": True}, {"name": "steel-processing", "researched": False}]
    done = R.research("player", tick=900, researched=["automation", "electronics", "logistics"])
    writer.append_update(R.research_changed(1, done, tick=900))
    assert sync_from_disk(factory, writer.root) == 1
    assert _rows(factory, "SELECT current, progress, queue, tick FROM research") == [
        {"current": None, "progress": 0.0, "queue": None, "tick": 900}]
    assert _rows(factory, "SELECT name FROM technology WHERE researched ORDER BY name") == [
        {"name": "automation"}, {"name": "electronics"}, {"name": "logistics"}]
    assert _rows(factory, "SELECT count(*) AS n FROM technology WHERE NOT researched") == [{"n": 0}]


def test_a_changed_entity_loses_the_components_it_no_longer_has(writer: SnapshotWriter,
                                                                factory: duckdb.DuckDBPyConnection) -> None:
    idle = R.entity(2, "burner-inserter", 1.5, 0.5, entity_type="inserter", half=0.15, direction=4,
                    inserter={"pickup_position": [0.5, 0.5], "drop_position": [2.5, 0.5]})
    writer.append_update(R.entity_changed(1, idle, tick=700))
    sync_from_disk(factory, writer.root)
    assert _rows(factory, "SELECT pickup_target, drop_target, filters FROM inserter") == [
        {"pickup_target": None, "drop_target": None, "filters": None}]
    for table in ("entity_status", "burner", "entity_inventory"):
        assert _rows(factory, f"SELECT count(*) AS n FROM {table} WHERE entity_key = 2") == [{"n": 0}], table
    assert _rows(factory, "SELECT direction, built_tick FROM map_entity WHERE entity_key = 2") == [
        {"direction": "east", "built_tick": None}]


def test_a_removed_entity_leaves_no_row_anywhere(writer: SnapshotWriter, factory: duckdb.DuckDBPyConnection) -> None:
    furnace = R.entity(3, "stone-furnace", 3.0, 1.0, entity_type="furnace", half=0.9)
    writer.append_update(R.entity_removed(1, furnace, tick=700))
    sync_from_disk(factory, writer.root)
    for table in ("map_entity", "furnace", "entity_status", "entity_inventory"):
        assert _rows(factory, f"SELECT count(*) AS n FROM {table} WHERE entity_key = 3") == [{"n": 0}], table


def test_one_batch_folds_built_changed_and_removed_per_key(writer: SnapshotWriter,
                                                           factory: duckdb.DuckDBPyConnection) -> None:
    chest = R.entity(20, "iron-chest", 40.5, 40.5, half=0.35, inventories={"chest": {}})
    fuller = R.entity(20, "iron-chest", 40.5, 40.5, half=0.35, inventories={"chest": {"coal": 7}})
    brief = R.entity(21, "wooden-chest", 42.5, 40.5, half=0.35)
    for rec in (R.entity_built(1, chest, tick=500), R.entity_built(2, brief, tick=510),
                R.entity_changed(3, fuller, tick=600), R.entity_removed(4, brief, tick=650)):
        writer.append_update(rec)
    assert sync_from_disk(factory, writer.root) == 4  # one transaction
    assert _rows(factory, "SELECT entity_key, built_tick FROM map_entity WHERE entity_key >= 20") == [
        {"entity_key": 20, "built_tick": 500}]  # the change keeps the tick it was built at
    assert _rows(factory, "SELECT entity_key, item, count FROM entity_inventory WHERE entity_key >= 20") == [
        {"entity_key": 20, "item": "coal", "count": 7}]


def test_the_seeds_queries_run_unchanged(factory: duckdb.DuckDBPyConnection) -> None:
    nearest = _rows(factory, NEAREST_IRON)
    assert [r["total_amount"] for r in nearest] == [900, 400]
    unpowered = _rows(factory, UNPOWERED_DRILLS)
    assert unpowered == [{"entity_key": 7, "position": {"x": 1.0, "y": 5.0}}]
    water = _rows(factory, COASTS)
    assert [(r["coast_length"], r["total_area"]) for r in water] == [(24, 36.0)]
    best = _rows(factory, BEST_IRON)
    assert [r["total_amount"] for r in best] == [900, 400]
    uncovered = _rows(factory, UNCOVERED)
    assert sorted((r["resource_name"], r["uncovered_patches"]) for r in uncovered) == [
        ("copper-ore", 1), ("iron-ore", 1)]
    drills = _rows(factory, DRILLS)
    assert [d["entity_key"] for d in drills] == [7]
    ghosts = _rows(factory, GHOSTS)
    assert [g["entity_key"] for g in ghosts] == [10]
    iron = _rows(factory, IRON_PATCHES)
    assert len(iron) == 2


def test_names_outside_the_games_enums_are_named(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    from factoryverse.db import RecordError, apply_delta

    writer.write_init(R.ore_rect(0, 0, 1, 1))
    writer.write_status(0)
    load_snapshot(con, writer.root, resource_names=["iron-ore"], entity_names=["stone-furnace"],
                  recipe_names=["iron-plate"], status_names=["working"])
    odd = R.entity(3, "stone-furnace", 3.0, 1.0, entity_type="furnace", half=0.9, status="dancing")
    with pytest.raises(RecordError, match="'dancing' is not in the database's status ENUM") as info:
        apply_delta(con, R.entity_built(1, odd))
    assert info.value.field == "entity.status"
    ok = R.entity(3, "stone-furnace", 3.0, 1.0, entity_type="furnace", half=0.9, status="working", recipe="iron-plate")
    assert apply_delta(con, R.entity_built(1, ok))
    assert _rows(con, "SELECT recipe FROM furnace") == [{"recipe": "iron-plate"}]


def test_an_old_layout_is_rebuilt_by_refresh(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    from factoryverse.db import DB_SCHEMA_VERSION, SchemaVersionError, refresh

    writer.write_init([R.entity(1, "wooden-chest", 0.5, 0.5)])
    writer.write_status(0)
    # What a database of the first layout looked like: its own tables, version 1.
    con.execute("CREATE TABLE schema_version (component VARCHAR PRIMARY KEY, version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES ('db', 1)")
    con.execute("CREATE TABLE sync_state (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO sync_state VALUES ('run_id', 'run-a'), ('snapshot_seq', '0'), ('last_seq', '0')")
    con.execute("CREATE TABLE map_entity (unit_number BIGINT PRIMARY KEY, name VARCHAR)")
    with pytest.raises(SchemaVersionError, match="layout version 1"):
        sync_from_disk(con, writer.root)
    report = refresh(con, writer.root)
    assert report.rebuilt and "layout version 1" in report.notice
    assert _rows(con, "SELECT entity_key, entity_name FROM map_entity") == [{"entity_key": 1, "entity_name": "wooden-chest"}]
    assert con.execute("SELECT version FROM schema_version WHERE component = 'db'").fetchone()[0] == DB_SCHEMA_VERSION


def test_a_newer_schema_version_names_the_file_and_line(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    from factoryverse.db import RecordError

    writer.write_init(R.ore_rect(0, 0, 2, 1))
    writer.write_status(0)
    load_snapshot(con, writer.root)
    path = writer.chunk_dir(0, 0) / "resources-init.jsonl"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(f'"schema_version": {R.SCHEMA_VERSION}', f'"schema_version": {R.SCHEMA_VERSION + 1}')
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordError) as info:
        load_snapshot(con, writer.root)
    assert info.value.field == "schema_version" and info.value.source == f"{path}:2"
    assert _rows(con, "SELECT count(*) AS n FROM resource_tile") == [{"n": 2}]  # the loaded map is untouched


def test_a_foreign_record_in_research_jsonl_is_refused(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    from factoryverse.db import RecordError

    writer.write_init(R.ore_rect(0, 0, 1, 1))
    writer.write_research([R.research("player"), R.chunk(0, 0)])
    writer.write_status(0)
    with pytest.raises(RecordError, match="only research belongs there"):
        load_snapshot(con, writer.root)


def test_a_large_batch_is_staged_like_a_small_one(writer: SnapshotWriter, factory: duckdb.DuckDBPyConnection) -> None:
    """Over _FILE_STAGING records go through read_json instead of json_transform: the rows must be the same."""
    from factoryverse.db._components import _FILE_STAGING

    def inserter(unit: int) -> dict:
        return R.entity(unit, "burner-inserter", unit + 0.5, 60.5, entity_type="inserter", half=0.15, direction=12,
                        status="working", fuel={"burning": "coal", "remaining": 10.0}, inventories={"fuel": {"coal": 1}},
                        inserter={"pickup_position": [unit + 0.5, 59.5], "drop_position": [unit + 0.5, 61.5],
                                  "filters": ["coal"], "filter_mode": "blacklist"})

    count = _FILE_STAGING + 10
    for seq, unit in enumerate(range(100, 100 + count), 1):
        writer.append_update(R.entity_built(seq, inserter(unit), tick=seq))
    writer.append_update(R.entity_built(count + 1, inserter(99), tick=count + 1))  # alone: the small path
    sync_from_disk(factory, writer.root)
    sql = ("SELECT m.direction, i.filters, i.filter_mode, b.burning, i.drop_position.y - 61 AS drop_y, s.status, "
           "s.tick - m.built_tick AS status_age, i.pickup_position.x - m.position.x AS reach "
           "FROM map_entity m JOIN inserter i USING (entity_key) JOIN burner b USING (entity_key) "
           "JOIN entity_status s USING (entity_key) WHERE m.entity_key >= 99")
    rows = _rows(factory, sql)
    assert len(rows) == count + 1
    expected = {"direction": "west", "filters": ["coal"], "filter_mode": "blacklist", "burning": "coal",
                "drop_y": 0.5, "status": "working", "status_age": 0, "reach": 0.0}
    assert [r for r in rows if r != expected] == []


def test_power_networks_come_from_power_jsonl_and_power_changed(writer: SnapshotWriter,
                                                               con: duckdb.DuckDBPyConnection) -> None:
    def network(poles: int, tick: int) -> dict:
        return R._base("electric_network", R.RUN_ID, tick=tick, surface=R.SURFACE, network_id=4, poles=poles,
                       production={"steam-engine": 1000.0}, consumption={"small-lamp": 500.0})

    writer.write_init(R.ore_rect(0, 0, 1, 1))
    (writer.root / R.SURFACE / "power.jsonl").write_text(json.dumps(network(2, 10)) + "\n")
    writer.write_status(0, tick=10)
    report = load_snapshot(con, writer.root)
    assert report.power_networks == 1
    assert _rows(con, "SELECT network_id, surface, poles FROM power_network") == [
        {"network_id": 4, "surface": R.SURFACE, "poles": 2}]
    writer.append_update(R._base("power_changed", R.RUN_ID, seq=1, tick=70, surface=R.SURFACE,
                                 networks=[network(3, 70)]))
    assert sync_from_disk(con, writer.root) == 1
    assert _rows(con, "SELECT network_id, poles FROM power_network") == [{"network_id": 4, "poles": 3}]


def test_a_large_batch_staged_from_the_logs_own_lines_matches_the_records(writer: SnapshotWriter,
                                                                         factory: duckdb.DuckDBPyConnection) -> None:
    """The SyncService hands the log's JSON text to the staging: built and changed in one batch keep the build tick."""
    from factoryverse.db._apply import apply_run, last_applied_seq
    from factoryverse.db._components import _FILE_STAGING
    from factoryverse.db._update_log import read_contiguous

    def furnace(unit: int, status: str) -> dict:
        return R.entity(unit, "stone-furnace", unit + 0.5, 70.5, entity_type="furnace", half=0.9, status=status,
                        recipe="iron-plate", inventories={"crafter_input": {"iron-ore": unit % 7 + 1}})

    first = last_applied_seq(factory) + 1
    count = _FILE_STAGING + 10
    for seq, unit in enumerate(range(300, 300 + count), first):
        writer.append_update(R.entity_built(seq, furnace(unit, "working"), tick=seq))
    changed = first + count
    writer.append_update(R.entity_changed(changed, furnace(300, "no_fuel"), tick=changed))
    lines = {json.loads(raw)["seq"]: raw.encode() for raw in (writer.root / "nauvis" / "updates.jsonl").read_text().splitlines()}
    run = read_contiguous(writer.root, first - 1)
    assert len(run) == count + 1
    seen: list[int] = []

    def line_of(seq: int) -> bytes:
        seen.append(seq)
        return lines[seq]

    apply_run(factory, run, writer.root, line_of)
    assert seen == [r["seq"] for r in run]
    rows = _rows(factory, "SELECT m.entity_key, m.built_tick, s.status, s.tick, i.count FROM map_entity m "
                          "JOIN entity_status s USING (entity_key) JOIN entity_inventory i USING (entity_key) "
                          "WHERE m.entity_key >= 300 ORDER BY m.entity_key")
    assert len(rows) == count
    assert rows[0] == {"entity_key": 300, "built_tick": first, "status": "no_fuel", "tick": changed, "count": 300 % 7 + 1}
    assert rows[1:] == [{"entity_key": u, "built_tick": s, "status": "working", "tick": s, "count": u % 7 + 1}
                        for s, u in enumerate(range(301, 300 + count), first + 1)]


def test_an_emptied_chest_loses_its_item_rows_and_a_new_empty_one_gets_its_container_row(
        writer: SnapshotWriter, factory: duckdb.DuckDBPyConnection) -> None:
    # Empty inventories write no entity_inventory row (and skip its INSERT): the old rows must still go.
    emptied = R.entity(1, "wooden-chest", 0.5, 0.5, half=0.35, inventories={"chest": {}})
    fresh = R.entity(20, "iron-chest", 40.5, 40.5, half=0.35, inventories={"chest": {}})
    for rec in (R.entity_changed(1, emptied, tick=700), R.entity_built(2, fresh, tick=710)):
        writer.append_update(rec)
        assert sync_from_disk(factory, writer.root) == 1  # one delta per batch, as a lone build arrives
    assert _rows(factory, "SELECT count(*) AS n FROM entity_inventory WHERE entity_key IN (1, 20)") == [{"n": 0}]
    assert _rows(factory, "SELECT entity_key, contents FROM container WHERE entity_key IN (1, 20) ORDER BY 1") == [
        {"entity_key": 1, "contents": {}}, {"entity_key": 20, "contents": {}}]
