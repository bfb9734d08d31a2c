"""The shared backend against a real instance, and its errors for ids and records that lead nowhere."""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict

import pytest

from factoryverse.servers.instances import Instance, list_instances
from factoryverse.servers import _map_db, operations
from tests.servers._db_holder import database_held_by_another_process
from tests.servers._instance import place_chest


def test_public_api_is_pinned():
    assert set(operations.__all__) == {
        "BackendError", "UnknownServerError", "ServerNotRunningError", "RconError", "LuaError", "MapNotReadyError",
        "MapQueryError", "MapQueryTimeoutError", "MapBusyError", "QueryResult", "instances", "get_instance", "rcon",
        "run_lua", "remote_versions", "sql", "sync_map", "rebuild_map", "DEFAULT_MAX_ROWS", "MAX_ROWS", "MAX_RESULT_BYTES",
        "DEFAULT_TIMEOUT_S", "MAX_TIMEOUT_S",
    }
    for name in operations.__all__[:9]:
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
    rows = operations.sql(instance.id, f"SELECT entity_name, position.x AS x, position.y AS y FROM map_entity "
                                       f"WHERE entity_key = {unit}").rows
    assert rows == [{"entity_name": "wooden-chest", "x": 7.5, "y": 9.5}]


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
        "WHERE (table_name, column_name) IN (('resource_tile', 'name'), ('map_entity', 'entity_name'), "
        "('assemblers', 'recipe'), ('entity_status', 'status')) ORDER BY table_name",
    )
    types = {row["table_name"]: row["data_type"] for row in result.rows}
    assert types["resource_tile"].startswith("ENUM(") and "'iron-ore'" in types["resource_tile"]
    # placeable_entity: entities an item places, and ghosts; not resources, trees or the character
    assert "'burner-mining-drill'" in types["map_entity"] and "'entity-ghost'" in types["map_entity"]
    assert "'iron-ore'" not in types["map_entity"] and "'character'" not in types["map_entity"]
    assert "'iron-gear-wheel'" in types["assemblers"]
    assert "'no_power'" in types["entity_status"] and "'working'" in types["entity_status"]


def test_max_rows_past_the_cap_is_refused_saying_the_cap():
    """Regression: max_rows=100000000 made the MCP server allocate 24 GB; now it is refused before any work."""
    with pytest.raises(operations.MapQueryError, match=f"max_rows must be 1..{operations.MAX_ROWS}.*OFFSET"):
        operations.sql(0, "SELECT 1", max_rows=100_000_000)


def test_a_huge_result_is_cut_at_max_rows_without_being_built(instance):
    """A result of 10^9 rows comes back as max_rows rows: the limit is pushed into DuckDB, not applied after."""
    result = operations.sql(instance.id, "SELECT range AS n FROM range(1000000000)", max_rows=operations.MAX_ROWS)
    assert len(result.rows) == operations.MAX_ROWS and result.truncated
    assert result.rows[-1] == {"n": operations.MAX_ROWS - 1}


def test_result_bytes_are_capped(instance):
    """Rows are cut once their JSON passes MAX_RESULT_BYTES, however few rows that is."""
    result = operations.sql(instance.id, "SELECT repeat('x', 100000) AS s FROM range(100)", max_rows=100)
    assert result.truncated
    assert 0 < len(result.rows) < 100
    assert len(json.dumps(result.as_dict())) <= operations.MAX_RESULT_BYTES + 1000


def test_a_slow_query_is_interrupted_at_its_timeout(instance):
    """Regression: a query could run unbounded; now DuckDB's interrupt stops it and the error says what to do."""
    with pytest.raises(operations.MapQueryTimeoutError, match=r"longer than 0.5 s and was interrupted.*WHERE"):
        operations.sql(instance.id, "SELECT count(*) FROM range(100000000) a, range(100000) b", timeout_s=0.5)
    # The map answers the next query as usual.
    assert operations.sql(instance.id, "SELECT 1 AS one").rows == [{"one": 1}]


def test_a_bad_timeout_is_refused():
    with pytest.raises(operations.MapQueryError, match="timeout_s must be more than 0 and at most 60"):
        operations.sql(0, "SELECT 1", timeout_s=3600)


def test_a_map_held_by_another_process_is_busy_not_a_query_error(instance, monkeypatch):
    """Regression: a database locked by another process was a MapQueryError (the dashboard said 400)."""
    operations.sync_map(instance.id)
    monkeypatch.setattr(_map_db, "_DB_LOCK_WAIT_S", 0.3)
    with database_held_by_another_process(instance.db_path):
        for kwargs in ({}, {"sync": False}):
            with pytest.raises(operations.MapBusyError, match="held open for writing by another process.*Retry"):
                operations.sql(instance.id, "SELECT 1", **kwargs)
        with pytest.raises(operations.MapBusyError):
            operations.sync_map(instance.id)
    assert operations.sql(instance.id, "SELECT 1 AS one").rows == [{"one": 1}]


def test_read_only_sql_writes_nothing_and_sync_map_catches_up(instance):
    """sync=False (the dashboard's GETs) leaves the database file as it was; sync_map brings in new entities."""
    operations.sync_map(instance.id)
    unit = place_chest(instance, 13.5, -7.5)
    stat = instance.db_path.stat()
    before = (instance.db_path.read_bytes(), stat.st_mtime_ns, stat.st_size)
    query = f"SELECT entity_name FROM map_entity WHERE entity_key = {unit}"
    assert operations.sql(instance.id, query, sync=False).rows == []
    stat = instance.db_path.stat()
    assert (instance.db_path.read_bytes(), stat.st_mtime_ns, stat.st_size) == before
    assert not instance.db_path.with_name(instance.db_path.name + ".wal").exists()
    assert operations.sync_map(instance.id) == {"server_id": instance.id, "db_path": str(instance.db_path),
                                                "synced": True, "run_id": instance.run_id, "rebuilt": False}
    assert operations.sql(instance.id, query, sync=False).rows == [{"entity_name": "wooden-chest"}]


def test_read_only_sql_before_any_sync_says_to_sync(dead_record):
    with pytest.raises(operations.MapNotReadyError, match="has not been created yet; sync it first"):
        operations.sql(7, "SELECT 1", sync=False)


def test_a_query_that_would_eat_memory_stops_with_a_clear_error(instance):
    """Regression: nothing bounded what DuckDB allocated for one query; now its buffers stop at a memory limit."""
    with pytest.raises(operations.MapQueryError, match="Out of Memory"):
        # 4 GB in one list: past the limit, yet a query that succeeds unbounded on the machines we test on; long
        # strings reach the limit several times sooner than the 400 million integers this test used to list.
        operations.sql(instance.id, "SELECT list(repeat('x', 100000)) AS l FROM range(40000)", timeout_s=60)
    assert operations.sql(instance.id, "SELECT 1 AS one").rows == [{"one": 1}]
