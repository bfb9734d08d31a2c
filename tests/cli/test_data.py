"""`fv data schema` (every table and column with its meaning) and `fv data refresh` (rebuild from the files)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.cli.data import NO_COMMENT
from factoryverse.db import connect, create_schema, describe_schema
from tests.servers._instance import running_instance

runner = CliRunner()

# Bookkeeping tables of the sync, not the map; every other table and column must say what it means.
_BOOKKEEPING = {"schema_version", "sync_state"}
# Derived tables landing with issue 11 whose COMMENTs are still to come; a table leaves this set once commented,
# and no other table may join it.
_COMMENTS_PENDING = {"belt_line", "belt_line_member", "power_network", "water_patch"}


def _flat(text: str) -> str:
    """Typer draws usage errors in a box that wraps the message; the words are what count."""
    return " ".join(text.replace("│", " ").split())


def _fresh_layout() -> list[dict]:
    con = connect(":memory:")
    try:
        create_schema(con)
        return [json.loads(json.dumps(t.__dict__, default=lambda o: o.__dict__)) for t in describe_schema(con)]
    finally:
        con.close()


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    with running_instance(tmp_path_factory.mktemp("fv_home")) as inst:
        yield inst


def test_schema_json_is_every_table_and_column_of_a_new_database():
    result = runner.invoke(app, ["data", "schema", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == _fresh_layout()
    names = {t["name"] for t in printed}
    # The seed's tables, by the seed's names.
    assert {"map_entity", "resource_patch", "resource_tile", "ghost", "mining_drill"} <= names


def test_every_map_table_and_column_says_what_it_means():
    missing = [(t["name"], c) for t in _fresh_layout() if t["name"] not in _BOOKKEEPING | _COMMENTS_PENDING
               for c in ([""] if not t["comment"] else []) + [c["name"] for c in t["columns"] if not c["comment"]]]
    assert missing == [], f"add a COMMENT (\"\" is the table itself): {missing}"


def test_schema_text_has_a_line_per_column_with_its_comment_or_says_it_has_none():
    result = runner.invoke(app, ["data", "schema"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for table in _fresh_layout():
        header = f"{table['name']}: {table['comment'] or NO_COMMENT}"
        assert header in lines, header
        start = lines.index(header)
        body = lines[start + 1:start + 1 + len(table["columns"])]
        for line, column in zip(body, table["columns"]):
            words = line.split()
            assert words[0] == column["name"]
            assert line.endswith(column["comment"] or NO_COMMENT), line
            assert ("NOT NULL" in line) is (not column["nullable"])
    total = sum(len(t["columns"]) for t in _fresh_layout())
    assert lines[-1].startswith(f"({len(_fresh_layout())} tables, {total} columns")


def test_schema_of_named_tables_only_and_an_unknown_name_lists_the_tables():
    result = runner.invoke(app, ["data", "schema", "--json", "resource_patch", "map_entity"])
    assert result.exit_code == 0, result.output
    assert [t["name"] for t in json.loads(result.output)] == ["map_entity", "resource_patch"]
    result = runner.invoke(app, ["data", "schema", "map_entitty"])
    assert result.exit_code == 2
    assert "no table 'map_entitty'; the tables are:" in _flat(result.output)
    assert "map_entity" in _flat(result.output)


def test_schema_of_an_unknown_server_is_a_usage_error(fv_home):
    result = runner.invoke(app, ["data", "schema", "--server", "7"])
    assert result.exit_code == 2
    assert "--server" in result.output


def test_the_real_fv_command_prints_the_schema():
    """The installed `fv` entry point, in its own process, as a user runs it."""
    fv = Path(sys.executable).with_name("fv")
    done = subprocess.run([str(fv), "data", "schema", "resource_tile"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("resource_tile: ")
    assert [line.split()[0] for line in lines[1:-1]] == ["surface", "name", "x", "y", "amount", "geom"]


def test_schema_of_a_servers_database_is_the_file_it_has(instance):
    result = runner.invoke(app, ["data", "schema", "--json", "--server", str(instance.id)])
    assert result.exit_code == 0, result.output
    printed = {t["name"]: [c["name"] for c in t["columns"]] for t in json.loads(result.output)}
    con = connect(instance.db_path, read_only=True)
    try:
        expected: dict[str, list[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "ORDER BY table_name, ordinal_position"
        ).fetchall():
            expected.setdefault(table, []).append(column)
    finally:
        con.close()
    assert printed == expected


def _tile_count(server_id: int) -> int:
    result = runner.invoke(app, ["sql", "--json", "-s", str(server_id), "SELECT count(*) AS n FROM resource_tile"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]["n"]


def test_refresh_rebuilds_a_ruined_database_from_the_files_of_a_stopped_server(tmp_path):
    with running_instance(tmp_path / "fv_home") as inst:
        tiles = _tile_count(inst.id)
        assert tiles > 0
        os.kill(inst.pid, signal.SIGKILL)  # the engine this test started: the files are all that is left
        os.waitpid(inst.pid, 0)
        inst.db_path.write_bytes(b"not a database" * 1000)
        broken = runner.invoke(app, ["sql", "-s", str(inst.id), "SELECT 1"])
        assert broken.exit_code == 1 and str(inst.db_path) in broken.output
        result = runner.invoke(app, ["data", "refresh", str(inst.id)])
        assert result.exit_code == 0, result.output
        status = (inst.script_output / "fv_snapshot" / "status.jsonl").read_text().splitlines()
        run_id = json.loads(status[-1])["run_id"]
        assert f"server {inst.id}: map database {inst.db_path} rebuilt from run {run_id}" in result.output
        assert _tile_count(inst.id) == tiles


def test_refresh_of_an_unknown_server_names_the_argument(fv_home):
    result = runner.invoke(app, ["data", "refresh", "9"])
    assert result.exit_code == 2
    assert "9" in _flat(result.output)


def test_refresh_waits_for_a_process_holding_the_database_and_names_it(instance, monkeypatch):
    """Deleting the file under a SyncService would leave it writing a file nobody reads: refresh refuses."""
    import re

    from factoryverse.servers import _map_db
    from tests.servers._db_holder import database_held_by_another_process

    assert runner.invoke(app, ["data", "refresh", str(instance.id)]).exit_code == 0
    before = instance.db_path.stat().st_ino
    monkeypatch.setattr(_map_db, "_DB_LOCK_WAIT_S", 0.3)  # its real wait (10 s) is for a holder about to finish
    with database_held_by_another_process(instance.db_path):
        result = runner.invoke(app, ["data", "refresh", str(instance.id)])
        assert instance.db_path.stat().st_ino == before  # the file the holder writes is still the map's
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert str(instance.db_path) in out and re.search(r"process \d+ \(\S*python\S*\) holds it open", out), out
    assert runner.invoke(app, ["data", "refresh", str(instance.id)]).exit_code == 0
