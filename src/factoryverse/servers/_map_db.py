"""A server's map database as the front ends keep it: opened with bounded waits, caught up from the game's files,
rebuilt when the game started a new run, repaired when its update log was damaged."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from factoryverse.db import (DamagedLogError, DatabaseError, DatabaseOpenError, RefreshReport, SnapshotError, connect,
                             quarantine_log, refresh)
from factoryverse.sdk.errors import FactoryVerseError
from factoryverse.servers._errors import BackendError, MapBusyError, MapNotReadyError, MapQueryError
from factoryverse.servers._game import get_instance, rcon, run_lua
from factoryverse.servers.instances import Instance

__all__ = ["sync_map", "rebuild_map", "open_synced", "open_read_only", "locked", "GAME_NAMES_LUA", "parse_game_names",
           "enum_names"]

_log = logging.getLogger("factoryverse.servers.operations")

_SNAPSHOT_WAIT_S = 60.0
_TAKE_SNAPSHOT_LUA = "rcon.print(helpers.table_to_json(remote.call('map', 'take_snapshot')))"
_SNAPSHOT_STATUS_LUA = "rcon.print(helpers.table_to_json(remote.call('map', 'get_snapshot_status')))"
# Another process (the dashboard, the MCP server, `fv sql`) may hold the database for a moment while it syncs.
_DB_LOCK_WAIT_S = 10.0


# The running game's names for the map database's ENUM types, as JSON; members present in Factorio 2.0 and 2.1.
GAME_NAMES_LUA = (
    "local out = {resource = {}, placeable_entity = {}, recipe = {}, status = {}} "
    "for name, p in pairs(prototypes.entity) do "
    "  if p.type == 'resource' then out.resource[#out.resource + 1] = name end "
    "  local items = p.items_to_place_this "
    "  if items and #items > 0 then out.placeable_entity[#out.placeable_entity + 1] = name end "
    "end "
    "for name in pairs(prototypes.recipe) do out.recipe[#out.recipe + 1] = name end "
    "for name in pairs(defines.entity_status) do out.status[#out.status + 1] = name end "
    "rcon.print(helpers.table_to_json(out))"
)
_NAME_KINDS = ("resource", "placeable_entity", "recipe", "status")


def parse_game_names(reply: str) -> dict[str, list[str]]:
    """The reply of GAME_NAMES_LUA as {kind: sorted names}; ValueError when it is not that."""
    raw = json.loads(reply)
    if not isinstance(raw, dict):
        raise ValueError(f"game names came back as {reply[:200]!r}")
    # table_to_json writes an empty Lua table as {}; a kind the game has no names of is then VARCHAR.
    return {kind: sorted(raw[kind]) for kind in _NAME_KINDS if isinstance(raw.get(kind), list) and raw[kind]}


def enum_names(names: dict[str, list[str]] | None) -> dict[str, list[str] | None]:
    """The keyword arguments of load_snapshot / refresh that make the ENUMs from the game's names."""
    names = names or {}
    return {"resource_names": names.get("resource"), "entity_names": names.get("placeable_entity"),
            "recipe_names": names.get("recipe"), "status_names": names.get("status")}


_db_locks: dict[str, threading.Lock] = {}
_db_locks_guard = threading.Lock()


def _db_lock(path: Path) -> threading.Lock:
    # Syncs of one database must not interleave; queries from the dashboard's threads take turns.
    with _db_locks_guard:
        return _db_locks.setdefault(str(path), threading.Lock())


@contextmanager
def _locked(inst: Instance) -> Iterator[None]:
    lock = _db_lock(inst.db_path)
    # Bounded: a long query in another thread holds the lock for at most MAX_TIMEOUT_S plus its sync.
    if not lock.acquire(timeout=_DB_LOCK_WAIT_S):
        raise MapBusyError(
            f"server {inst.id}'s map database is busy with another query from this process (waited "
            f"{_DB_LOCK_WAIT_S:g} s); retry in {MapBusyError.retry_after_s} s"
        )
    try:
        yield
    finally:
        lock.release()


def _is_lock_conflict(exc: DatabaseOpenError) -> bool:
    return exc.locked


def _open(path: Path, *, read_only: bool = False, instance_id: int | None = None) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + _DB_LOCK_WAIT_S
    while True:
        try:
            return connect(path, read_only=read_only, external_access=not read_only)
        except DatabaseOpenError as exc:
            if not _is_lock_conflict(exc):
                raise MapQueryError(f"cannot open server {instance_id}'s map database: {exc}") from exc
            if time.monotonic() >= deadline:
                raise MapBusyError(
                    f"server {instance_id}'s map database {path} is held open for writing by another process "
                    f"(waited {_DB_LOCK_WAIT_S:g} s): {exc}. Retry in {MapBusyError.retry_after_s} s; if it "
                    "stays busy, stop the process that keeps it open (an SDK SyncService, a long `fv sql`)"
                ) from exc
            time.sleep(0.1)


def _prototype_names(inst: Instance) -> dict[str, list[str]]:
    """The running game's names for the new database's ENUMs; none if the game can't say."""
    if not inst.alive():
        return {}
    try:
        return parse_game_names(rcon(inst.id, "/sc " + GAME_NAMES_LUA))
    except (BackendError, FactoryVerseError, ValueError):
        return {}  # plain VARCHAR name columns: still correct, only less checked


def _catch_up(con: duckdb.DuckDBPyConnection, snapshot_dir: Path,
              names: dict[str, list[str]] | None = None) -> RefreshReport:
    # A new database's name columns become ENUMs of the game's own prototype names.
    return refresh(con, snapshot_dir, **enum_names(names))


def _retake_snapshot(inst: Instance, timeout: float = _SNAPSHOT_WAIT_S) -> None:
    """Ask the game to write its snapshot again and wait until it is complete (bounded)."""
    if not inst.alive():
        raise MapNotReadyError(
            f"server {inst.id} is not running, so its snapshot cannot be taken again; start a new game with "
            "`fv server start`"
        )
    started = json.loads(run_lua(inst.id, _TAKE_SNAPSHOT_LUA))
    deadline = time.monotonic() + timeout
    while True:
        status = json.loads(run_lua(inst.id, _SNAPSHOT_STATUS_LUA))
        if status["phase"] == "complete" and status["seq"] >= started["seq"]:
            return
        if time.monotonic() > deadline:
            raise MapNotReadyError(
                f"server {inst.id} did not finish taking its snapshot within {timeout:g} s (phase "
                f"{status['phase']!r}); is the game paused? Try again once it runs"
            )
        time.sleep(0.02)


def _repair(con: duckdb.DuckDBPyConnection, inst: Instance, damage: DamagedLogError) -> RefreshReport:
    """A damaged update log: move it aside, have the game take its snapshot again, rebuild from it."""
    moved = quarantine_log(damage.path)
    _log.warning("server %d: %s; moved it aside to %s and asked the game for a new snapshot", inst.id, damage, moved)
    _retake_snapshot(inst)
    report = refresh(con, inst.script_output / "fv_snapshot")
    notice = (f"the update log {damage.path} was damaged at line {damage.line}; it was moved aside to {moved.name}, "
              "the game took its snapshot again and the map was rebuilt from it")
    return dataclasses.replace(report, notice=notice)


def _open_synced(inst: Instance) -> tuple[duckdb.DuckDBPyConnection, RefreshReport]:
    """The instance's map database, open for writing and caught up from its snapshot files, and what it took."""
    # One connection for both steps: loading the spatial extension costs about a second per connection.
    names = _prototype_names(inst) if not inst.db_path.exists() else None
    con = _open(inst.db_path, instance_id=inst.id)
    try:
        try:
            report = _catch_up(con, inst.script_output / "fv_snapshot", names)
        except DamagedLogError as exc:
            report = _repair(con, inst, exc)
    except BaseException:
        con.close()
        raise
    if report.notice:
        _log.warning("server %d: %s", inst.id, report.notice)
    return con, report


def _open_read_only(inst: Instance) -> duckdb.DuckDBPyConnection:
    if not inst.db_path.exists():
        raise MapNotReadyError(
            f"server {inst.id}'s map database {inst.db_path} has not been created yet; sync it first (the "
            "dashboard's POST /api/servers/{inst.id}/sync; `fv sql` and MCP query_map sync before every query)"
        )
    return _open(inst.db_path, read_only=True, instance_id=inst.id)


def sync_map(instance_id: int) -> dict[str, Any]:
    """Catch the instance's map database up from its snapshot files (creating it on first use), and say so."""
    inst = get_instance(instance_id, running=False)
    with _locked(inst):
        try:
            con, report = _open_synced(inst)
            con.close()
        except SnapshotError as exc:
            raise MapNotReadyError(f"server {instance_id}'s map is not readable yet: {exc}") from exc
        except (DatabaseError, duckdb.Error) as exc:
            raise MapQueryError(f"syncing server {instance_id}'s map database failed: {exc}") from exc
    out: dict[str, Any] = {"server_id": instance_id, "db_path": str(inst.db_path), "synced": True,
                           "run_id": report.run_id, "rebuilt": report.rebuilt}
    if report.notice:
        out["notice"] = report.notice
    return out


def _wait_until_unheld(inst: Instance) -> None:
    """MapBusyError while another process holds the file: deleting it under a SyncService would leave that
    process writing a file nobody reads, and the rebuilt map without its changes."""
    if not inst.db_path.exists():
        return
    try:
        _open(inst.db_path, instance_id=inst.id).close()
    except MapQueryError:
        pass  # a file DuckDB cannot open at all (damaged) is what the rebuild replaces


def rebuild_map(instance_id: int, *, retake: bool = False) -> dict[str, Any]:
    """Rebuild the instance's map database from its snapshot files; with `retake`, the game first writes its
    snapshot again (the repair for a damaged or incomplete update log)."""
    inst = get_instance(instance_id, running=retake)
    with _locked(inst):
        try:
            if retake:
                _retake_snapshot(inst)
            names = _prototype_names(inst)
            _wait_until_unheld(inst)
            for path in (inst.db_path, inst.db_path.with_name(inst.db_path.name + ".wal")):
                path.unlink(missing_ok=True)
            con = _open(inst.db_path, instance_id=inst.id)
            try:
                report = _catch_up(con, inst.script_output / "fv_snapshot", names)
            finally:
                con.close()
        except SnapshotError as exc:
            raise MapNotReadyError(f"server {instance_id}'s map cannot be rebuilt yet: {exc}") from exc
        except (DatabaseError, duckdb.Error) as exc:
            raise MapQueryError(f"rebuilding server {instance_id}'s map database failed: {exc}") from exc
    return {"server_id": instance_id, "db_path": str(inst.db_path), "run_id": report.run_id,
            "deltas_applied": report.deltas_applied, "retaken": retake}


# Names for the query module.
open_synced, open_read_only, locked = _open_synced, _open_read_only, _locked
