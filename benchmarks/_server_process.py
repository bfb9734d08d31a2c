"""A server of the benchmark's own in a child process: started until it prints its READY line, and always stopped.

Benchmarks that measure over real sockets run the server apart, so the client's CPU and the server's are not
counted together.
"""

from __future__ import annotations

import subprocess

STOP_TIMEOUT_S = 60.0


def spawn_ready(argv: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start `argv` and wait for its `READY <payload>` line; the payload. SystemExit (and no child left) if none."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # READY once RCON listens, or nothing when the process failed
    if not line.startswith("READY "):
        stop(proc)
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, line[len("READY "):]


def stop(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> None:
    """Terminate the child, killing it if it does not exit within `timeout` s: it must not outlive the benchmark."""
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
