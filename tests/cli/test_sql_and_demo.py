"""`fv sql` against a running server's map database, and the demo (the main job) end to end."""

from __future__ import annotations

import json

from factorio_rcon import RCONClient
from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.servers.instances import list_instances

runner = CliRunner()


def test_sql_reads_the_running_servers_map_and_sees_new_builds(fv_home):
    assert runner.invoke(app, ["server", "start", "--detach", "--mode", "fast"]).exit_code == 0
    inst = list_instances()[0]
    # The bootstrap snapshot finishes within a few ticks in fast mode; ask the mod, bounded by RCON's own timeout.
    client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password)
    try:
        for _ in range(200):
            if client.send_command("/sc rcon.print(remote.call('map', 'get_snapshot_status').phase)") == "complete":
                break
        result = runner.invoke(app, ["sql", "--json", "SELECT name, count(*) AS n FROM resource_tile GROUP BY name ORDER BY name"])
        assert result.exit_code == 0, result.output
        names = {row["name"] for row in json.loads(result.output)}
        assert {"iron-ore", "copper-ore", "coal", "stone"} <= names
        # A chest built by script shows up on the next query: the database catches up from the update log.
        client.send_command(
            "/sc game.surfaces.nauvis.create_entity{name='wooden-chest', position={3.5, 3.5}, force='player', raise_built=true}"
        )
        result = runner.invoke(app, ["sql", "--json", "SELECT entity_name, position.x AS x, position.y AS y "
                                     "FROM map_entity WHERE entity_name = 'wooden-chest'"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == [{"entity_name": "wooden-chest", "x": 3.5, "y": 3.5}]
    finally:
        client.close()


def test_sql_refuses_writes(fv_home):
    assert runner.invoke(app, ["server", "start", "--detach", "--mode", "paused"]).exit_code == 0
    result = runner.invoke(app, ["sql", "DELETE FROM map_entity"])
    assert result.exit_code == 1
    assert "read-only" in result.output.lower() or "select" in result.output.lower()


def test_sql_without_a_server_says_how_to_start_one(fv_home):
    result = runner.invoke(app, ["sql", "SELECT 1"])
    assert result.exit_code != 0
    assert "fv server start" in result.output


def test_demo_builds_a_drill_feeding_a_furnace_and_reaches_20_plates(fv_home):
    result = runner.invoke(app, ["demo", "--seed", "1"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "the furnace holds" in out
    plates = int(out.split("the furnace holds ")[1].split()[0])
    assert plates >= 20
    assert "burner-mining-drill" in out and "stone-furnace" in out
    assert "iron-ore" in out  # the nearest-iron-patch query
    assert list_instances() == []  # the demo stops its server
