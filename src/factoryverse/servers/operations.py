"""What the front ends (fv, factoryverse-mcp, fv-ui) do to a running instance: list, RCON, read-only SQL.

The front ends share this module so they agree on what is public (never the RCON password), on the error
messages, and on how a map query is guarded. Instances are the ones `fv server start` records under the state
home (FACTORYVERSE_HOME).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from factorio_rcon import RCONBaseError, RCONClient

from factoryverse.sdk.client import PROTOTYPE_NAMES_LUA, parse_prototype_names
from factoryverse.sdk.errors import FactoryVerseError
from factoryverse.servers.instances import Instance, list_instances
from factoryverse.db import (DatabaseError, DatabaseOpenError, QueryError, SnapshotError, check_read_only, connect,
                             load_snapshot, run_user_sql, sync_from_disk)

__all__ = [
    "BackendError",
    "UnknownServerError",
    "ServerNotRunningError",
    "RconError",
    "LuaError",
    "MapNotReadyError",
    "MapQueryError",
    "QueryResult",
    "instances",
    "get_instance",
    "rcon",
    "run_lua",
    "remote_versions",
    "sql",
    "DEFAULT_MAX_ROWS",
]

DEFAULT_MAX_ROWS = 1000
_RCON_TIMEOUT_S = 30.0
# Another process (the dashboard, the MCP server, `fv sql`) may hold the database for a moment while it syncs.
_DB_LOCK_WAIT_S = 10.0
# Factorio's own prefix for a /sc command whose Lua raised; the engine answers the same way.
_LUA_ERROR_PREFIX = "Cannot execute command."
_PUBLIC_FIELDS = ("id", "pid", "rcon_host", "rcon_port", "snapshot_udp_port", "seed", "mode", "started_at")

_VERSIONS_LUA = (
    "local out = {} "
    "for name, fns in pairs(remote.interfaces) do "
    "  if fns.version then "
    "    local ok, v = pcall(remote.call, name, 'version') "
    "    out[name] = ok and v or {error = tostring(v)} "
    "  else out[name] = {error = 'this interface has no version()'} end "
    "end "
    "rcon.print(helpers.table_to_json(out))"
)


class BackendError(Exception):
    """Base of every error the MCP server and the dashboard report; the message says what to do."""


class UnknownServerError(BackendError, LookupError):
    """No instance record with that id under the state home."""


class ServerNotRunningError(BackendError):
    """The instance is recorded but its process is gone."""


class RconError(BackendError):
    """The instance's RCON port could not be reached or dropped the connection."""


class LuaError(BackendError):
    """The Lua sent with /sc raised; the message is the game's error text."""


class MapNotReadyError(BackendError):
    """The instance has not finished writing its first map snapshot."""


class MapQueryError(BackendError):
    """A map query was refused (not a single read-only SELECT) or failed in DuckDB."""


@dataclass(frozen=True)
class QueryResult:
    """Rows of a map query as JSON-ready dicts; `truncated` says rows past `max_rows` were dropped."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool

    def as_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "row_count": len(self.rows), "truncated": self.truncated}


def _public(inst: Instance) -> dict[str, Any]:
    # A whitelist, so a field added to Instance later is not published by accident (the password is one).
    out: dict[str, Any] = {f: getattr(inst, f) for f in _PUBLIC_FIELDS}
    out["alive"] = inst.alive()
    out["script_output"] = str(inst.script_output)
    out["db_path"] = str(inst.db_path)
    return out


def instances() -> list[dict[str, Any]]:
    """Every recorded instance with its ports and whether its process is alive; no secrets."""
    return [_public(i) for i in list_instances()]


def get_instance(instance_id: int, *, running: bool = True) -> Instance:
    """The recorded instance `instance_id`; with `running`, its process must be alive."""
    for inst in list_instances():
        if inst.id == instance_id:
            if running and not inst.alive():
                raise ServerNotRunningError(
                    f"server {instance_id} is recorded but its process {inst.pid} is not running (see its "
                    f"{inst.log_path}); run `fv server status`, clear the record with `fv server stop "
                    f"{instance_id}` and start a new one with `fv server start --detach`"
                )
            return inst
    known = ", ".join(str(i.id) for i in list_instances()) or "none"
    raise UnknownServerError(
        f"no server with id {instance_id} (known ids: {known}); run `fv server status` to list them "
        "or `fv server start --detach` to start one"
    )


def rcon(instance_id: int, command: str, *, timeout: float = _RCON_TIMEOUT_S) -> str:
    """Send one console command and return the reply text ("" for none).

    A command not starting with "/" is Lua and goes out as `/sc <command>`.
    """
    inst = get_instance(instance_id)
    line = command if command.startswith("/") else f"/sc {command}"
    try:
        client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, timeout=timeout)
    except (RCONBaseError, OSError) as exc:
        raise RconError(
            f"cannot connect to server {instance_id}'s RCON at {inst.rcon_host}:{inst.rcon_port}: {exc}; "
            "run `fv server status` to check it is running"
        ) from exc
    try:
        reply = client.send_command(line)
    except (RCONBaseError, OSError) as exc:
        raise RconError(
            f"server {instance_id} dropped the RCON command ({exc}); it may have crashed or be busy for "
            f"longer than {timeout:.0f} s: check `fv server status` and its server.log"
        ) from exc
    finally:
        client.close()
    return reply or ""


def run_lua(instance_id: int, code: str) -> str:
    """Run Lua with /sc as the server admin and return what it printed with rcon.print."""
    if not code.strip():
        raise LuaError("no Lua code given; pass a chunk such as `rcon.print(game.tick)`")
    reply = rcon(instance_id, f"/sc {code}")
    if reply.startswith(_LUA_ERROR_PREFIX):
        raise LuaError(f"the Lua raised an error on server {instance_id}: {reply}")
    return reply


def remote_versions(instance_id: int) -> dict[str, Any]:
    """version() of every remote interface the server registers, by interface name."""
    reply = run_lua(instance_id, _VERSIONS_LUA)
    try:
        data = json.loads(reply)
    except json.JSONDecodeError as exc:
        raise LuaError(
            f"server {instance_id} answered the version query with something not JSON: {reply[:200]!r}"
        ) from exc
    # table_to_json writes an empty Lua table as [] (no interfaces registered).
    return data if isinstance(data, dict) else {}


_db_locks: dict[str, threading.Lock] = {}
_db_locks_guard = threading.Lock()


def _db_lock(path: Path) -> threading.Lock:
    # Syncs of one database must not interleave; queries from the dashboard's threads take turns.
    with _db_locks_guard:
        return _db_locks.setdefault(str(path), threading.Lock())


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + _DB_LOCK_WAIT_S
    while True:
        try:
            return connect(path)
        except DatabaseOpenError as exc:
            if time.monotonic() >= deadline:
                raise MapQueryError(f"{exc} (waited {_DB_LOCK_WAIT_S:.0f} s)") from exc
            time.sleep(0.1)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        # Raw GEOMETRY/BLOB bytes; ST_AsText(geom) in the query gives readable geometry.
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def _refuse_writes(statement: str) -> None:
    # Parsing needs no map database, so a refused statement costs neither a sync nor the spatial extension's load.
    scratch = duckdb.connect(":memory:")
    try:
        check_read_only(scratch, statement)
    finally:
        scratch.close()


def _prototype_names(inst: Instance) -> dict[str, list[str]]:
    """The running game's entity names by type, for the new database's ENUMs; none if the game can't say."""
    if not inst.alive():
        return {}
    try:
        return parse_prototype_names(rcon(inst.id, "/sc " + PROTOTYPE_NAMES_LUA))
    except (BackendError, FactoryVerseError):
        return {}  # plain VARCHAR name columns: still correct, only less checked


def _catch_up(con: duckdb.DuckDBPyConnection, snapshot_dir: Path, names: dict[str, list[str]] | None = None) -> None:
    if names:
        # A new database: its name columns become ENUMs of the game's own prototype names.
        load_snapshot(
            con,
            snapshot_dir,
            resource_names=names.get("resource", []),
            entity_names=sorted(n for group in names.values() for n in group),
        )
        return
    try:
        sync_from_disk(con, snapshot_dir)
    except SnapshotError:
        # Nothing loaded yet, or the game took a new snapshot: the files on disk are the truth, so reload them.
        load_snapshot(con, snapshot_dir)


def sql(instance_id: int, statement: str, *, max_rows: int = DEFAULT_MAX_ROWS) -> QueryResult:
    """Catch the instance's map database up from its snapshot files, then run one read-only query.

    GEOMETRY columns come back as WKT text. The statement must be a single read-only one, it runs in a
    transaction that is rolled back, and with file access disabled, so it can neither change the map database
    nor read other files.
    """
    if max_rows < 1:
        raise MapQueryError(f"max_rows must be at least 1, not {max_rows}")
    try:
        _refuse_writes(statement)
    except QueryError as exc:
        raise MapQueryError(f"map query refused: {exc}") from exc
    # The snapshot files outlive the process, so a crashed server's map can still be read.
    inst = get_instance(instance_id, running=False)
    snapshot_dir = inst.script_output / "fv_snapshot"
    with _db_lock(inst.db_path):
        try:
            # One connection for both steps: loading the spatial extension costs about a second per connection.
            names = _prototype_names(inst) if not inst.db_path.exists() else None
            con = _open(inst.db_path)
            try:
                _catch_up(con, snapshot_dir, names)
                # After the sync, which may read the snapshot files; this cannot be switched back on.
                con.execute("SET enable_external_access = false")
                rows = run_user_sql(con, statement, limit=max_rows + 1)
            finally:
                con.close()
        except SnapshotError as exc:
            raise MapNotReadyError(f"server {instance_id}'s map is not readable yet: {exc}") from exc
        except QueryError as exc:
            raise MapQueryError(f"map query on server {instance_id} refused or failed: {exc}") from exc
        except (DatabaseError, duckdb.Error) as exc:
            raise MapQueryError(f"reading server {instance_id}'s map database failed: {exc}") from exc
    columns = list(rows[0]) if rows else []
    return QueryResult(
        columns=columns,
        rows=[{k: _jsonable(v) for k, v in r.items()} for r in rows[:max_rows]],
        truncated=len(rows) > max_rows,
    )
