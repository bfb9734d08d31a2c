"""`fv server start --scenario NAME` on the embedded backend: the game runs the mod's scenario as its level script
(the instance records it, RCON sees the scenario's storage and interface); an unknown name starts nothing and
lists the scenarios there are. Real engine processes over RCON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.servers import operations
from factoryverse.servers.instances import list_instances

runner = CliRunner()


def test_a_scenario_started_from_the_cli_runs_as_the_level(fv_home):
    result = runner.invoke(app, ["server", "start", "--detach", "--mode", "paused", "--scenario", "lab-grid"])
    assert result.exit_code == 0, result.output
    (inst,) = list_instances()
    assert inst.scenario == "fv_embodied_agent/lab-grid"
    status = json.loads(operations.run_lua(inst.id, "rcon.print(helpers.table_to_json(remote.call('lab_grid', 'status')))"))
    assert status["ready"] is False and status["step"] == 0  # paused at tick 0: the layout has not begun
    cell = json.loads(operations.run_lua(inst.id, "rcon.print(helpers.table_to_json(remote.call('lab_grid', 'cell', 64)))"))
    assert cell["force"] == "fv-cell-64"


def test_an_unknown_scenario_starts_nothing_and_lists_the_scenarios(fv_home):
    result = runner.invoke(app, ["server", "start", "--detach", "--scenario", "fv_embodied_agent/no-such"])
    assert result.exit_code != 0
    assert "fv_embodied_agent/lab-grid" in result.output and "fv_embodied_agent/test-ground" in result.output
    assert list_instances() == []
