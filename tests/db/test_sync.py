"""apply_delta and sync_from_disk: the one-shot paths of keeping the database in step."""

from __future__ import annotations

import duckdb
import pytest

from factoryverse.db import (RecordError, SnapshotError, SyncGapError, apply_delta, last_applied_seq, load_snapshot,
                             query, sync_from_disk)

from . import _records as R
from ._records import SnapshotWriter


@pytest.fixture
def loaded(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    writer.write_init([*R.ore_rect(0, 0, 3, 3, amount=10), R.resource_entity("rock-big", 20.0, 20.0,
                       entity_type="simple-entity", half=1.0)])
    writer.write_status(0, chunks=1)
    load_snapshot(con, writer.root)
    return con


def test_built_then_removed(loaded: duckdb.DuckDBPyConnection) -> None:
    drill = R.entity(5, "burner-mining-drill", 1.0, 1.0, entity_type="mining-drill", half=1.0, direction=4)
    assert apply_delta(loaded, R.entity_built(1, drill, tick=300)) is True
    assert query(loaded, "SELECT entity_name, direction, built_tick, bbox FROM map_entity") == [
        {"entity_name": "burner-mining-drill", "direction": "east", "built_tick": 300,
         "bbox": "POLYGON ((0 0, 0 2, 2 2, 2 0, 0 0))"}]
    hits = query(loaded, "SELECT count(*) AS n FROM map_entity WHERE ST_Intersects(bbox, ST_Point(1.5, 1.5))")
    assert hits == [{"n": 1}]
    assert apply_delta(loaded, R.entity_removed(2, drill, tick=400)) is True
    assert query(loaded, "SELECT count(*) AS n FROM map_entity") == [{"n": 0}]
    assert last_applied_seq(loaded) == 2


def test_the_same_seq_twice_is_a_no_op(loaded: duckdb.DuckDBPyConnection) -> None:
    chest = R.entity(5, "wooden-chest", 0.5, 0.5)
    assert apply_delta(loaded, R.entity_built(1, chest)) is True
    assert apply_delta(loaded, R.entity_removed(1, chest)) is False  # same seq, different body: still ignored
    assert query(loaded, "SELECT count(*) AS n FROM map_entity") == [{"n": 1}]


def test_a_seq_gap_is_refused(loaded: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(SyncGapError) as info:
        apply_delta(loaded, R.resource_depleted(3, 0, 0))
    assert (info.value.expected, info.value.got) == (1, 3)
    assert query(loaded, "SELECT count(*) AS n FROM resource_tile") == [{"n": 9}]


def test_an_invalid_delta_names_its_field(loaded: duckdb.DuckDBPyConnection) -> None:
    rec = R.resource_depleted(1, 0, 0)
    rec["seq"] = 0
    with pytest.raises(RecordError) as info:
        apply_delta(loaded, rec)
    assert info.value.field == "seq"


def test_depletion_updates_the_patch(loaded: duckdb.DuckDBPyConnection) -> None:
    apply_delta(loaded, R.resource_depleted(1, 1, 1))
    assert query(loaded, "SELECT tile_count, total_amount, ST_Area(geom) AS area FROM resource_patch") == [
        {"tile_count": 8, "total_amount": 80, "area": 8.0}]


def test_removing_a_rock_removes_the_resource_entity(loaded: duckdb.DuckDBPyConnection) -> None:
    rock = R.resource_entity("rock-big", 20.0, 20.0, entity_type="simple-entity")
    apply_delta(loaded, R.entity_removed(1, {**rock, "unit_number": 0}))
    assert query(loaded, "SELECT count(*) AS n FROM resource_entity") == [{"n": 0}]


def test_chunk_charted_loads_the_new_chunk(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    # The new chunk's ore is far from the old field: a second patch.
    writer.write_init([*R.ore_rect(32, 0, 2, 2, amount=1), R.water_tile(40, 5), R.entity(9, "wooden-chest", 35.5, 3.5)],
                      tick=500)
    assert apply_delta(loaded, R.chunk_charted(1, 1, 0, tick=500)) is True
    assert query(loaded, "SELECT cx, cy, charted_tick FROM chunk ORDER BY cx") == [
        {"cx": 0, "cy": 0, "charted_tick": 0}, {"cx": 1, "cy": 0, "charted_tick": 500}]
    assert query(loaded, "SELECT count(*) AS n FROM water_tile") == [{"n": 1}]
    assert query(loaded, "SELECT count(*) AS n FROM map_entity") == [{"n": 1}]
    assert query(loaded, "SELECT resource_name, tile_count FROM resource_patch ORDER BY patch_id") == [
        {"resource_name": "iron-ore", "tile_count": 9}, {"resource_name": "iron-ore", "tile_count": 4}]
    # Charting the same chunk again (a new snapshot pass) replaces, never duplicates.
    assert apply_delta(loaded, R.chunk_charted(2, 1, 0, tick=600)) is True
    assert query(loaded, "SELECT count(*) AS n FROM resource_tile WHERE x >= 32") == [{"n": 4}]


def test_ore_across_a_chunk_border_becomes_one_patch(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    writer.write_init(R.ore_rect(28, 0, 4, 2, amount=3))  # x 28..31: chunk 0
    writer.write_status(0)
    load_snapshot(con, writer.root)
    writer.write_init(R.ore_rect(32, 1, 3, 2, amount=3))  # x 32..34: chunk 1, touching at x 31 | 32
    apply_delta(con, R.chunk_charted(1, 1, 0))
    assert query(con, "SELECT tile_count, total_amount, min_x, max_x FROM resource_patch") == [
        {"tile_count": 14, "total_amount": 42, "min_x": 28, "max_x": 35}]


def test_a_bad_record_in_a_charted_chunk_leaves_the_database_unchanged(
        writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    writer.write_init(R.ore_rect(32, 0, 2, 2))
    (writer.chunk_dir(1, 0) / "water-init.jsonl").write_text('{"type": "water_tile", "schema_version": 1}\n')
    with pytest.raises(RecordError, match="water-init.jsonl:1"):
        apply_delta(loaded, R.chunk_charted(1, 1, 0))
    assert last_applied_seq(loaded) == 0
    assert query(loaded, "SELECT count(*) AS n FROM resource_tile") == [{"n": 9}]


def test_sync_from_disk_applies_the_logs_once(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    chest = R.entity(5, "wooden-chest", 0.5, 0.5)
    writer.append_update(R.entity_built(1, chest))
    writer.append_update(R.resource_depleted(2, 0, 0))
    assert sync_from_disk(loaded, writer.root) == 2
    assert sync_from_disk(loaded, writer.root) == 0
    writer.append_update(R.entity_removed(3, chest))
    assert sync_from_disk(loaded, writer.root) == 1
    assert last_applied_seq(loaded) == 3
    assert query(loaded, "SELECT count(*) AS n FROM map_entity") == [{"n": 0}]


def test_sync_from_disk_refuses_a_hole(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    writer.append_update(R.resource_depleted(2, 0, 0))
    with pytest.raises(SyncGapError):
        sync_from_disk(loaded, writer.root)


def test_sync_from_disk_needs_a_loaded_snapshot(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    writer.append_update(R.resource_depleted(1, 0, 0))
    with pytest.raises(SnapshotError, match="load_snapshot"):
        sync_from_disk(con, writer.root)


def test_a_partial_last_line_waits_for_its_newline(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    writer.append_update(R.resource_depleted(1, 0, 0))
    with (writer.root / "nauvis" / "updates.jsonl").open("a") as f:
        f.write('{"type": "resource_depleted", "schema_ver')  # the mod is mid-append
    assert sync_from_disk(loaded, writer.root) == 1


def test_the_update_log_reader_reads_new_bytes_and_survives_a_rewrite(writer: SnapshotWriter) -> None:
    from factoryverse.db._update_log import UpdateLog

    log = UpdateLog(writer.root)
    writer.append_update(R.resource_depleted(1, 0, 0))
    writer.append_update(R.resource_depleted(3, 0, 0), surface="other")  # seq is global across surfaces
    assert [r["seq"] for r in log.records_after(0)] == [1, 3]
    writer.append_update(R.resource_depleted(2, 0, 0))
    assert [r["seq"] for r in log.records_after(0)] == [1, 2, 3]
    assert [r["seq"] for r in log.records_after(2)] == [3]
    assert [r["seq"] for r in log.records_after(0)] == [1, 2, 3]  # older seqs: read again from the start
    (writer.root / "nauvis" / "updates.jsonl").write_text("")  # a new snapshot rewrote the log
    assert [r["seq"] for r in log.records_after(0)] == [3]


def test_deltas_with_names_outside_the_enums_are_record_errors(writer: SnapshotWriter,
                                                               con: duckdb.DuckDBPyConnection) -> None:
    writer.write_init(R.ore_rect(0, 0, 1, 1))
    writer.write_status(0)
    load_snapshot(con, writer.root, resource_names=["iron-ore"], entity_names=["wooden-chest"])
    with pytest.raises(RecordError, match="'mystery-box' is not in the database's placeable_entity ENUM") as info:
        apply_delta(con, R.entity_built(1, R.entity(3, "mystery-box", 0.5, 0.5)))
    assert info.value.field == "entity.name"
    writer.write_init(R.ore_rect(32, 0, 1, 1, name="uranium-ore"))
    with pytest.raises(RecordError, match="'uranium-ore' is not in the database's resource ENUM"):
        apply_delta(con, R.chunk_charted(1, 1, 0))
    assert last_applied_seq(con) == 0
