"""`fv server start|status|stop` with real engine processes and real RCON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from factorio_rcon import RCONClient
from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.servers.instances import RCON_BASE_PORT, SNAPSHOT_UDP_BASE_PORT, list_instances

runner = CliRunner()


def _status() -> list[dict]:
    result = runner.invoke(app, ["server", "status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_start_two_detached_then_status_and_stop(fv_home):
    result = runner.invoke(app, ["server", "start", "--num", "2", "--detach", "--mode", "fast"])
    assert result.exit_code == 0, result.output
    listed = _status()
    assert len(listed) == 2
    ports = sorted(i["rcon_port"] for i in listed)
    ids = sorted(i["id"] for i in listed)
    # The seed's scheme: RCON 27000+i and snapshot UDP 34400+i for instance i.
    assert ports == [RCON_BASE_PORT + i for i in ids]
    assert sorted(i["snapshot_udp_port"] for i in listed) == [SNAPSHOT_UDP_BASE_PORT + i for i in ids]
    assert len({i["rcon_password"] for i in listed}) == 2
    for inst in listed:
        assert inst["alive"] is True
        client = RCONClient("127.0.0.1", inst["rcon_port"], inst["rcon_password"])
        try:
            assert client.send_command("/sc rcon.print(game.surfaces.nauvis.name)") == "nauvis"
        finally:
            client.close()
    stop = runner.invoke(app, ["server", "stop", str(ids[0])])
    assert stop.exit_code == 0 and "stopped" in stop.output
    assert [i["id"] for i in _status()] == [ids[1]]
    assert runner.invoke(app, ["server", "stop", "--all"]).exit_code == 0
    assert _status() == []


def test_stop_unknown_instance_says_what_to_do(fv_home):
    result = runner.invoke(app, ["server", "stop", "7"])
    assert result.exit_code == 1
    assert "fv server status" in result.output


def test_status_without_servers(fv_home):
    result = runner.invoke(app, ["server", "status"])
    assert result.exit_code == 0 and "fv server start" in result.output


def test_foreground_start_runs_until_interrupted(fv_home):
    """Regression: the Ctrl-C handler was installed after the "press Ctrl-C" line, so an early SIGINT killed `fv`
    with KeyboardInterrupt (exit 130) instead of stopping the servers cleanly."""
    env = {**os.environ, "FACTORYVERSE_HOME": str(fv_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "factoryverse.cli", "server", "start", "--num", "1", "--mode", "paused"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )
    try:
        lines = []
        for line in proc.stdout:  # bounded by the CLI's own ready timeout
            lines.append(line)
            if "press Ctrl-C" in line:
                break
        assert any("RCON password" in line for line in lines), lines
        assert len(list_instances()) == 1
        proc.send_signal(2)  # SIGINT, as Ctrl-C
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "stopped" in out
        assert list_instances() == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_password_starting_with_a_dash_is_passed_intact(fv_home, monkeypatch):
    """Regression: a generated password beginning with '-' was read by argparse as an option and the server died."""
    import factoryverse.servers.instances as instances

    monkeypatch.setattr(instances.secrets, "token_urlsafe", lambda n: "-starts-with-dash")
    inst = instances.start_instance(mode="paused")
    client = RCONClient("127.0.0.1", inst.rcon_port, "-starts-with-dash")
    try:
        assert client.send_command("/sc rcon.print('ok')") == "ok"
    finally:
        client.close()
