"""Loading a whole fv_snapshot directory into the database (clear and reload, all or nothing)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from . import _mutations
from ._bulk import insert_staged, staged_init_files
from ._derived_hook import after_load, patch_count
from ._files import init_files, iter_records, latest_status, require_dir, state_files
from ._research import write_research
from ._update_log import read_contiguous
from .errors import DatabaseError, RecordError, RunChangedError, SnapshotError
from .schema import create_schema, create_spatial_indexes, recreate_data_tables

__all__ = ["LoadReport", "load_snapshot", "complete_status"]

_ATTEMPTS = 3


@dataclass(frozen=True)
class LoadReport:
    """What one load_snapshot call put into the database."""

    snapshot_dir: Path
    run_id: str            # the game run the snapshot belongs to
    status_seq: int        # deltas up to this seq were already in the init files
    status_tick: int
    last_seq: int          # the last delta applied (status_seq when the log had nothing newer)
    files: int
    chunks: int
    resource_tiles: int
    resource_entities: int
    water_tiles: int
    entities: int
    deltas_applied: int
    patches: int
    seconds: float
    research_forces: int = 0  # forces with a research row
    power_networks: int = 0   # electric_network records read (power.jsonl and power_changed deltas)
    phases: dict[str, float] = dataclasses.field(default_factory=dict)  # seconds per step, for benchmarks


def complete_status(snapshot_dir: Path) -> dict[str, Any]:
    """The latest snapshot_status, which must say phase "complete"."""
    status = latest_status(require_dir(snapshot_dir))
    if status is None:
        raise SnapshotError(
            f"{snapshot_dir} has no snapshot status yet; start the fv_snapshot mod's snapshot "
            "(take_snapshot) and wait until status.jsonl reports phase 'complete'"
        )
    if status["phase"] != "complete":
        raise SnapshotError(
            f"the snapshot in {snapshot_dir} is still being written (phase {status['phase']!r}, "
            f"{status['chunks']} chunks so far); wait until status.jsonl reports phase 'complete'"
        )
    return status


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


class _Clock:
    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = now - self.last
        self.last = now


def _state_records(snapshot_dir: Path, run_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The validated research and electric_network records of the snapshot's whole-game files."""
    research: list[dict[str, Any]] = []
    power: list[dict[str, Any]] = []
    for path, rtype in state_files(snapshot_dir):
        for lineno, rec in enumerate(iter_records(path, "snapshot_file"), 1):
            if rec["type"] != rtype:
                raise RecordError(f"{path}: holds a {rec['type']} record; only {rtype} belongs there",
                                  field="type", record_type=rec["type"], source=str(path))
            if rec["run_id"] != run_id:
                raise RunChangedError(
                    f"{path} holds a record of run {rec['run_id']!r} (record {lineno}), but the snapshot being loaded "
                    f"is run {run_id!r}; take the snapshot again", old=run_id, new=rec["run_id"])
            (research if rtype == "research" else power).append(rec)
    return research, power


def _load_once(con: duckdb.DuckDBPyConnection, snapshot_dir: Path, status: dict[str, Any]) -> LoadReport:
    clock = _Clock()
    files = init_files(snapshot_dir)
    with staged_init_files(files, status["run_id"]) as staged:
        deltas = read_contiguous(snapshot_dir, status["seq"], status["run_id"])
        research, power = _state_records(snapshot_dir, status["run_id"])
        clock.lap("validate")
        con.begin()
        try:
            recreate_data_tables(con)
            insert_staged(con, staged, merge=False, tick=status["tick"])
            write_research(con, research)
            clock.lap("insert")
            create_spatial_indexes(con)
            clock.lap("index")
            changes = _mutations.apply_records(con, deltas, snapshot_dir) if deltas else None
            clock.lap("deltas")
            power += changes.power_records if changes else []
            after_load(con, power)
            patches = patch_count(con)
            clock.lap("patches")
            last_seq = deltas[-1]["seq"] if deltas else status["seq"]
            _mutations.set_state(
                con, run_id=status["run_id"], snapshot_dir=str(Path(snapshot_dir).resolve()), snapshot_seq=status["seq"],
                snapshot_tick=status["tick"], snapshot_chunks=status["chunks"], last_seq=last_seq,
                last_tick=deltas[-1]["tick"] if deltas else status["tick"],
            )
            report = LoadReport(
                snapshot_dir=Path(snapshot_dir), run_id=status["run_id"], status_seq=status["seq"], status_tick=status["tick"],
                last_seq=last_seq, files=len(files), chunks=_count(con, "chunk"),
                resource_tiles=_count(con, "resource_tile"), resource_entities=_count(con, "resource_entity"),
                water_tiles=_count(con, "water_tile"), entities=_count(con, "map_entity"),
                deltas_applied=len(deltas), patches=patches, seconds=0.0,
                research_forces=_count(con, "research"), power_networks=len(power),
            )
            con.commit()
            clock.lap("commit")
        except BaseException:
            con.rollback()
            raise
    return dataclasses.replace(report, seconds=time.perf_counter() - clock.started, phases=clock.phases)


def _status_or_none(snapshot_dir: Path) -> dict[str, Any] | None:
    try:
        return latest_status(snapshot_dir)
    except SnapshotError:
        return None


def load_snapshot(con: duckdb.DuckDBPyConnection, snapshot_dir: str | Path, *,
                  resource_names: Iterable[str] | None = None, entity_names: Iterable[str] | None = None,
                  recipe_names: Iterable[str] | None = None, status_names: Iterable[str] | None = None) -> LoadReport:
    """Replace the database's map state with the snapshot in `snapshot_dir`, then apply newer deltas.

    Every record is validated first; on any error the database is left as it was. The ENUM types
    are created from the game's names (see create_schema) when the database has none yet.
    """
    snapshot_dir = Path(snapshot_dir)
    try:
        create_schema(con, resource_names=resource_names, entity_names=entity_names, recipe_names=recipe_names,
                      status_names=status_names)
        for _ in range(_ATTEMPTS):
            status = complete_status(snapshot_dir)
            try:
                report = _load_once(con, snapshot_dir, status)
            except SnapshotError:
                # take_snapshot or a new run may rewrite or remove the files under us: then try the new
                # snapshot; an error in an unchanged snapshot is the snapshot's own.
                if _status_or_none(snapshot_dir) == status:
                    raise
                continue
            # A new status line says the init files changed while they were read.
            if _status_or_none(snapshot_dir) == status:
                return report
    except duckdb.Error as exc:
        raise DatabaseError(f"loading the snapshot {snapshot_dir} failed in DuckDB: {exc}") from exc
    raise SnapshotError(
        f"the snapshot in {snapshot_dir} changed {_ATTEMPTS} times while it was being loaded; "
        "load it again once take_snapshot has finished"
    )
