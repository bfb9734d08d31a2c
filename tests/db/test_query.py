from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from factoryverse.db import (QueryError, QuerySyntaxError, QueryTimeoutError, check_read_only, connect,
                            load_snapshot, query, run_user_sql)
from factoryverse.db.query import user_query

from . import _records as R
from ._records import SnapshotWriter


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    """One database for the whole module: every test here only reads (or is refused)."""
    root = tmp_path_factory.mktemp("query")
    writer = SnapshotWriter(root / "fv_snapshot")
    writer.write_init([*R.ore_rect(0, 0, 2, 2, amount=25), R.entity(4, "wooden-chest", 5.5, 5.5)])
    writer.write_status(0)
    con = connect(root / "map.duckdb")
    load_snapshot(con, writer.root)
    yield con
    con.close()


def test_rows_are_dicts_with_geometry_as_wkt(tmp_path: Path) -> None:
    # A table of the test's own: the map tables' column names belong to the schema, not to this module.
    con = connect(tmp_path / "geo.duckdb")
    try:
        con.execute("CREATE TABLE spot AS SELECT 4 AS entity_key, ST_Point(5.5, 5.5) AS place")
        rows = query(con, "SELECT entity_key, place, 1 AS entity_key FROM spot")
        assert rows == [{"entity_key": 4, "place": "POINT (5.5 5.5)", "entity_key_1": 1}]
        raw = query(con, "SELECT place FROM spot", geometry="wkb")[0]["place"]
        assert isinstance(raw, bytes)
    finally:
        con.close()


def test_parameters_and_limit(loaded: duckdb.DuckDBPyConnection) -> None:
    rows = query(loaded, "SELECT x, y FROM resource_tile WHERE amount = ? ORDER BY y, x", [25], limit=3)
    assert rows == [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 0, "y": 1}]


def test_a_failing_query_keeps_duckdbs_message(loaded: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(QueryError) as info:
        query(loaded, "SELECT no_such_column FROM resource_tile")
    assert "no_such_column" in str(info.value)
    assert info.value.sql == "SELECT no_such_column FROM resource_tile"
    assert isinstance(info.value.__cause__, duckdb.Error)


@pytest.mark.parametrize("sql", [
    "DELETE FROM resource_tile",
    "DROP TABLE map_entity",
    "UPDATE resource_tile SET amount = 0",
    "INSERT INTO sync_state VALUES ('a', 'b')",
    "CREATE TABLE t AS SELECT 1",
    "COPY resource_tile TO 'out.csv'",
    "ATTACH 'other.duckdb'",
    "INSTALL httpfs",
    "LOAD '/tmp/anything.duckdb_extension'",
    "SET threads = 1",
    "SELECT 1; DELETE FROM resource_tile",
    "EXPLAIN ANALYZE DELETE FROM resource_tile",
])
def test_writes_are_refused(loaded: duckdb.DuckDBPyConnection, sql: str) -> None:
    with pytest.raises(QueryError):
        run_user_sql(loaded, sql)
    assert query(loaded, "SELECT count(*) AS n FROM resource_tile") == [{"n": 4}]


@pytest.mark.parametrize("sql", [
    "SELECT count(*) FROM resource_patch",
    "WITH p AS (SELECT * FROM resource_patch) SELECT patch_id FROM p",
    "DESCRIBE map_entity",
    "SHOW TABLES",
    "EXPLAIN SELECT * FROM resource_tile",
    "FROM chunk",
])
def test_reads_are_allowed(loaded: duckdb.DuckDBPyConnection, sql: str) -> None:
    check_read_only(loaded, sql)
    assert isinstance(run_user_sql(loaded, sql), list)


def test_unparsable_sql_is_a_query_error(loaded: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(QueryError, match="does not parse"):
        run_user_sql(loaded, "SELEC * FROM")


def test_a_syntax_error_names_duckdbs_message_and_the_place() -> None:
    con = duckdb.connect(":memory:")
    try:
        sql = "SELECT entity_name,\n       count(*) AS n\nFROM map_entity\nGROUP entity_name"
        with pytest.raises(QuerySyntaxError) as info:
            check_read_only(con, sql)
        err = info.value
        assert isinstance(err, QueryError) and isinstance(err.__cause__, duckdb.ParserException)
        assert err.sql == sql
        assert err.detail == 'syntax error at or near "entity_name"'
        # Line 4, where `GROUP` lacks its `BY`: the caret sits under the word DuckDB names.
        assert (err.line, err.column) == (4, 7)
        assert sql[err.position:].startswith("entity_name")
        assert "at line 4, column 7" in str(err)
        text_line, caret = str(err).splitlines()[-2:]
        assert text_line.strip() == "GROUP entity_name"
        assert text_line[caret.index("^"):].startswith("entity_name")
    finally:
        con.close()


def test_a_syntax_error_far_along_a_long_line_keeps_the_caret_on_it() -> None:
    con = duckdb.connect(":memory:")
    try:
        sql = "SELECT " + ", ".join(f"{i} AS c{i}" for i in range(200)) + " FROM WHERE"
        with pytest.raises(QuerySyntaxError) as info:
            check_read_only(con, sql)
        text_line, caret = str(info.value).splitlines()[-2:]
        assert len(text_line) < 100 and text_line.rstrip().endswith("FROM WHERE")
        assert text_line[caret.index("^"):].startswith("WHERE")
        assert info.value.position == sql.index("WHERE")
    finally:
        con.close()


def test_a_query_past_its_time_limit_is_interrupted_with_a_typed_error() -> None:
    con = duckdb.connect(":memory:")
    try:
        slow = "SELECT count(*) FROM range(100000000) a, range(100000) b"
        with pytest.raises(QueryTimeoutError) as info:
            run_user_sql(con, slow, timeout_s=0.2)
        err = info.value
        assert isinstance(err, QueryError) and isinstance(err, TimeoutError)
        assert err.limit_s == 0.2 and err.sql == slow
        assert "time limit of 0.2 s" in str(err) and "timeout_s" in str(err)
        assert isinstance(err.__cause__, duckdb.InterruptException)
        # Only that query ended: the connection answers the next one, and a quick query meets no limit.
        assert run_user_sql(con, "SELECT 42 AS n", timeout_s=0.2) == [{"n": 42}]
    finally:
        con.close()


def test_a_failure_within_the_time_limit_is_not_called_a_timeout() -> None:
    con = duckdb.connect(":memory:")
    try:
        with pytest.raises(QueryError) as info:
            run_user_sql(con, "SELECT 1 / 'x'", timeout_s=30)
        assert not isinstance(info.value, QueryTimeoutError)
        with pytest.raises(ValueError, match="timeout_s"):
            run_user_sql(con, "SELECT 1", timeout_s=0)
    finally:
        con.close()


def test_user_sql_with_params_on_a_read_only_connection(writer: SnapshotWriter, tmp_path: Path) -> None:
    path = tmp_path / "ro.duckdb"
    con = connect(path)
    writer.write_init(R.ore_rect(0, 0, 2, 1, amount=9))
    writer.write_status(0)
    load_snapshot(con, writer.root)
    con.close()
    ro = connect(path, read_only=True, external_access=False)
    try:
        rows = run_user_sql(ro, "SELECT resource_name, total_amount FROM resource_patch WHERE total_amount > $1", [1])
        assert rows == [{"resource_name": "iron-ore", "total_amount": 18}]
        # A SELECT could otherwise read any file: an agent must not see the server's files.
        secret = tmp_path / "secret.txt"
        secret.write_text("hidden")
        with pytest.raises(QueryError, match="disabled by configuration"):
            run_user_sql(ro, f"SELECT content FROM read_text('{secret}')")
    finally:
        ro.close()


def test_user_query_streams_batches_up_to_its_limit() -> None:
    """The rows of a huge result come in batches and stop at the limit: nothing past it is produced or kept."""
    con = duckdb.connect(":memory:")
    try:
        with user_query(con, "SELECT range AS n FROM range(1000000000)", limit=25) as rows:
            assert rows.columns == ["n"]
            sizes = [len(batch) for batch in rows.batches(10)]
        assert sizes == [10, 10, 5]
    finally:
        con.close()


def test_user_query_can_be_interrupted_from_another_thread() -> None:
    """A query that would run for minutes stops when interrupted, as a QueryError whose cause is DuckDB's."""
    con = duckdb.connect(":memory:")
    try:
        with user_query(con, "SELECT count(*) FROM range(100000000) a, range(100000) b") as rows:
            done = threading.Event()

            def interrupt_until_done() -> None:
                # Repeated, because an interrupt that lands before the query starts executing is forgotten.
                while not done.wait(0.05):
                    rows.interrupt()

            threading.Thread(target=interrupt_until_done, daemon=True).start()
            try:
                with pytest.raises(QueryError, match="Interrupted") as info:
                    next(rows.batches())
            finally:
                done.set()
        assert isinstance(info.value.__cause__, duckdb.InterruptException)
        # The connection stays usable: the interrupt ended that query only.
        assert con.sql("SELECT 42").fetchall() == [(42,)]
    finally:
        con.close()


def test_user_query_refuses_writes_before_running_them() -> None:
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE TABLE t AS SELECT 1 AS a")
        with pytest.raises(QueryError, match="read-only"):
            with user_query(con, "DELETE FROM t"):
                pass
        assert con.sql("SELECT count(*) FROM t").fetchall() == [(1,)]
    finally:
        con.close()
