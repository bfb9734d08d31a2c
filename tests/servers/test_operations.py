"""The shared backend against a real instance, and its errors for ids and records that lead nowhere."""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict

import pytest

from factoryverse.servers.instances import Instance, list_instances
from factoryverse.servers import operations
from tests.servers._instance import place_chest


def test_public_api_is_pinned():
    assert set(operations.__all__) == {
        "BackendError", "UnknownServerError", "ServerNotRunningError", "RconError", "LuaError", "MapNotReadyError",
        "MapQueryError", "QueryResult", "instances", "get_instance", "rcon", "run_lua", "remote_versions", "sql",
        "DEFAULT_MAX_ROWS",
    }
    for name in operations.__all__[:7]:
        assert issubclass(getattr(operations, name), operations.BackendError)


def test_instances_lists_the_server_without_its_password(instance):
    listed = operations.instances()
    assert [s["id"] for s in listed] == [instance.id]
    server = listed[0]
    assert server["alive"] is True
    assert server["rcon_port"] == instance.rcon_port
    assert server["snapshot_udp_port"] == instance.snapshot_udp_port
    assert "rcon_password" not in server
    assert instance.rcon_password not in json.dumps(listed)


def test_run_lua_returns_what_the_game_printed(instance):
    tick = int(operations.run_lua(instance.id, "rcon.print(game.tick)"))
    assert tick > 0
    assert operations.run_lua(instance.id, "local s = game.surfaces[1]\nrcon.print(s.name)") == "nauvis"
    assert operations.run_lua(instance.id, "local quiet = 1") == ""


def test_run_lua_raises_the_games_error_text(instance):
    with pytest.raises(operations.LuaError, match="no_such_global"):
        operations.run_lua(instance.id, "rcon.print(no_such_global.x)")


def test_rcon_sends_slash_commands_as_they_are(instance):
    assert "Unknown command" in operations.rcon(instance.id, "/fv_no_such_command")


def test_remote_versions_answers_for_every_interface(instance):
    versions = operations.remote_versions(instance.id)
    assert {"agent", "map", "placement_hints"} <= set(versions)
    for name, v in versions.items():
        assert v["interface"] == name
        assert v["schema_version"] == 1


def test_sql_reads_the_snapshot_and_gives_geometry_as_wkt(instance):
    result = operations.sql(instance.id, "SELECT count(*) AS n FROM resource_tile")
    assert result.columns == ["n"] and result.rows[0]["n"] > 0
    patches = operations.sql(instance.id, "SELECT resource_name, centroid FROM resource_patch ORDER BY patch_id")
    assert patches.rows and patches.rows[0]["centroid"].startswith("POINT")
    json.dumps(patches.as_dict())  # what the front ends send must serialise as is


def test_sql_sees_an_entity_built_after_the_first_load(instance):
    operations.sql(instance.id, "SELECT 1")  # the database is loaded before the chest exists
    unit = place_chest(instance, 7.5, 9.5)
    rows = operations.sql(instance.id, f"SELECT name, x, y FROM map_entity WHERE unit_number = {unit}").rows
    assert rows == [{"name": "wooden-chest", "x": 7.5, "y": 9.5}]


def test_sql_truncates_at_max_rows(instance):
    result = operations.sql(instance.id, "SELECT x FROM resource_tile ORDER BY y, x", max_rows=3)
    assert len(result.rows) == 3 and result.truncated
    assert result.as_dict()["row_count"] == 3


@pytest.mark.parametrize("statement", [
    "DROP TABLE resource_tile",
    "SELECT 1; DELETE FROM resource_tile",
    "INSERT INTO chunk VALUES ('nauvis', 0, 0, 0, ST_Point(0, 0))",
    "WITH t AS (SELECT 1) DELETE FROM resource_tile",
])
def test_sql_refuses_anything_but_one_read_only_statement(instance, statement):
    with pytest.raises(operations.MapQueryError, match="read-only|exactly one"):
        operations.sql(instance.id, statement)


def test_a_refused_write_leaves_the_map_alone(instance):
    before = operations.sql(instance.id, "SELECT count(*) AS n FROM resource_tile").rows
    assert before[0]["n"] > 0
    with pytest.raises(operations.MapQueryError):
        operations.sql(instance.id, "DELETE FROM resource_tile")
    assert operations.sql(instance.id, "SELECT count(*) AS n FROM resource_tile").rows == before


def test_sql_cannot_read_other_files(instance, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(operations.MapQueryError, match="disabled"):
        operations.sql(instance.id, f"SELECT * FROM read_csv('{secret}')")


def test_unknown_server_says_to_run_fv_server_status(instance):
    with pytest.raises(operations.UnknownServerError, match="fv server status") as info:
        operations.run_lua(instance.id + 1000, "rcon.print(1)")
    assert str(instance.id) in str(info.value)  # the known ids are listed


def _record(tmp_path, pid: int) -> Instance:
    folder = tmp_path / "instances" / "7"
    (folder / "script-output").mkdir(parents=True)
    inst = Instance(id=7, pid=pid, rcon_host="127.0.0.1", rcon_port=1, rcon_password="s3cret-pw",
                    snapshot_udp_port=2, seed=0, folder=str(folder), started_at=0.0, mode="fast")
    (folder / "instance.json").write_text(json.dumps(asdict(inst)))
    return inst


@pytest.fixture
def dead_record(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTORYVERSE_HOME", str(tmp_path))
    proc = subprocess.Popen(["true"])
    proc.wait()  # reaped: its pid names no process any more
    inst = _record(tmp_path, proc.pid)
    assert [i.id for i in list_instances()] == [7]
    return inst


def test_a_dead_process_is_reported_not_dialled(dead_record):
    with pytest.raises(operations.ServerNotRunningError, match="not running.*fv server stop 7"):
        operations.run_lua(7, "rcon.print(1)")
    assert operations.instances()[0]["alive"] is False
    assert "s3cret-pw" not in json.dumps(operations.instances())


def test_a_map_without_a_snapshot_is_not_ready(dead_record):
    with pytest.raises(operations.MapNotReadyError, match="not readable yet"):
        operations.sql(7, "SELECT 1")


def test_name_columns_are_enums_of_the_games_prototypes(instance):
    """The first query creates the database with ENUM name columns read from the running game over RCON."""
    result = operations.sql(
        instance.id,
        "SELECT table_name, data_type FROM information_schema.columns "
        "WHERE column_name = 'name' AND table_name IN ('resource_tile', 'map_entity') ORDER BY table_name",
    )
    types = {row["table_name"]: row["data_type"] for row in result.rows}
    assert types["resource_tile"].startswith("ENUM(") and "'iron-ore'" in types["resource_tile"]
    assert "'burner-mining-drill'" in types["map_entity"]
