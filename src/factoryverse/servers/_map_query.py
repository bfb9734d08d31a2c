"""Read-only SQL over a server's map database, bounded in rows, bytes and time, for every front end."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import json
import uuid
from dataclasses import dataclass
from typing import Any

import duckdb

from factoryverse.db import DatabaseError, QueryError, QueryTimeoutError, SnapshotError, check_read_only
from factoryverse.db.query import user_query
from factoryverse.servers._errors import MapNotReadyError, MapQueryError, MapQueryTimeoutError
from factoryverse.servers._game import get_instance
from factoryverse.servers._map_db import locked as _locked
from factoryverse.servers._map_db import open_read_only as _open_read_only
from factoryverse.servers._map_db import open_synced as _open_synced

__all__ = ["QueryResult", "sql", "DEFAULT_MAX_ROWS", "MAX_ROWS", "MAX_RESULT_BYTES", "DEFAULT_TIMEOUT_S",
           "MAX_TIMEOUT_S"]

DEFAULT_MAX_ROWS = 1000
# The one cap for every front end: a caller asking for 10^8 rows once made the MCP server allocate 24 GB.
MAX_ROWS = 10_000
# Rows are also cut when their JSON would pass this many characters (wide rows, long strings, ENUM type lists).
MAX_RESULT_BYTES = 4_000_000
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 60.0
QUERY_MEMORY_LIMIT = "1GB"
_FETCH_BATCH = 500


@dataclass(frozen=True)
class QueryResult:
    """Rows of a map query as JSON-ready dicts; `truncated` says rows past `max_rows` (or MAX_RESULT_BYTES)
    were dropped."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    # Set when the map database had to be rebuilt first (a new game on the server, a repaired log): say so.
    notice: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"columns": self.columns, "rows": self.rows, "row_count": len(self.rows), "truncated": self.truncated}
        if self.notice:
            out["notice"] = self.notice
        return out


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


def _check_bounds(max_rows: int, timeout_s: float) -> None:
    if not 1 <= max_rows <= MAX_ROWS:
        raise MapQueryError(
            f"max_rows must be 1..{MAX_ROWS}, not {max_rows}; for more, narrow the query (WHERE, GROUP BY) or "
            f"page through it with ORDER BY ... LIMIT {MAX_ROWS} OFFSET n"
        )
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise MapQueryError(f"timeout_s must be more than 0 and at most {MAX_TIMEOUT_S:g} s, not {timeout_s}")


def _fetch(con: duckdb.DuckDBPyConnection, instance_id: int, statement: str, max_rows: int,
           timeout_s: float) -> QueryResult:
    # Rows become JSON-ready as they arrive, in batches, so memory follows max_rows, never the result's size.
    out: list[dict[str, Any]] = []
    size = 0
    truncated = False
    try:
        with user_query(con, statement, limit=max_rows + 1, timeout_s=timeout_s) as rows:
            for batch in rows.batches(_FETCH_BATCH):
                for raw in batch:
                    row = {c: _jsonable(v) for c, v in zip(rows.columns, raw)}
                    size += len(json.dumps(row, default=str))
                    if len(out) == max_rows or size > MAX_RESULT_BYTES:
                        truncated = True
                        break
                    out.append(row)
                if truncated:
                    break
    except QueryTimeoutError as exc:
        raise MapQueryTimeoutError(
            f"the query on server {instance_id} took longer than {timeout_s:g} s and was interrupted; "
            f"add a WHERE or a LIMIT that narrows it, or allow more time (at most {MAX_TIMEOUT_S:g} s)",
            limit_s=timeout_s,
        ) from exc
    if truncated and not out:
        raise MapQueryError(
            f"the first row of the result alone is larger than the {MAX_RESULT_BYTES:,} characters a map query may "
            "return; select fewer or shorter columns (e.g. left(text, 200))"
        )
    return QueryResult(columns=list(rows.columns), rows=out, truncated=truncated)


def sql(instance_id: int, statement: str, *, max_rows: int = DEFAULT_MAX_ROWS,
        timeout_s: float = DEFAULT_TIMEOUT_S, sync: bool = True) -> QueryResult:
    """Run one read-only query over the instance's map database, by default caught up first from its snapshot
    files.

    GEOMETRY columns come back as WKT text. The statement must be a single read-only one, it runs in a
    transaction that is rolled back, and with file access disabled, so it can neither change the map database
    nor read other files. At most `max_rows` (1..MAX_ROWS) rows and MAX_RESULT_BYTES come back, with
    `truncated` set when more were there; a query running longer than `timeout_s` is interrupted
    (MapQueryTimeoutError). With `sync=False` the database is opened read-only and not written at all
    (MapNotReadyError if it was never synced).
    """
    _check_bounds(max_rows, timeout_s)
    try:
        _refuse_writes(statement)
    except QueryError as exc:
        raise MapQueryError(f"map query refused: {exc}") from exc
    # The snapshot files outlive the process, so a crashed server's map can still be read.
    inst = get_instance(instance_id, running=False)
    with _locked(inst):
        try:
            con, report = _open_synced(inst) if sync else (_open_read_only(inst), None)
            try:
                # After the sync, which may read the snapshot files; this cannot be switched back on.
                con.execute("SET enable_external_access = false")
                # DuckDB's own buffers (lists, sorts, joins) stop here with an out-of-memory error instead of
                # taking the machine; a single giant string (repeat) is not counted by DuckDB (docs/mcp.md).
                con.execute(f"SET memory_limit = '{QUERY_MEMORY_LIMIT}'")
                result = _fetch(con, instance_id, statement, max_rows, timeout_s)
            finally:
                con.close()
            notice = report.notice if report is not None else None
            return dataclasses.replace(result, notice=notice) if notice else result
        except SnapshotError as exc:
            raise MapNotReadyError(f"server {instance_id}'s map is not readable yet: {exc}") from exc
        except QueryError as exc:
            raise MapQueryError(f"map query on server {instance_id} refused or failed: {exc}") from exc
        except (DatabaseError, duckdb.Error) as exc:
            raise MapQueryError(f"reading server {instance_id}'s map database failed: {exc}") from exc
