"""`fv sql` details and `fv --version`: comments, stdin, stopped servers, table layout, caps."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

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


def test_an_empty_table_still_names_its_columns():
    assert format_rows([], ["entity_key", "entity_name"]).splitlines() == [
        "entity_key  entity_name", "----------  -----------", "(0 rows)"]
    assert format_rows([]) == "(no rows)"


def test_max_rows_past_the_cap_is_a_usage_error():
    result = runner.invoke(app, ["sql", "--max-rows", "100000000", "SELECT 1"])
    assert result.exit_code == 2
    assert str(operations.MAX_ROWS) in result.output


def test_a_slow_query_is_interrupted(instance):
    result = runner.invoke(app, ["sql", "--timeout", "0.5", "SELECT count(*) FROM range(100000000) a, range(100000) b"])
    assert result.exit_code == 1
    assert "interrupted" in result.output
    # It names the limit it ran past and the option that raises it.
    assert "0.5 s" in result.output
    assert f"--timeout SECONDS (now 0.5, at most {operations.MAX_TIMEOUT_S:g})" in result.output


def test_csv_has_a_header_and_one_line_per_row(instance):
    result = runner.invoke(app, ["sql", "--csv", "SELECT * FROM (VALUES (1, 'a,b', NULL, [1, 2], true), "
                                 "(2, 'say \"hi\"', 0.25, NULL, false)) t(n, text, f, l, b) ORDER BY n"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["n", "text", "f", "l", "b"],
        ["1", "a,b", "", "[1,2]", "true"],
        ["2", 'say "hi"', "0.25", "", "false"],
    ]


def test_csv_of_no_rows_still_names_the_columns(instance):
    result = runner.invoke(app, ["sql", "--csv", "SELECT amount, surface FROM resource_tile WHERE false"])
    assert result.exit_code == 0, result.output
    assert result.output == "amount,surface\n"


def test_csv_cut_at_max_rows_says_so_on_stderr_only(instance):
    result = runner.invoke(app, ["sql", "--csv", "--max-rows", "3", "SELECT range AS n FROM range(10)"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["n", "0", "1", "2"]
    assert "cut at 3 rows" in result.stderr


def test_json_and_csv_together_is_a_usage_error():
    result = runner.invoke(app, ["sql", "--json", "--csv", "SELECT 1"])
    assert result.exit_code == 2
    # Typer draws usage errors in a box that wraps the message; the words are what count.
    assert "choose one output format: --json or --csv" in " ".join(result.output.replace("│", " ").split())


def test_a_syntax_error_names_the_place_and_duckdbs_message(instance):
    result = runner.invoke(app, ["sql", "SELECT entity_key\nFROM map_entity\nWHERE entity_name = 'x' ORDER entity_key"])
    assert result.exit_code == 1
    out = result.output
    assert 'syntax error at or near "entity_key"' in out and "at line 3, column 31" in out
    text_line, caret = out.rstrip("\n").splitlines()[-2:]
    assert text_line[caret.index("^"):] == "entity_key"


def test_the_real_fv_command_prints_csv(instance):
    """The installed `fv` entry point, in its own process, as a user runs it."""
    fv = Path(sys.executable).with_name("fv")
    done = subprocess.run([str(fv), "sql", "--csv", "SELECT 7 AS seven, 'x' AS letter"], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "seven,letter\n7,x\n"


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


def test_a_map_another_process_holds_names_the_file_and_the_holder(instance, monkeypatch):
    from factoryverse.servers import _map_db
    from tests.servers._db_holder import database_held_by_another_process

    assert runner.invoke(app, ["sql", "SELECT 1"]).exit_code == 0  # the database file exists
    monkeypatch.setattr(_map_db, "_DB_LOCK_WAIT_S", 0.3)  # its real wait (10 s) is for a holder about to finish
    with database_held_by_another_process(instance.db_path):
        result = runner.invoke(app, ["sql", "SELECT 1"])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert str(instance.db_path) in out
    assert re.search(r"process \d+ \(\S*python\S*\) holds it open", out), out
    assert runner.invoke(app, ["sql", "SELECT 1"]).exit_code == 0  # free again once the holder is gone
