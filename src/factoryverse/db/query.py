"""Running SQL and handing back plain rows; a read-only guard for SQL typed by users and agents."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import duckdb

from .errors import QueryError

__all__ = ["query", "check_read_only", "run_user_sql"]

_READ_ONLY = {duckdb.StatementType.SELECT}
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALYZE\s+)?", re.IGNORECASE)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unique(names: list[str]) -> list[str]:
    """Column names made unique the way DuckDB does in subqueries: a repeat of `x` becomes `x_1`."""
    used: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 0
        while candidate in used:
            n += 1
            candidate = f"{name}_{n}"
        used.add(candidate)
        out.append(candidate)
    return out


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *,
          limit: int | None = None, geometry: str = "wkt") -> list[dict[str, Any]]:
    """Run `sql` and return its rows as dicts keyed by column name (duplicate names get _1, _2...).

    GEOMETRY values come back as WKT text (geometry="wkt") or DuckDB's WKB bytes ("wkb");
    `limit` caps the rows fetched. DuckDB's own error text is kept in the QueryError.
    """
    if geometry not in ("wkt", "wkb"):
        raise ValueError(f"geometry must be 'wkt' or 'wkb', not {geometry!r}")
    try:
        rel = con.sql(sql, params=params) if params is not None else con.sql(sql)
        if rel is None:  # a statement without a result (CREATE, INSERT...) has already run
            return []
        columns = _unique(rel.columns)
        to_text = [geometry == "wkt" and str(t) == "GEOMETRY" for t in rel.types]
        if any(to_text) or columns != list(rel.columns):
            # Positional references (#n) stay unambiguous when the query repeats a column name.
            rel = rel.project(", ".join(
                f"{'ST_AsText(#%d)' % i if text else '#%d' % i} AS {_quote_ident(c)}"
                for i, (c, text) in enumerate(zip(columns, to_text), 1)
            ))
        if limit is not None:
            rel = rel.limit(limit)
        rows = rel.fetchall()
    except duckdb.Error as exc:
        raise QueryError(f"query failed: {exc}", sql=sql) from exc
    return [dict(zip(columns, row)) for row in rows]


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise QueryError unless `sql` is exactly one statement that only reads (SELECT, EXPLAIN SELECT)."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"the SQL does not parse: {exc}", sql=sql) from exc
    if len(statements) != 1:
        raise QueryError(f"give exactly one SQL statement, not {len(statements)}", sql=sql)
    kind = statements[0].type
    if kind == duckdb.StatementType.EXPLAIN:
        # EXPLAIN ANALYZE runs its statement, so what it explains must be read-only too.
        match = _EXPLAIN.match(sql)
        if match is None:
            raise QueryError("only EXPLAIN [ANALYZE] <SELECT ...> is allowed", sql=sql)
        check_read_only(con, sql[match.end():])
        return
    if kind not in _READ_ONLY:
        raise QueryError(
            f"only read-only queries are allowed (SELECT, WITH ... SELECT, DESCRIBE, SHOW, EXPLAIN); "
            f"this is a {kind.name} statement. The map database is written only by the snapshot sync",
            sql=sql,
        )


def run_user_sql(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *,
                 limit: int | None = None, geometry: str = "wkt") -> list[dict[str, Any]]:
    """check_read_only, then query on a separate cursor inside a transaction that is rolled back."""
    check_read_only(con, sql)
    cursor = con.cursor()
    try:
        cursor.begin()
        try:
            return query(cursor, sql, params, limit=limit, geometry=geometry)
        finally:
            cursor.rollback()
    finally:
        cursor.close()
