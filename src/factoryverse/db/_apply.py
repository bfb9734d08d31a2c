"""Applying deltas to the database in seq order, within one game run; the bookkeeping in sync_state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from . import _components, _mutations
from ._derived_hook import after_batch
from ._files import latest_status
from ._update_log import read_contiguous
from .errors import DatabaseError, RunChangedError, SnapshotError, SyncGapError
from .schema import ensure_schema, validate_record

__all__ = ["apply_run", "apply_delta", "sync_from_disk", "last_applied_seq", "loaded_run_id", "stored_snapshot_dir",
           "require_loaded", "check_same_run"]


def last_applied_seq(con: duckdb.DuckDBPyConnection) -> int:
    """The seq of the last delta in the database (0 before any snapshot or delta)."""
    ensure_schema(con)
    value = _mutations.get_state(con, "last_seq")
    return 0 if value is None else int(value)


def loaded_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The game run whose snapshot the database holds (None before any snapshot).

    Creates nothing: a new database must keep its chance to get ENUM name columns from load_snapshot.
    """
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'sync_state' "
        "AND database_name = current_database() AND schema_name = 'main'"
    ).fetchone()[0]
    return _mutations.get_state(con, "run_id") if exists else None


def stored_snapshot_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    value = _mutations.get_state(con, "snapshot_dir")
    return None if value is None else Path(value)


def require_loaded(con: duckdb.DuckDBPyConnection) -> str:
    """The loaded run id; SnapshotError when no snapshot was loaded yet."""
    run_id = _mutations.get_state(con, "run_id")
    if _mutations.get_state(con, "snapshot_seq") is None or run_id is None:
        raise SnapshotError("the database holds no snapshot yet; call load_snapshot before syncing deltas")
    return run_id


def apply_run(con: duckdb.DuckDBPyConnection, recs: list[dict[str, Any]], snapshot_dir: Path | None,
              lines: Callable[[int], bytes | None] | None = None) -> None:
    """Apply consecutive deltas (the first is last_seq + 1) in one transaction, derived tables included.

    `lines(seq)` may give each delta's JSON text as the log has it (the parsed record's source), which is then
    staged as it is instead of being encoded again.
    """
    try:
        con.begin()
        try:
            changes = _mutations.apply_records(con, recs, snapshot_dir, lines)
            after_batch(con, changes)
            _mutations.set_state(con, last_seq=recs[-1]["seq"], last_tick=recs[-1]["tick"])
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except duckdb.ConversionException as exc:
        # A name outside the game's ENUMs aborts the transaction; after the rollback, say which record it was.
        _components.check_record_names(con, recs)
        raise DatabaseError(f"applying deltas {recs[0]['seq']}..{recs[-1]['seq']} failed in DuckDB: {exc}") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"applying deltas {recs[0]['seq']}..{recs[-1]['seq']} failed in DuckDB: {exc}") from exc


def apply_delta(con: duckdb.DuckDBPyConnection, rec: dict[str, Any], *, snapshot_dir: str | Path | None = None) -> bool:
    """Apply one delta record; False when its seq was already applied (a duplicate).

    Raises RecordError for an invalid record, RunChangedError for a delta of another game run, and
    SyncGapError when seq skips ahead of the database (apply the missing ones first, e.g. with
    sync_from_disk). chunk_charted reads the chunk's init files from `snapshot_dir` (default: the
    directory of the loaded snapshot).
    """
    validate_record(rec, fmt="snapshot_delta")
    run_id = require_loaded(con)
    if rec["run_id"] != run_id:
        raise RunChangedError(
            f"delta seq {rec['seq']} belongs to run {rec['run_id']!r} but the database holds run {run_id!r}; "
            "load the new run's snapshot instead of applying its deltas", old=run_id, new=rec["run_id"],
        )
    last = last_applied_seq(con)
    seq = rec["seq"]
    if seq <= last:
        return False
    if seq != last + 1:
        raise SyncGapError(
            f"delta seq {seq} cannot be applied: the database is at seq {last}, so {last + 1}..{seq - 1} are "
            "missing; apply them first (sync_from_disk reads them from the update logs)",
            expected=last + 1, got=seq,
        )
    folder = Path(snapshot_dir) if snapshot_dir is not None else stored_snapshot_dir(con)
    apply_run(con, [rec], folder)
    return True


def check_same_run(con: duckdb.DuckDBPyConnection, snapshot_dir: Path) -> str:
    """The loaded run id, after checking that the files on disk still belong to it (RunChangedError if not)."""
    run_id = require_loaded(con)
    status = latest_status(snapshot_dir)
    on_disk = None if status is None else status["run_id"]
    if on_disk != run_id:
        raise RunChangedError(
            f"the files in {snapshot_dir} belong to run {on_disk!r}, the database to run {run_id!r}: the server "
            "started a new game; reload the map from the new run's files (refresh does)", old=run_id, new=on_disk,
        )
    return run_id


def sync_from_disk(con: duckdb.DuckDBPyConnection, snapshot_dir: str | Path) -> int:
    """Apply every delta of the update logs newer than the database; return how many were applied.

    RunChangedError when the files on disk belong to another game run than the database.
    """
    ensure_schema(con)
    run_id = check_same_run(con, Path(snapshot_dir))
    run = read_contiguous(Path(snapshot_dir), last_applied_seq(con), run_id)
    if run:
        apply_run(con, run, Path(snapshot_dir))
    return len(run)
