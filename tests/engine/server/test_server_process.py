"""The server as a process: `python -m factoryverse.engine.server` prints READY with its port, answers RCON, and
exits cleanly on SIGTERM; a bad start exits non-zero with a one-line reason."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from factorio_rcon import RCONClient

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
        assert lines.get(timeout=TIMEOUT) == ""  # nothing on stdout: no READY
        assert "ERROR ModLoadError:" in stderr_path.read_text(encoding="utf-8")
    finally:
        _stop(proc)
