from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from factoryverse.db import RecordError, SnapshotError, SyncGapError, create_schema, load_snapshot, query

from . import _records as R
from ._records import SnapshotWriter


def _basic_map(writer: SnapshotWriter) -> None:
    chest = R.entity(7, "wooden-chest", 1.5, 1.5)
    writer.write_init([
        *R.ore_rect(0, 0, 4, 3, amount=100), *R.ore_rect(40, 40, 2, 2, amount=50, name="coal"),
        R.water_tile(-5, -5), R.water_tile(-4, -5), R.resource_entity("tree-01", 3.5, 10.5), chest,
    ])
    writer.write_status(0, tick=60, chunks=3)


def test_load_fills_every_table(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _basic_map(writer)
    report = load_snapshot(con, writer.root)
    assert (report.resource_tiles, report.water_tiles, report.resource_entities, report.entities) == (16, 2, 1, 1)
    assert report.chunks == 3 and report.files == 12 and report.patches == 2
    assert (report.status_seq, report.last_seq, report.deltas_applied) == (0, 0, 0)
    tile = query(con, "SELECT amount, geom FROM resource_tile WHERE x = 2 AND y = 1")[0]
    assert tile == {"amount": 100, "geom": "POLYGON ((2 1, 2 2, 3 2, 3 1, 2 1))"}
    chest = query(con, "SELECT entity_key, entity_name, entity_type, position, bbox, direction, built_tick "
                       "FROM map_entity")[0]
    assert chest == {"entity_key": 7, "entity_name": "wooden-chest", "entity_type": "container",
                     "position": {"x": 1.5, "y": 1.5}, "bbox": "POLYGON ((1 1, 1 2, 2 2, 2 1, 1 1))",
                     "direction": "north", "built_tick": None}
    chunk = query(con, "SELECT cx, cy, charted_tick, ST_Area(area) AS area FROM chunk WHERE cx = -1")[0]
    assert chunk == {"cx": -1, "cy": -1, "charted_tick": 0, "area": 1024.0}


def test_reloading_is_idempotent(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _basic_map(writer)
    first = load_snapshot(con, writer.root)
    second = load_snapshot(con, writer.root)
    timing = {"seconds": 0, "phases": {}}
    assert {**first.__dict__, **timing} == {**second.__dict__, **timing}
    assert set(first.phases) == {"validate", "insert", "index", "deltas", "patches", "commit"}
    assert con.execute("SELECT count(*) FROM resource_tile").fetchone()[0] == 16


def test_two_iron_patches_are_clustered_with_their_totals(writer: SnapshotWriter,
                                                          con: duckdb.DuckDBPyConnection) -> None:
    writer.write_init([*R.ore_rect(0, 0, 3, 3, amount=100), *R.ore_rect(100, 10, 2, 5, amount=7)])
    writer.write_status(0)
    load_snapshot(con, writer.root)
    patches = query(con, "SELECT patch_id, resource_name, tile_count, total_amount, centroid, ST_Area(geom) AS area,"
                         " min_x, min_y, max_x, max_y FROM resource_patch ORDER BY patch_id")
    assert patches == [
        {"patch_id": 1, "resource_name": "iron-ore", "tile_count": 9, "total_amount": 900,
         "centroid": "POINT (1.5 1.5)", "area": 9.0, "min_x": 0, "min_y": 0, "max_x": 3, "max_y": 3},
        {"patch_id": 2, "resource_name": "iron-ore", "tile_count": 10, "total_amount": 70,
         "centroid": "POINT (101 12.5)", "area": 10.0, "min_x": 100, "min_y": 10, "max_x": 102, "max_y": 15},
    ]


def test_nearest_iron_patch_by_distance(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    writer.write_init([
        *R.ore_rect(200, 0, 3, 3), *R.ore_rect(-50, -40, 3, 3), *R.ore_rect(5, 5, 2, 2, name="copper-ore"),
    ])
    writer.write_status(0)
    load_snapshot(con, writer.root)
    rows = query(con, """
        SELECT patch_id, min_x, min_y, ST_Distance(centroid, ST_Point(0, 0)) AS distance
        FROM resource_patch WHERE resource_name = 'iron-ore' ORDER BY distance LIMIT 1""")
    assert rows[0]["min_x"] == -50 and rows[0]["min_y"] == -40
    assert rows[0]["distance"] == pytest.approx((48.5 ** 2 + 38.5 ** 2) ** 0.5)


def test_deltas_after_the_status_seq_are_applied(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    old = R.entity(7, "wooden-chest", 1.5, 1.5)
    writer.write_init([old, *R.ore_rect(0, 0, 2, 1)])
    writer.write_status(2, tick=100)
    new = R.entity(9, "iron-chest", 4.5, 4.5)
    # seq 1 and 2 are already in the init files: replaying seq 2 would wrongly remove the chest.
    writer.append_update(R.entity_built(1, old, tick=50))
    writer.append_update(R.entity_removed(2, R.entity(3, "stone-furnace", 9.0, 9.0), tick=60))
    writer.append_update(R.entity_built(3, new, tick=120))
    writer.append_update(R.resource_depleted(4, 0, 0, tick=130))
    report = load_snapshot(con, writer.root)
    assert (report.status_seq, report.last_seq, report.deltas_applied) == (2, 4, 2)
    assert query(con, "SELECT entity_key, built_tick FROM map_entity ORDER BY 1") == [
        {"entity_key": 7, "built_tick": None}, {"entity_key": 9, "built_tick": 120}]
    assert query(con, "SELECT tile_count FROM resource_patch") == [{"tile_count": 1}]
    state = dict(con.execute("SELECT key, value FROM sync_state").fetchall())
    assert state["last_seq"] == "4" and state["snapshot_seq"] == "2" and state["last_tick"] == "130"


def test_a_hole_in_the_update_log_is_refused(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    writer.write_init(R.ore_rect(0, 0, 1, 1))
    writer.write_status(0)
    writer.append_update(R.resource_depleted(1, 0, 0))
    writer.append_update(R.chunk_charted(3, 0, 0))
    with pytest.raises(SyncGapError) as info:
        load_snapshot(con, writer.root)
    assert (info.value.expected, info.value.got) == (2, 3)


def test_a_snapshot_still_being_written_is_refused(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    writer.write_init(R.ore_rect(0, 0, 1, 1))
    with pytest.raises(SnapshotError, match="no snapshot status yet"):
        load_snapshot(con, writer.root)
    writer.write_status(0, phase="bootstrap", chunks=1)
    with pytest.raises(SnapshotError, match="still being written"):
        load_snapshot(con, writer.root)


def test_a_missing_directory_is_a_snapshot_error(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(SnapshotError, match="does not exist"):
        load_snapshot(con, tmp_path / "nowhere")


def test_an_invalid_record_names_file_line_and_field_and_keeps_the_old_state(
        writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _basic_map(writer)
    load_snapshot(con, writer.root)
    bad = writer.chunk_dir(0, 0) / "resources-init.jsonl"
    lines = bad.read_text().splitlines()
    lines[2] = lines[2].replace('"amount": 100', '"amount": "lots"')
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordError) as info:
        load_snapshot(con, writer.root)
    assert info.value.field == "amount"
    assert info.value.source == f"{bad}:3"
    assert con.execute("SELECT count(*) FROM resource_tile").fetchone()[0] == 16


def test_broken_json_is_a_record_error(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    writer.write_init(R.ore_rect(0, 0, 1, 1))
    writer.write_status(0)
    with (writer.chunk_dir(0, 0) / "resources-init.jsonl").open("a") as f:
        f.write('{"type": "resource_tile", \n')
    with pytest.raises(RecordError, match="not valid JSON"):
        load_snapshot(con, writer.root)


def test_an_entity_listed_by_two_chunks_is_stored_once(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    # A 3x3 entity on a chunk border is found by both chunks' area searches.
    big = R.entity(11, "assembling-machine-1", 32.5, 10.5, entity_type="assembling-machine", half=1.5)
    writer.write_init([big])
    (writer.chunk_dir(0, 0)).mkdir(parents=True, exist_ok=True)
    (writer.chunk_dir(0, 0) / "entities-init.jsonl").write_text(
        (writer.chunk_dir(1, 0) / "entities-init.jsonl").read_text())
    writer.write_status(0)
    report = load_snapshot(con, writer.root)
    assert report.entities == 1


def test_names_outside_the_enum_are_refused(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    create_schema(con, resource_names=["iron-ore", "coal"], entity_names=["wooden-chest"])
    writer.write_init([*R.ore_rect(0, 0, 1, 1, name="unobtainium"), R.entity(1, "wooden-chest", 0.5, 0.5)])
    writer.write_status(0)
    with pytest.raises(RecordError, match="'unobtainium' is not in the database's resource ENUM"):
        load_snapshot(con, writer.root)


def test_enum_typed_database_loads_and_clusters(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _basic_map(writer)
    report = load_snapshot(con, writer.root, resource_names=["coal", "iron-ore", "stone"],
                           entity_names=["wooden-chest", "tree-01"])
    assert report.patches == 2
    assert query(con, "SELECT resource_name::VARCHAR AS r FROM resource_patch ORDER BY patch_id") == [
        {"r": "coal"}, {"r": "iron-ore"}]
