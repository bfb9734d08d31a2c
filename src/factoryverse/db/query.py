"""Running SQL and handing back plain rows; a read-only guard for SQL typed by users and agents."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb

from .errors import QueryError, QuerySyntaxError, QueryTimeoutError

__all__ = ["query", "check_read_only", "run_user_sql", "user_query", "UserRows", "syntax_error"]

_READ_ONLY = {duckdb.StatementType.SELECT}
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALYZE\s+)?", re.IGNORECASE)
# DuckDB's exception text ends with a picture of the place ("LINE 1: ...\n   ^"); the error keeps our own.
_PICTURE = re.compile(r"\n\nLINE \d+:.*", re.DOTALL)
_PREFIX = re.compile(r"^Parser Error: ")
# How much of a long line the syntax error shows either side of the place it points at.
_EXCERPT_HALF = 40
# How often the time limit's interrupt is repeated: one that lands before DuckDB starts executing is forgotten.
_INTERRUPT_REPEAT_S = 0.1


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


def _parse_position(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[str | None, int | None]:
    """DuckDB's parser message and the character offset it points at; the exception text carries no offset."""
    try:
        row = con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
        answer = json.loads(row[0]) if row else {}
    except (duckdb.Error, ValueError):
        return None, None
    if not answer.get("error") or answer.get("error_type") != "parser":
        return None, None
    position = answer.get("position")
    return answer.get("error_message"), int(position) if position is not None and str(position).isdigit() else None


def syntax_error(con: duckdb.DuckDBPyConnection, sql: str, exc: duckdb.Error) -> QuerySyntaxError:
    """The QuerySyntaxError for `sql`, which DuckDB refused to parse with `exc`: its message, line and column,
    and the line of the query with a caret under the place."""
    message, position = _parse_position(con, sql)
    detail = message or _PREFIX.sub("", _PICTURE.sub("", str(exc))).strip()
    if position is None or position > len(sql):
        return QuerySyntaxError(f"the SQL does not parse: {detail}\n{_excerpt(sql)}", sql=sql, detail=detail,
                                position=None)
    line = sql.count("\n", 0, position) + 1
    start = sql.rfind("\n", 0, position) + 1
    end = sql.find("\n", position)
    text = sql[start:] if end < 0 else sql[start:end]
    column = position - start + 1
    # A long line is shown around the place, so the caret stays on screen.
    left = max(0, column - 1 - _EXCERPT_HALF)
    shown = text[left:column - 1 + _EXCERPT_HALF]
    lead = "..." if left else ""
    tail = "..." if left + len(shown) < len(text) else ""
    picture = f"    {lead}{shown}{tail}\n    {' ' * (len(lead) + column - 1 - left)}^"
    return QuerySyntaxError(
        f"the SQL does not parse: {detail} at line {line}, column {column} (character {position}):\n{picture}",
        sql=sql, detail=detail, position=position, line=line, column=column,
    )


def _excerpt(sql: str) -> str:
    one_line = " ".join(sql.split())
    return "    " + (one_line if len(one_line) <= 2 * _EXCERPT_HALF else one_line[:2 * _EXCERPT_HALF - 3] + "...")


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise QueryError unless `sql` is exactly one statement that only reads (SELECT, EXPLAIN SELECT);
    QuerySyntaxError (naming line, column and DuckDB's message) when it does not parse."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise syntax_error(con, sql, exc) from exc
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
                 limit: int | None = None, geometry: str = "wkt", timeout_s: float | None = None,
                 ) -> list[dict[str, Any]]:
    """check_read_only, then query on a separate cursor inside a transaction that is rolled back.

    `limit` cuts the rows (silently: ask for limit + 1 to learn whether there were more); a query still running
    after `timeout_s` seconds is interrupted with QueryTimeoutError.
    """
    with user_query(con, sql, params, limit=limit, geometry=geometry, timeout_s=timeout_s) as rows:
        return [dict(zip(rows.columns, row)) for batch in rows.batches() for row in batch]


class UserRows:
    """The rows of a query opened by user_query, fetched in batches so memory follows the batch, not the result."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, sql: str, columns: list[str],
                 rel: duckdb.DuckDBPyRelation | None, watchdog: _Watchdog | None = None) -> None:
        self._cursor = cursor
        self._sql = sql
        self._rel = rel
        self._watchdog = watchdog
        self.columns = columns

    def batches(self, size: int = 1000) -> Iterator[list[tuple[Any, ...]]]:
        """Row tuples (in `columns` order), at most `size` at a time, until the result or its limit is exhausted."""
        if self._rel is None:
            return
        while True:
            try:
                batch = self._rel.fetchmany(size)
            except duckdb.Error as exc:
                raise _failure(exc, self._sql, self._watchdog) from exc
            if not batch:
                return
            yield batch

    def interrupt(self) -> None:
        """Stop the running query from another thread; the fetch that runs it raises QueryError (InterruptException)."""
        self._cursor.interrupt()


def _failure(exc: duckdb.Error, sql: str, watchdog: _Watchdog | None) -> QueryError:
    if watchdog is not None and watchdog.fired.is_set():
        limit = watchdog.timeout_s
        return QueryTimeoutError(
            f"the query ran past its time limit of {limit:g} s and was interrupted; narrow it (a WHERE on the "
            "position or bbox, a LIMIT) or raise the limit (timeout_s)", sql=sql, limit_s=limit,
        )
    return QueryError(f"query failed: {exc}", sql=sql)


class _Watchdog:
    """Interrupts a cursor's query once `timeout_s` has passed, until stopped; `fired` says whether it did."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.fired = threading.Event()
        self._done = threading.Event()
        self._cursor = cursor
        self._thread = threading.Thread(target=self._watch, name="fv-query-watchdog", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        if self._done.wait(self.timeout_s):
            return
        self.fired.set()
        while True:
            self._cursor.interrupt()
            if self._done.wait(_INTERRUPT_REPEAT_S):
                return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()  # before the caller's rollback, which a late interrupt would otherwise hit


@contextmanager
def user_query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None = None, *,
               limit: int | None = None, geometry: str = "wkt", timeout_s: float | None = None,
               ) -> Iterator[UserRows]:
    """run_user_sql's guard (check_read_only, own cursor, rolled-back transaction) with the rows streamed.

        with user_query(con, sql, limit=1001, timeout_s=10) as rows:
            for batch in rows.batches():
                ...

    The time limit counts from here until the block ends; past it, batches() raises QueryTimeoutError.
    """
    if timeout_s is not None and not timeout_s > 0:
        raise ValueError(f"timeout_s must be more than 0 seconds (or None for no limit), not {timeout_s}")
    check_read_only(con, sql)
    cursor = con.cursor()
    try:
        cursor.begin()
        try:
            # Started first: DESCRIBE, SHOW and some EXPLAINs run while their relation is made.
            watchdog = _Watchdog(cursor, timeout_s) if timeout_s is not None else None
            try:
                try:
                    columns, rel = _relation(cursor, sql, params, limit, geometry)
                except duckdb.Error as exc:
                    raise _failure(exc, sql, watchdog) from exc
                yield UserRows(cursor, sql, columns, rel, watchdog)
            finally:
                if watchdog is not None:
                    watchdog.stop()
        finally:
            cursor.rollback()
    finally:
        cursor.close()
