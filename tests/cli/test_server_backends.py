"""`fv server start --backend local|docker` and every role's port in `fv server status`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.engine.headless import write_launcher
from factoryverse.servers.instances import list_instances
from factoryverse.servers.ports import PortPlan, fallback_notes, scheme_ports

runner = CliRunner()


def test_a_local_server_from_the_command_line_lists_every_roles_port(fv_home, tmp_path):
    factorio = write_launcher(tmp_path / "bin")
    result = runner.invoke(app, ["server", "start", "--backend", "local", "--factorio-bin", str(factorio),
                                 "--detach", "--autosave-minutes", "0"])
    assert result.exit_code == 0, result.output
    [inst] = json.loads(runner.invoke(app, ["server", "status", "--json"]).output)
    assert inst["backend"] == "local" and inst["alive"] and inst["factorio_bin"] == str(factorio)
    ports = inst["ports"]
    assert set(ports) == {"rcon", "game_udp", "snapshot_udp", "agent_udp"}
    assert (ports["rcon"], ports["snapshot_udp"]) == (inst["rcon_port"], inst["snapshot_udp_port"])
    assert ports["game_udp"] == inst["game_udp_port"] and len(ports["agent_udp"]) == 10
    # Each port is the scheme's, or a line of the start's output says why not.
    want = scheme_ports(inst["id"])
    [record] = list_instances()
    assert inst["port_notes"] == fallback_notes(inst["id"], _plan(record))
    for note in inst["port_notes"]:
        assert f"instance {inst['id']}: {note}" in result.output
    if not inst["port_notes"]:
        assert (ports["rcon"], ports["game_udp"], ports["agent_udp"]) == (want.rcon, want.game_udp, want.agent_udp)
    text = runner.invoke(app, ["server", "status"]).output.splitlines()
    assert text[0].split()[-5:] == ["GAME", "UDP", "AGENT", "UDP", "SCRIPT-OUTPUT"]
    row = text[1].split()
    assert row[6:9] == ["local", str(ports["game_udp"]), f"{ports['agent_udp'][0]}-{ports['agent_udp'][-1]}"]
    stop = runner.invoke(app, ["server", "stop", "--all"])
    assert stop.exit_code == 0 and "stopped" in stop.output


def _plan(record) -> PortPlan:
    return PortPlan(rcon=record.rcon_port, game_udp=record.game_udp_port, snapshot_udp=record.snapshot_udp_port,
                    agent_udp=record.agent_udp_ports)


def test_the_embedded_server_lists_no_game_port_it_does_not_open(fv_home):
    result = runner.invoke(app, ["server", "start", "--detach", "--mode", "paused"])
    assert result.exit_code == 0, result.output
    [inst] = json.loads(runner.invoke(app, ["server", "status", "--json"]).output)
    assert inst["backend"] == "embedded" and inst["ports"]["game_udp"] is None
    assert len(inst["ports"]["agent_udp"]) == 10
    assert runner.invoke(app, ["server", "status"]).output.splitlines()[1].split()[6:8] == ["embedded", "-"]


def test_docker_missing_is_an_error_naming_what_to_do(fv_home, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(app, ["server", "start", "--backend", "docker", "--detach"])
    assert result.exit_code == 1 and "no `docker` on PATH: install Docker Engine" in result.output
    assert list_instances() == []


def test_an_unknown_backend_is_refused(fv_home):
    result = runner.invoke(app, ["server", "start", "--backend", "vagrant"])
    assert result.exit_code == 2 and "embedded, local, docker" in result.output


def test_resume_on_a_real_server_backend_names_the_newest_zip_save_it_loads(fv_home, tmp_path):
    factorio = write_launcher(tmp_path / "bin")
    local = ["--backend", "local", "--factorio-bin", str(factorio), "--detach", "--autosave-minutes", "0"]
    assert runner.invoke(app, ["server", "start", "--seed", "5", *local]).exit_code == 0
    [inst] = list_instances()
    assert runner.invoke(app, ["server", "stop", "--all"]).exit_code == 0  # the server saves its .zip on the way out
    (created,) = inst.saves.glob("seed5-*.zip")
    (inst.saves / "embedded-run.fvsave").write_bytes(b"an engine save, newer; not a game Factorio loads")
    result = runner.invoke(app, ["server", "start", "--resume", str(inst.id), *local])
    assert result.exit_code == 0, result.output
    assert f"resuming instance {inst.id} from {created}" in result.output
    assert [i.id for i in list_instances()] == [inst.id]
    assert runner.invoke(app, ["server", "stop", "--all"]).exit_code == 0
    # No save of the docker backend's kind: refused before docker is even looked for.
    created.unlink()
    (inst.saves / "embedded-run.fvsave").unlink()
    result = runner.invoke(app, ["server", "start", "--resume", str(inst.id), "--backend", "docker", "--detach"])
    assert result.exit_code == 1 and "has no save to resume on the docker backend" in result.output
    assert "no *.zip file" in result.output
