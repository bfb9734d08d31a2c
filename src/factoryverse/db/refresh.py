"""Bringing a map database up to date with a server's snapshot files, whatever happened since.

The front ends (`fv sql`, the MCP server, the dashboard) open a server's database now and then; in
between the game may have applied deltas, taken a new snapshot, or been replaced by a new game (a
new run). `refresh` decides: apply the new deltas when it can, rebuild from the files when it
must, and say why it rebuilt. It never applies one run's deltas to another run's map.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ._apply import last_applied_seq, loaded_run_id, sync_from_disk
from ._files import latest_status
from .errors import DamagedLogError, RunChangedError, SyncGapError
from .loader import load_snapshot
from .schema import DB_SCHEMA_VERSION, reset_database, stored_layout_version

__all__ = ["RefreshReport", "refresh"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshReport:
    """What `refresh` did. `notice` is a sentence for the user when the map was rebuilt for a reason."""

    run_id: str
    rebuilt: bool
    deltas_applied: int
    previous_run_id: str | None = None
    notice: str | None = None


def _newer_snapshot_seq(con: duckdb.DuckDBPyConnection, snapshot_dir: Path) -> int | None:
    """The seq of a complete snapshot on disk that is ahead of the database, if there is one."""
    status = latest_status(snapshot_dir)
    if status is None or status["phase"] != "complete" or status["seq"] <= last_applied_seq(con):
        return None
    return status["seq"]


def refresh(con: duckdb.DuckDBPyConnection, snapshot_dir: str | Path, *,
            resource_names: Iterable[str] | None = None, entity_names: Iterable[str] | None = None,
            recipe_names: Iterable[str] | None = None, status_names: Iterable[str] | None = None) -> RefreshReport:
    """Catch the database up with `snapshot_dir`: new deltas, or a rebuild from a new run or snapshot.

    Raises SnapshotError while the snapshot is not complete (the database is left as it was, so an
    old run's map is never served as the new one's: the caller says the map is not ready), and
    DamagedLogError for a damaged update log (move it aside with quarantine_log and take the
    snapshot again). The ENUMs are created from the game's names when the database has none yet.
    A database of an older table layout is rebuilt from the files in the current one.
    """
    snapshot_dir = Path(snapshot_dir)
    names = {"resource_names": resource_names, "entity_names": entity_names, "recipe_names": recipe_names,
             "status_names": status_names}
    layout = stored_layout_version(con)
    if layout is not None and layout != DB_SCHEMA_VERSION:
        # The files are the truth and hold everything the old tables did: rebuild rather than migrate.
        reset_database(con)
        report = load_snapshot(con, snapshot_dir, **names)
        notice = (f"the map database had table layout version {layout}; it was rebuilt from the snapshot files "
                  f"in layout version {DB_SCHEMA_VERSION}")
        _log.warning("%s: %s", snapshot_dir, notice)
        return RefreshReport(run_id=report.run_id, rebuilt=True, deltas_applied=report.deltas_applied, notice=notice)
    previous = loaded_run_id(con)
    if previous is None:
        report = load_snapshot(con, snapshot_dir, **names)
        return RefreshReport(run_id=report.run_id, rebuilt=True, deltas_applied=report.deltas_applied)
    try:
        applied = sync_from_disk(con, snapshot_dir)
    except RunChangedError as exc:
        reason = (f"the server started a new game (run {exc.new}; the database held run {exc.old}), so the map was "
                  "rebuilt from the new game's files")
    except (SyncGapError, DamagedLogError) as exc:
        # A newer snapshot holds what the log lost; without one there is nothing to rebuild from.
        if _newer_snapshot_seq(con, snapshot_dir) is None:
            raise
        reason = f"the update log cannot be read past seq {last_applied_seq(con)} ({exc}); the map was rebuilt " \
                 "from the latest snapshot"
    else:
        newer = _newer_snapshot_seq(con, snapshot_dir)
        if newer is None:
            return RefreshReport(run_id=previous, rebuilt=False, deltas_applied=applied)
        # The game took the snapshot again after its log lost lines (moved aside): only the snapshot has them.
        reason = (f"the update log ends at seq {last_applied_seq(con)} but the latest snapshot is at seq {newer}; "
                  "the map was rebuilt from the snapshot")
    report = load_snapshot(con, snapshot_dir, **names)
    _log.warning("%s: %s", snapshot_dir, reason)
    return RefreshReport(run_id=report.run_id, rebuilt=True, deltas_applied=report.deltas_applied,
                         previous_run_id=previous, notice=reason)
