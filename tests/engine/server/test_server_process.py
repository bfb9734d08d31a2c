"""The server as a process: `python -m factoryverse.engine.server` prints READY with its port and what it runs,
answers RCON, and exits cleanly on SIGTERM; a bad start (a busy port first of all) prints FAILED with a reason
and exits non-zero at once."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from factorio_rcon import RCONClient

import factoryverse
from factoryverse.engine.mods import BUNDLED_MODS_DIR

PASSWORD = "process-test"
TIMEOUT = 30.0  # a cold start loads prototypes and generates the starting chunks; bounded, never slept


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, "queue.Queue[str]", Path]:
    stderr_path = tmp_path / "stderr.log"
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "factoryverse.engine.server",
            "--rcon-port", "0", "--rcon-password", PASSWORD, "--seed", "3", *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=stderr_path.open("wb"),
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put("")  # EOF

    threading.Thread(target=pump, daemon=True).start()
    return proc, lines, stderr_path


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(TIMEOUT)


def test_process_prints_ready_answers_rcon_and_exits_on_sigterm(tmp_path):
    out = tmp_path / "script-output"
    out.mkdir()
    proc, lines, stderr_path = _start(tmp_path, "--script-output", str(out))
    try:
        try:
            first = lines.get(timeout=TIMEOUT)
        except queue.Empty:
            pytest.fail(f"no READY line within {TIMEOUT}s; stderr:\n{stderr_path.read_text()}")
        assert first.startswith("READY "), f"{first!r}; stderr:\n{stderr_path.read_text()}"
        info = json.loads(first[len("READY "):])
        assert info["rcon_host"] == "127.0.0.1" and info["seed"] == 3
        port = info["rcon_port"]
        assert isinstance(port, int) and port > 0
        with RCONClient("127.0.0.1", port, PASSWORD, timeout=TIMEOUT) as client:
            assert int(client.send_command("/sc rcon.print(game.tick)")) >= 0
            client.send_command("/sc helpers.write_file('proc.txt', 'written')")
        assert (out / "proc.txt").read_text(encoding="utf-8") == "written"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(TIMEOUT) == 0
    finally:
        _stop(proc)


def test_bad_start_exits_non_zero_with_a_reason(tmp_path):
    proc, lines, stderr_path = _start(tmp_path, "--mods-dir", str(tmp_path / "no-such-mods"))
    try:
        assert proc.wait(TIMEOUT) == 1
        first = lines.get(timeout=TIMEOUT)
        assert first.startswith("FAILED "), first  # no READY: a machine-readable reason instead
        failure = json.loads(first[len("FAILED "):])
        assert failure["reason"] == "start_failed" and failure["error"] == "ModLoadError"
        assert "no-such-mods" in failure["message"]
        assert lines.get(timeout=TIMEOUT) == ""  # and nothing after it
        assert "ERROR ModLoadError:" in stderr_path.read_text(encoding="utf-8")
    finally:
        _stop(proc)


def test_ready_line_reports_what_the_engine_runs(tmp_path):
    """The READY line is the run manifest's source: package version, the Factorio version it runs as, loaded mods."""
    proc, lines, stderr_path = _start(tmp_path, "--mode", "paused")
    try:
        first = lines.get(timeout=TIMEOUT)
        assert first.startswith("READY "), f"{first!r}; stderr:\n{stderr_path.read_text()}"
        info = json.loads(first[len("READY "):])
        assert info["factoryverse_version"] == factoryverse.__version__
        assert (info["factorio_version"], info["factorio_base_version"], info["factorio_api_version"]) == (
            "2.0", "2.0.77", "2.0.75")
        bundled = {p.parent.name: json.loads(p.read_text())["version"] for p in BUNDLED_MODS_DIR.glob("*/info.json")}
        assert info["mods"] == bundled and "fv_snapshot" in bundled
    finally:
        _stop(proc)


def test_a_busy_rcon_port_fails_at_once_and_writes_nothing(tmp_path):
    """Regression: RCON bound only after the engine and its mods had started, so an engine whose port was taken
    first wrote its mods' files into the script-output folder it was given (another running game's), then failed."""
    out = tmp_path / "script-output"
    out.mkdir()
    # A mod that writes as soon as it starts, as fv_snapshot's on_init used to.
    mod = tmp_path / "mods" / "fv_write_on_init"
    mod.mkdir(parents=True)
    (mod / "info.json").write_text(json.dumps({"name": mod.name, "version": "0.1.0", "factorio_version": "2.0"}))
    (mod / "control.lua").write_text("script.on_init(function() helpers.write_file('on_init.txt', 'x') end)\n")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "factoryverse.engine.server", "--rcon-port", str(port), "--seed", "3",
             "--script-output", str(out), "--mods-dir", str(mod.parent)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "FACTORYVERSE_RCON_PASSWORD": PASSWORD},
        )
        try:
            stdout, stderr = proc.communicate(timeout=TIMEOUT)
        finally:
            _stop(proc)
    assert proc.returncode == 1
    line = stdout.splitlines()[0]
    assert line.startswith("FAILED "), (stdout, stderr)
    failure = json.loads(line[len("FAILED "):])
    assert failure["reason"] == "rcon_port_in_use" and failure["port"] == port
    assert f"port {port} is in use" in failure["message"]
    assert list(out.iterdir()) == []  # failed before the engine was built: no mod ran


def test_password_from_a_file_or_the_environment_stays_off_the_command_line(tmp_path):
    secret = "file-secret-4711"
    pw_file = tmp_path / "pw"
    pw_file.write_text(secret + "\n")
    pw_file.chmod(0o600)
    for how in ("file", "env"):
        args = ["--rcon-password-file", str(pw_file)] if how == "file" else []
        env = {**os.environ, "FACTORYVERSE_RCON_PASSWORD": secret} if how == "env" else None
        proc = subprocess.Popen(
            [sys.executable, "-m", "factoryverse.engine.server", "--rcon-port", "0", "--mode", "paused", *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # bounded: the engine prints READY or FAILED, or exits
            assert line.startswith("READY "), (how, line)
            assert secret.encode() not in Path(f"/proc/{proc.pid}/cmdline").read_bytes()
            port = json.loads(line[len("READY "):])["rcon_port"]
            with RCONClient("127.0.0.1", port, secret, timeout=TIMEOUT) as client:
                assert client.send_command("/sc rcon.print('in')") == "in"
        finally:
            _stop(proc)
