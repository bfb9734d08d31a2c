"""`fv sql` details and `fv --version`: comments, stdin, stopped servers, table layout, caps."""

from __future__ import annotations

import json
import os
import signal

import pytest
from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.cli.sql import MAX_CELL_WIDTH, format_rows
from factoryverse.servers import operations
from tests.servers._instance import running_instance

runner = CliRunner()


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    with running_instance(tmp_path_factory.mktemp("fv_home")) as inst:
        yield inst


def test_version_prints_the_package_version():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"fv {version('factoryverse')}"


def test_sql_starting_with_a_comment_is_sql_not_an_option(instance):
    """Regression: `fv sql "-- comment\\nSELECT 1"` was refused as an unknown option."""
    result = runner.invoke(app, ["sql", "--json", "-- how many tiles\nSELECT count(*) > 0 AS any FROM resource_tile"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"any": True}]
    # Options after the statement still count.
    result = runner.invoke(app, ["sql", "-- one\nSELECT 1 AS one", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"one": 1}]


def test_a_mistyped_option_is_still_an_option_error(instance):
    result = runner.invoke(app, ["sql", "--jsn"])
    assert result.exit_code == 2
    assert "no such option" in result.output


def test_dash_reads_the_sql_from_stdin(instance):
    result = runner.invoke(app, ["sql", "--json", "-"], input="-- from a file\nSELECT 2 AS two\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"two": 2}]
    empty = runner.invoke(app, ["sql", "-"], input="")
    assert empty.exit_code == 2 and "empty" in empty.output


def test_describe_is_not_padded_to_an_enums_type(instance):
    """Regression: DESCRIBE of a table with an ENUM column padded every line to the whole ENUM type's width."""
    result = runner.invoke(app, ["sql", "DESCRIBE map_entity"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("ENUM(" in line for line in lines)  # the name column is an ENUM of the game's prototypes
    widest = max(len(line) for line in lines)
    assert widest <= 6 * (MAX_CELL_WIDTH + 2), widest
    assert "..." in result.output


def test_format_rows_cuts_long_cells():
    table = format_rows([{"a": "x" * 500, "b": 1}, {"a": "short", "b": None}])
    header, rule, first, second, count = table.splitlines()
    assert len(first) <= MAX_CELL_WIDTH + 2 + 1 and first.startswith("x" * (MAX_CELL_WIDTH - 3) + "...")
    assert second.split() == ["short", "NULL"] and count == "(2 rows)"


def test_max_rows_past_the_cap_is_a_usage_error():
    result = runner.invoke(app, ["sql", "--max-rows", "100000000", "SELECT 1"])
    assert result.exit_code == 2
    assert str(operations.MAX_ROWS) in result.output


def test_a_slow_query_is_interrupted(instance):
    result = runner.invoke(app, ["sql", "--timeout", "0.5", "SELECT count(*) FROM range(100000000) a, range(100000) b"])
    assert result.exit_code == 1
    assert "interrupted" in result.output


def test_a_stopped_servers_map_is_read_from_its_files(tmp_path):
    """Regression: `fv sql -s ID` refused a recorded server whose process had died; MCP and the dashboard read it."""
    with running_instance(tmp_path / "fv_home") as inst:
        assert runner.invoke(app, ["sql", "SELECT 1"]).exit_code == 0  # the map database exists
        os.kill(inst.pid, signal.SIGKILL)  # the engine this test started: a crash, not `fv server stop`
        os.waitpid(inst.pid, 0)  # reaped, so its pid names no process
        assert operations.instances()[0]["alive"] is False
        result = runner.invoke(app, ["sql", "-s", str(inst.id), "--json",
                                     "SELECT count(*) > 0 AS any FROM resource_tile"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == [{"any": True}]
        # Without -s, the error points at -s.
        result = runner.invoke(app, ["sql", "SELECT 1"])
        assert result.exit_code == 2 and "--server ID" in result.output
