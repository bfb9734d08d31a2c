"""`fv server start|status|stop` with real engine processes and real RCON."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import asdict

from factorio_rcon import RCONClient
from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.servers._ports import tcp_port_bindable
from factoryverse.servers._process import start_ticks
from factoryverse.servers.instances import RCON_BASE_PORT, SNAPSHOT_UDP_BASE_PORT, Instance, list_instances

runner = CliRunner()


def _status() -> list[dict]:
    result = runner.invoke(app, ["server", "status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_start_two_detached_then_status_and_stop(fv_home, monkeypatch):
    monkeypatch.delenv("FACTORYVERSE_RCON_PASSWORD", raising=False)  # a developer's fixed one: not the default case
    result = runner.invoke(app, ["server", "start", "--num", "2", "--detach", "--mode", "fast"])
    assert result.exit_code == 0, result.output
    listed = _status()
    assert len(listed) == 2
    ids = sorted(i["id"] for i in listed)
    assert ids == [0, 1]
    # The seed's scheme, RCON 27000+i and snapshot UDP 34400+i for instance i, unless another program holds a
    # port, and then the output says so.
    for inst in listed:
        i = inst["id"]
        assert inst["rcon_port"] == RCON_BASE_PORT + i or f"RCON port {RCON_BASE_PORT + i} was in use" in result.output
        assert (inst["snapshot_udp_port"] == SNAPSHOT_UDP_BASE_PORT + i
                or f"snapshot UDP port {SNAPSHOT_UDP_BASE_PORT + i} was in use" in result.output)
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


def _stale_record(home, pid: int, process_start: int | None) -> None:
    folder = home / "instances" / "7"
    (folder / "script-output").mkdir(parents=True, exist_ok=True)
    inst = Instance(id=7, pid=pid, rcon_host="127.0.0.1", rcon_port=27007, rcon_password="pw", snapshot_udp_port=34407,
                    seed=0, folder=str(folder), started_at=0.0, process_start=process_start)
    (folder / "instance.json").write_text(json.dumps(asdict(inst)))


def test_a_recycled_pid_is_reported_dead_and_never_signalled(fv_home):
    """Regression: a stale record whose pid now named an unrelated process showed "running", and `fv server stop`
    killed that process."""
    # A record from an older fv (no start time), and one with the sleeper's own start time: only the command line
    # tells it from an engine.
    for with_start_time in (False, True):
        sleeper = subprocess.Popen(["sleep", "60"])
        try:
            ticks = start_ticks(sleeper.pid) if with_start_time else None
            _stale_record(fv_home, sleeper.pid, ticks)
            status = runner.invoke(app, ["server", "status"])
            row = status.output.splitlines()[1]
            assert row.split()[4] == "dead*", status.output
            assert f"pid {sleeper.pid} now belongs to another process" in status.output
            listed = _status()
            assert listed[0]["alive"] is False and listed[0]["state"] == "replaced"
            stop = runner.invoke(app, ["server", "stop", "7"])
            assert stop.exit_code == 0 and "now belongs to another process, which was left alone" in stop.output
            assert sleeper.poll() is None  # not signalled
            assert _status() == []  # the stale record is gone
        finally:
            sleeper.kill()
            sleeper.wait()


def test_status_json_has_the_run_manifest_and_text_has_no_password(fv_home):
    result = runner.invoke(app, ["server", "start", "--detach", "--mode", "paused", "--seed", "9"])
    assert result.exit_code == 0, result.output
    [inst] = _status()
    manifest = inst["manifest"]
    assert manifest["run_id"] == inst["run_id"] and len(inst["run_id"]) == 32
    assert manifest["seed"] == 9 and manifest["started_at"] == inst["started_at"]
    assert manifest["factoryverse_version"] and manifest["factorio_version"] == "2.0"
    assert {"fv_snapshot", "fv_embodied_agent", "fv_placement_hints"} <= set(manifest["mods"])
    assert inst["rcon_password"]  # the JSON is the documented place to read it
    text = runner.invoke(app, ["server", "status"]).output
    assert inst["rcon_password"] not in text and inst["run_id"][:8] in text
    # The game itself was given the run id.
    client = RCONClient("127.0.0.1", inst["rcon_port"], inst["rcon_password"])
    try:
        reply = client.send_command("/sc rcon.print(remote.call('map', 'get_snapshot_status').run_id)")
    finally:
        client.close()
    assert reply == inst["run_id"]


def test_rcon_password_option_sets_a_known_password_for_every_instance(fv_home):
    result = runner.invoke(app, ["server", "start", "--num", "2", "--detach", "--mode", "paused",
                                 "--rcon-password", "peers-fixed-pw"])
    assert result.exit_code == 0, result.output
    listed = _status()
    assert [i["rcon_password"] for i in listed] == ["peers-fixed-pw", "peers-fixed-pw"]
    for inst in listed:
        assert b"peers-fixed-pw" not in open(f"/proc/{inst['pid']}/cmdline", "rb").read()
        client = RCONClient("127.0.0.1", inst["rcon_port"], "peers-fixed-pw")
        try:
            assert client.send_command("/sc rcon.print('fixed')") == "fixed"
        finally:
            client.close()


def test_an_empty_rcon_password_is_refused(fv_home):
    result = runner.invoke(app, ["server", "start", "--rcon-password", ""])
    assert result.exit_code == 2 and "must not be empty" in result.output
    assert list_instances() == []


def test_start_says_when_a_port_of_the_scheme_was_taken(fv_home):
    with socket.socket() as holder:
        if tcp_port_bindable("127.0.0.1", RCON_BASE_PORT):  # else another program holds it: the same case
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            holder.bind(("127.0.0.1", RCON_BASE_PORT))
            holder.listen()
        result = runner.invoke(app, ["server", "start", "--detach", "--mode", "paused"])
    assert result.exit_code == 0, result.output
    [inst] = _status()
    assert f"instance 0: RCON port {RCON_BASE_PORT} was in use, so it listens on {inst['rcon_port']}" in result.output


def test_rcon_password_can_come_from_the_environment(fv_home, monkeypatch):
    """So a fixed password need not be on `fv`'s own command line either."""
    monkeypatch.setenv("FACTORYVERSE_RCON_PASSWORD", "from-env-pw")
    result = runner.invoke(app, ["server", "start", "--detach", "--mode", "paused"])
    assert result.exit_code == 0, result.output
    assert [i["rcon_password"] for i in _status()] == ["from-env-pw"]


def test_demo_and_server_start_default_to_the_same_seed():
    """Regression: `fv demo` defaulted to seed 1 and `fv server start` to seed 0, so the README's flow showed two maps."""
    from factoryverse.cli import demo as demo_module
    from factoryverse.cli import server as server_module
    from factoryverse.servers.instances import DEFAULT_SEED

    def seed_default(command) -> int:
        import inspect

        return inspect.signature(command).parameters["seed"].default.default

    assert seed_default(demo_module.demo) == seed_default(server_module.start) == DEFAULT_SEED
