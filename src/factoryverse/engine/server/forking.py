"""Fork a running server in a few milliseconds: a copy-on-write copy of the whole process, which continues the game
as a server of its own (its own RCON port, password, script-output, saves and log), the parent untouched.

Copying a game in process means writing and reading back its world and building new Lua states: about 100 ms for a
map with 1,000 working entities (benchmarks/fork.py). `os.fork` copies the process's pages lazily instead, so the
parent stops for the fork itself (about 2 ms), and the copy shares nothing mutable with it: Lua states, world and
storage are the child's own pages from then on.

The command is the server's, not the game's (`/fv-fork-server {json}` over RCON, answered `FORKED {json}` or
`Error: ...`); `factoryverse.servers.fork_instance` sends it. It runs on the game thread between ticks, so the state
forked is exactly the state after the last command or tick. What the child must not share, it gives up before doing
anything else, without touching what the parent still uses:
* the event loop's epoll instance, self-pipe and sockets (RCON listener and client connections) are the parent's
  too: the child only closes its descriptors (closing never changes the parent's registrations, while any call
  into the inherited loop could), and serves RCON from a new loop on its own port;
* the other threads of the parent do not exist in the child; the forking thread, now the child's main thread, runs
  the child's game loop itself and handles its signals (the parent's signal wakeup socket is dropped first: a
  signal to the child must not wake the parent's loop);
* stdout and stderr go to the child's own log; script-output, saves and the UDP socket are the child's own.
The child is double-forked, so it is nobody's zombie; it prints nothing on stdout and reports once on a pipe to
the parent, which waits for that report (bounded) before answering.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factoryverse.engine.outputs import Outputs
from factoryverse.engine.save.fork import ForkRefusedError, check_fork
from factoryverse.engine.save.server_saves import ServerSaves

if TYPE_CHECKING:
    from factoryverse.engine.server.instance import GameServer

__all__ = ["FORK_SERVER_COMMAND", "ForkSpec", "fork_server", "ForkServerError"]

log = logging.getLogger("factoryverse.engine.server")

FORK_SERVER_COMMAND = "/fv-fork-server"
# How long the parent waits for the child's report: binding a port and reporting take milliseconds.
_REPORT_TIMEOUT_S = 30.0


class ForkServerError(Exception):
    """The fork could not be made or did not report; the parent's game is untouched."""


class ForkSpec:
    """What the child server is to be: where it writes, its RCON port (0: any free one) and password, its mode."""

    __slots__ = ("script_output", "saves_dir", "log_path", "rcon_port", "rcon_password", "mode", "force")

    def __init__(self, raw: Any):
        if not isinstance(raw, dict):
            raise ForkServerError(f"{FORK_SERVER_COMMAND} takes a JSON object, got {raw!r}")
        try:
            self.script_output = Path(raw["script_output"])
            self.saves_dir = Path(raw["saves_dir"])
            self.log_path = Path(raw["log"])
            self.rcon_port = int(raw.get("rcon_port", 0))
            self.rcon_password = str(raw["rcon_password"])
            self.mode = raw.get("mode")
            self.force = bool(raw.get("force", False))
        except (KeyError, TypeError, ValueError) as e:
            raise ForkServerError(
                f"{FORK_SERVER_COMMAND} needs script_output, saves_dir, log and rcon_password (and may give "
                f"rcon_port, mode, force): {type(e).__name__}: {e}"
            ) from e
        if not self.rcon_password:
            raise ForkServerError("the fork's RCON password must not be empty")
        if self.mode not in (None, "paused", "realtime", "fast"):
            raise ForkServerError(f"mode must be paused, realtime or fast, not {self.mode!r}")
        if not 0 <= self.rcon_port < 65536:
            raise ForkServerError(f"rcon_port must be 0..65535, got {self.rcon_port}")


def fork_server(server: GameServer, argument: str) -> str:
    """On the game thread, between ticks: fork the server; the reply line for the RCON client."""
    try:
        spec = ForkSpec(json.loads(argument or "null"))
        engine = server.loop.engine
        assert engine is not None
        check_fork(engine, spec.force)
        for folder in (spec.script_output, spec.saves_dir, spec.log_path.parent):
            folder.mkdir(parents=True, exist_ok=True)
        report = _fork(server, spec)
    except (ForkServerError, ForkRefusedError, OSError, json.JSONDecodeError) as e:
        return f"Error: {e}"
    return "FORKED " + json.dumps(report)


def _fork(server: GameServer, spec: ForkSpec) -> dict:
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the intermediate child: fork the server's copy, then leave at once so init adopts it
        try:
            os.close(read_end)
            os.setsid()
            if os.fork() == 0:
                _become_child(server, spec, write_end)  # never returns
            os._exit(0)
        except BaseException:
            os._exit(70)
    os.close(write_end)
    paused_ms = (time.perf_counter() - started) * 1000
    os.waitpid(pid, 0)
    try:
        report = _read_report(read_end)
    finally:
        os.close(read_end)
    report["parent_paused_ms"] = round(paused_ms, 3)
    log.info("forked the game at tick %s into process %s (RCON port %s)", report.get("tick"), report.get("pid"),
             report.get("rcon_port"))
    return report


def _read_report(fd: int) -> dict:
    deadline = time.monotonic() + _REPORT_TIMEOUT_S
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ForkServerError(f"the forked server did not report within {_REPORT_TIMEOUT_S:.0f} s")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
    line = buf.split(b"\n", 1)[0].decode("utf-8", "replace")
    word, _, payload = line.partition(" ")
    if word == "READY":
        return json.loads(payload)
    raise ForkServerError(f"the forked server failed to start: {payload or 'it exited without a word'}")


def _become_child(server: GameServer, spec: ForkSpec, report_fd: int) -> None:
    code = 0
    try:
        # The parent's main-thread event loop set a wakeup fd for signals: a socket shared with the parent, so a
        # signal to this child would wake the parent's loop and stop the parent. Signals are this process's own now.
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        _give_up_parents_descriptors(server)
        _redirect_stdio(spec.log_path)
        code = _serve_as_child(server, spec, report_fd)
    except BaseException as e:  # noqa: BLE001 - the child must end here, whatever happened
        try:
            os.write(report_fd, f"FAILED {type(e).__name__}: {e}\n".encode())
        except OSError:
            pass
        code = 1
    finally:
        os._exit(code)


def _give_up_parents_descriptors(server: GameServer) -> None:
    aio = server.loop._aio
    fds: set[int] = set()
    if aio is not None:
        selector = getattr(aio, "_selector", None)
        if selector is not None:
            fds.update(key.fd for key in selector.get_map().values())
            fds.add(selector.fileno())
        for name in ("_ssock", "_csock"):
            sock = getattr(aio, name, None)
            if sock is not None:
                fds.add(sock.fileno())
    for fd in sorted(f for f in fds if f >= 0):
        try:
            os.close(fd)
        except OSError:
            pass
    engine = server.loop.engine
    if engine is not None:
        engine.outputs.close()  # its UDP socket is the parent's too


def _redirect_stdio(log_path: Path) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.dup2(log_fd, 2)
    os.close(devnull)
    os.close(log_fd)


def _serve_as_child(parent: GameServer, spec: ForkSpec, report_fd: int) -> int:
    from factoryverse.engine.server.instance import GameServer

    # This thread was inside the parent's event loop when it forked; that loop is abandoned, never resumed.
    asyncio.events._set_running_loop(None)

    engine = parent.loop.engine
    assert engine is not None
    engine.outputs = Outputs(spec.script_output)
    saves = ServerSaves(spec.saves_dir, autosave_ticks=engine.saves.autosave_ticks, slots=engine.saves.slots)
    saves.name = engine.saves.name
    engine.saves = saves
    mode = spec.mode or parent.loop.mode
    config = replace(parent.config, rcon_port=spec.rcon_port, rcon_password=spec.rcon_password,
                     script_output=spec.script_output, saves_dir=spec.saves_dir, mode=mode, load=None)
    child = GameServer(config, engine=engine)

    async def report_when_bound() -> None:
        await child.rcon.start()
        info = {"pid": os.getpid(), "rcon_port": child.rcon.port, "tick": engine.tick, "mode": mode}
        os.write(report_fd, ("READY " + json.dumps(info) + "\n").encode())
        os.close(report_fd)

    child.loop.serve_with(report_when_bound, child.rcon.close)

    def stop(signum: int, frame: Any) -> None:  # noqa: ARG001
        child.loop.request_stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    child.loop.run_here()
    return 0 if child.loop.error is None else 1
