"""One game per map database: records name their run, and readers never mix two runs.

Regression tests for issue 6, item 1: a new game restarted seq at 1 in the old game's folder, so its
deltas were dropped as duplicates and the database showed the previous game's map.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from factoryverse.db import (DamagedLogError, RunChangedError, SnapshotError, apply_delta, load_snapshot,
                             quarantine_log, query, refresh, sync_from_disk)

from . import _records as R
from ._records import SnapshotWriter


def _units(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r["entity_key"] for r in query(con, "SELECT entity_key FROM map_entity ORDER BY 1")]


def _game(writer: SnapshotWriter, run_id: str, units: list[int]) -> None:
    """A finished snapshot of a new game in the folder, as fv_snapshot leaves it for run `run_id`."""
    if writer.root.exists():
        shutil.rmtree(writer.root)
    writer.root.mkdir(parents=True)
    writer.write_init([R.entity(u, "wooden-chest", u + 0.5, 0.5, run_id=run_id) for u in units], run_id=run_id)
    writer.write_status(0, chunks=1, run_id=run_id)


def test_a_new_game_is_read_from_its_own_files(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _game(writer, "run-a", [1, 2])
    load_snapshot(con, writer.root)
    writer.append_update(R.entity_built(1, R.entity(3, "wooden-chest", 3.5, 0.5)))
    assert refresh(con, writer.root).rebuilt is False and _units(con) == [1, 2, 3]

    # The same folder, a new game: its seq 1 is not the old game's seq 1.
    _game(writer, "run-b", [10])
    writer.append_update(R.entity_built(1, R.entity(11, "iron-chest", 11.5, 0.5, run_id="run-b"), run_id="run-b"))
    report = refresh(con, writer.root)
    assert report.rebuilt and (report.run_id, report.previous_run_id) == ("run-b", "run-a")
    assert "new game" in report.notice and "run-b" in report.notice
    assert _units(con) == [10, 11]


def test_sync_from_disk_refuses_another_runs_files(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _game(writer, "run-a", [1])
    load_snapshot(con, writer.root)
    _game(writer, "run-b", [2])
    with pytest.raises(RunChangedError) as info:
        sync_from_disk(con, writer.root)
    assert (info.value.old, info.value.new) == ("run-a", "run-b")
    assert _units(con) == [1]  # untouched


def test_a_new_game_still_bootstrapping_is_not_ready_and_the_old_map_is_kept(
        writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _game(writer, "run-a", [1])
    load_snapshot(con, writer.root)
    shutil.rmtree(writer.root)
    writer.root.mkdir(parents=True)
    writer.write_status(0, phase="bootstrap", run_id="run-b")
    with pytest.raises(SnapshotError, match="still being written"):
        refresh(con, writer.root)
    assert _units(con) == [1]


def test_a_folder_mixing_two_runs_is_refused_by_name(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    writer.write_init([R.entity(1, "wooden-chest", 0.5, 0.5)])
    writer.write_init([R.entity(2, "wooden-chest", 40.5, 0.5, run_id="run-old")], run_id="run-old")
    writer.write_status(0, chunks=2)
    with pytest.raises(RunChangedError, match="run-old") as info:
        load_snapshot(con, writer.root)
    assert "chunks/1/0" in str(info.value)


def test_another_runs_delta_in_the_log_is_refused(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _game(writer, "run-a", [1])
    load_snapshot(con, writer.root)
    writer.append_update(R.entity_built(1, R.entity(5, "wooden-chest", 5.5, 0.5), run_id="run-b"))
    with pytest.raises(RunChangedError, match="updates.jsonl:1"):
        sync_from_disk(con, writer.root)
    with pytest.raises(RunChangedError):
        apply_delta(con, R.entity_built(1, R.entity(5, "wooden-chest", 5.5, 0.5), run_id="run-b"))
    assert _units(con) == [1]


def test_a_damaged_log_line_is_named_and_a_new_snapshot_repairs_the_map(
        writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _game(writer, "run-a", [1])
    load_snapshot(con, writer.root)
    writer.append_update(R.entity_built(1, R.entity(2, "wooden-chest", 2.5, 0.5)))
    log = writer.root / R.SURFACE / "updates.jsonl"
    with log.open("a") as f:
        f.write('{"type": "entity_built", "seq": 2, "tru\n')  # a crash mid-write
    writer.append_update(R.entity_built(3, R.entity(4, "wooden-chest", 4.5, 0.5)))
    with pytest.raises(DamagedLogError) as info:
        refresh(con, writer.root)
    assert info.value.line == 2 and info.value.path == str(log)
    assert _units(con) == [1]

    # take_snapshot: the init files hold everything up to seq 3, so the damaged line is no longer needed.
    writer.write_init([R.entity(u, "wooden-chest", u + 0.5, 0.5) for u in (1, 2, 3, 4)])
    writer.write_status(3, chunks=1)
    writer.append_update(R.entity_built(4, R.entity(5, "wooden-chest", 5.5, 0.5)))
    report = refresh(con, writer.root)
    assert report.rebuilt and _units(con) == [1, 2, 3, 4, 5]


def test_a_damaged_last_line_is_moved_aside_then_the_snapshot_repairs_it(
        writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _game(writer, "run-a", [1])
    load_snapshot(con, writer.root)
    log = writer.root / R.SURFACE / "updates.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("garbage\n")
    with pytest.raises(DamagedLogError) as info:
        sync_from_disk(con, writer.root)
    moved = quarantine_log(info.value.path)
    assert moved.name == "updates.jsonl.damaged-1" and moved.read_text() == "garbage\n" and not log.exists()
    writer.write_init([R.entity(u, "wooden-chest", u + 0.5, 0.5) for u in (1, 2)])
    writer.write_status(1, chunks=1)
    assert refresh(con, writer.root).rebuilt and _units(con) == [1, 2]
