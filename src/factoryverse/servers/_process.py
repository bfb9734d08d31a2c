"""Which process a recorded pid names now, and signalling it only while it is still ours.

The kernel recycles pids, so a pid in an old record may belong to any later process. A process is identified by
its pid plus its start time (`/proc/<pid>/stat` field 22, clock ticks since boot, fixed at fork) and, for an
engine, its command line. Signals go through a pidfd opened before the identity check, so the process checked is
the process signalled even if the pid is recycled in between.

Linux only (/proc); where /proc is missing nothing can be verified, so every pid reads as gone and none is signalled.
"""

from __future__ import annotations

import os
import select
import signal
import time
from enum import Enum

__all__ = ["ProcessState", "ENGINE_MODULE", "start_ticks", "process_state", "same_process", "terminate"]

ENGINE_MODULE = "factoryverse.engine.server"


class ProcessState(str, Enum):
    RUNNING = "running"
    DEAD = "dead"
    REPLACED = "replaced"  # the pid is alive but names another process


def _stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (state first); None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    # Field 2 is the command name in parentheses and may itself contain spaces or ")".
    return text.rpartition(")")[2].split()


def start_ticks(pid: int) -> int | None:
    """When `pid` started, in clock ticks since boot; None if no such process."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    return int(fields[19])  # field 22 overall


def same_process(pid: int, ticks: int | None) -> bool:
    """Whether `pid` is still the process that had start time `ticks` (and is not a zombie)."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return False
    return ticks is None or (len(fields) >= 20 and int(fields[19]) == ticks)


def _has_arg(pid: int, marker: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return marker.encode() in args


def process_state(pid: int, ticks: int | None, marker: str = ENGINE_MODULE) -> ProcessState:
    """RUNNING only if `pid` is the process that started at `ticks` (any start time when None: old records) and has
    `marker` as one of its arguments (the engine's module name; a Factorio server's own settings file)."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return ProcessState.DEAD  # a zombie still has its pid but serves nothing
    if ticks is not None and (len(fields) < 20 or int(fields[19]) != ticks):
        return ProcessState.REPLACED
    if not _has_arg(pid, marker):
        return ProcessState.REPLACED
    return ProcessState.RUNNING


def _reap(pid: int) -> None:
    # Our own child (tests, the foreground CLI) stays a zombie until waited for.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _wait_gone(pid: int, ticks: int | None, pidfd: int | None, timeout: float) -> bool:
    if pidfd is not None:
        # A pidfd becomes readable when the process exits: a wait on the event itself, no polling.
        ready, _, _ = select.select([pidfd], [], [], timeout)
        _reap(pid)
        return bool(ready)
    deadline = time.monotonic() + timeout
    while True:
        _reap(pid)
        if not same_process(pid, ticks):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)  # no pidfd on this kernel: poll, bounded by the deadline


def _open_pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _send(pid: int, pidfd: int | None, sig: int) -> None:
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def terminate(pid: int, ticks: int | None, timeout: float = 10.0, *, marker: str = ENGINE_MODULE,
              sig: int = signal.SIGTERM) -> ProcessState:
    """`sig` (SIGTERM) to `pid` (then SIGKILL after `timeout`) only if it is still that server (see process_state).

    Returns the state found before any signal: only RUNNING was signalled.
    """
    pidfd = _open_pidfd(pid)
    try:
        # Checked after the pidfd is open: the process verified here is the one the pidfd signals.
        state = process_state(pid, ticks, marker)
        if state is not ProcessState.RUNNING:
            if state is ProcessState.DEAD:
                _reap(pid)
            return state
        _send(pid, pidfd, sig)
        if not _wait_gone(pid, ticks, pidfd, timeout):
            if pidfd is not None or same_process(pid, ticks):
                _send(pid, pidfd, signal.SIGKILL)
            _wait_gone(pid, ticks, pidfd, 5.0)
        return state
    finally:
        if pidfd is not None:
            os.close(pidfd)
