"""Running SQL and handing back plain rows; a read-only guard for SQL typed by users and agents."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb

from .errors import QueryError

__all__ = ["query", "check_read_only", "run_user_sql", "user_query", "UserRows"]

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


def _relation(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None,
              limit: int | None, geometry: str) -> tuple[list[str], duckdb.DuckDBPyRelation | None]:
    if geometry not in ("wkt", "wkb"):
        raise ValueError(f"geometry must be 'wkt' or 'wkb', not {geometry!r}")
    rel = con.sql(sql, params=params) if params is not None else con.sql(sql)
    if rel is None:  # a statement without a result (CREATE, INSERT...) has already run
        return [], None
    columns = _unique(rel.columns)
    to_text = [geometry == "wkt" and str(t) == "GEOMETRY" for t in rel.types]
    if any(to_text) or columns != list(rel.columns):
        # Positional references (#n) stay unambiguous when the query repeats a column name.
        rel = rel.project(", ".join(
            f"{'ST_AsText(#%d)' % i if text else '#%d' % i} AS {_quote_ident(c)}"
            for i, (c, text) in enumerate(zip(columns, to_text), 1)
        ))
    if limit is not None:
        # Pushed into the query, so DuckDB stops producing rows at the limit instead of the caller dropping them.
        rel = rel.limit(limit)
    return columns, rel


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *,
          limit: int | None = None, geometry: str = "wkt") -> list[dict[str, Any]]:
    """Run `sql` and return its rows as dicts keyed by column name (duplicate names get _1, _2...).

    GEOMETRY values come back as WKT text (geometry="wkt") or DuckDB's WKB bytes ("wkb");
    `limit` caps the rows fetched. DuckDB's own error text is kept in the QueryError.
    """
    try:
        columns, rel = _relation(con, sql, params, limit, geometry)
        rows = rel.fetchall() if rel is not None else []
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


class UserRows:
    """The rows of a query opened by user_query, fetched in batches so memory follows the batch, not the result."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, sql: str, columns: list[str],
                 rel: duckdb.DuckDBPyRelation | None) -> None:
        self._cursor = cursor
        self._sql = sql
        self._rel = rel
        self.columns = columns

    def batches(self, size: int = 1000) -> Iterator[list[tuple[Any, ...]]]:
        """Row tuples (in `columns` order), at most `size` at a time, until the result or its limit is exhausted."""
        if self._rel is None:
            return
        while True:
            try:
                batch = self._rel.fetchmany(size)
            except duckdb.Error as exc:
                raise QueryError(f"query failed: {exc}", sql=self._sql) from exc
            if not batch:
                return
            yield batch

    def interrupt(self) -> None:
        """Stop the running query from another thread; the fetch that runs it raises QueryError (InterruptException)."""
        self._cursor.interrupt()


@contextmanager
def user_query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *,
               limit: int | None = None, geometry: str = "wkt") -> Iterator[UserRows]:
    """run_user_sql's guard (check_read_only, own cursor, rolled-back transaction) with the rows streamed.

        with user_query(con, sql, limit=1001) as rows:
            for batch in rows.batches():
                ...
    """
    check_read_only(con, sql)
    cursor = con.cursor()
    try:
        cursor.begin()
        try:
            try:
                columns, rel = _relation(cursor, sql, params, limit, geometry)
            except duckdb.Error as exc:
                raise QueryError(f"query failed: {exc}", sql=sql) from exc
            yield UserRows(cursor, sql, columns, rel)
        finally:
            cursor.rollback()
    finally:
        cursor.close()
