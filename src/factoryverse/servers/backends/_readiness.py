"""Telling that a Factorio server is up: from the lines its log shows (a process we started), or from RCON itself
(a container), then asking the running game what it is over RCON. Both wait with a bounded timeout.

Factorio logs `Starting RCON interface at IP ADDR:({0.0.0.0:27015})` once RCON listens, and `changing state
from(CreatingGame) to(InGame)` once the game runs; the engine's Factorio command line logs the same lines.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from factorio_rcon import RCONClient, RCONBaseError

from factoryverse.servers._instance_errors import EngineStartError

__all__ = ["wait_for_log", "log_tail", "identify_over_rcon", "wait_for_rcon"]

_RCON_LINE = re.compile(r"Starting RCON interface at IP ADDR:\(\{(?P<host>[^}]*):(?P<port>\d+)\}\)")
_IN_GAME = re.compile(r"changing state from\(CreatingGame\) to\(InGame\)")
# Files grow while a server starts; a short pause between reads, bounded by the deadline.
_POLL_S = 0.05
# The seed under pcall: a game that does not expose map_gen_settings still says what it runs.
_IDENTIFY_LUA = ("/sc local ok, seed = pcall(function() return game.surfaces[1].map_gen_settings.seed end) "
                 "rcon.print('fv-ident ' .. helpers.table_to_json({mods = script.active_mods, "
                 "seed = ok and seed or nil, tick = game.tick}))")


def log_tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def wait_for_log(proc: subprocess.Popen, log_path: Path, offset: int, timeout: float, what: str) -> tuple[str, int]:
    """Wait until the log (from byte `offset`) says RCON listens and the game is in game; return RCON's host and port.

    EngineStartError with the log's tail if the process exits first or `timeout` seconds pass.
    """
    deadline = time.monotonic() + timeout
    rcon: tuple[str, int] | None = None
    in_game = False
    seen = b""
    while True:
        try:
            with open(log_path, "rb") as f:
                f.seek(offset)
                seen += f.read()
                offset = f.tell()
        except OSError:
            pass
        text = seen.decode("utf-8", errors="replace")
        if rcon is None and (m := _RCON_LINE.search(text)):
            rcon = (m["host"], int(m["port"]))
        in_game = in_game or bool(_IN_GAME.search(text))
        if rcon is not None and in_game:
            return rcon
        code = proc.poll()
        if code is not None:
            raise EngineStartError(f"{what} exited with code {code} before it was ready; its log ({log_path}) ends "
                                   f"with:\n{log_tail(log_path)}")
        if time.monotonic() >= deadline:
            missing = "the RCON interface" if rcon is None else "the InGame state"
            raise EngineStartError(f"{what} did not reach {missing} within {timeout:.0f} s; its log ({log_path}) "
                                   f"ends with:\n{log_tail(log_path)}")
        time.sleep(_POLL_S)


def wait_for_rcon(host: str, port: int, password: str, timeout: float, alive: Callable[[], str | None]) -> None:
    """Connect until RCON accepts the password (bounded). `alive()` returns why the server is gone, or None."""
    deadline = time.monotonic() + timeout
    last = "nothing listened"
    while True:
        gone = alive()
        if gone is not None:
            raise EngineStartError(gone)
        try:
            RCONClient(host, port, password, connect_on_init=True, timeout=5).close()
            return
        except (OSError, RCONBaseError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise EngineStartError(f"RCON on {host}:{port} did not answer within {timeout:.0f} s ({last})")
        time.sleep(0.25)


def identify_over_rcon(host: str, port: int, password: str) -> dict:
    """The running game's mods (name -> version, `base` included), map seed and tick.

    A real game answers the first Lua command of a game with a warning that commands disable achievements and runs
    only the repeat: so the command is sent again when the first reply is not its answer.
    """
    try:
        client = RCONClient(host, port, password, connect_on_init=True, timeout=30)
    except (OSError, RCONBaseError) as exc:
        raise EngineStartError(f"the server's RCON on {host}:{port} refused us: {exc}") from exc
    try:
        for _ in range(2):
            reply = (client.send_command(_IDENTIFY_LUA) or "").strip()
            if reply.startswith("fv-ident "):
                return json.loads(reply.removeprefix("fv-ident "))
    except (OSError, RCONBaseError, socket.timeout, ValueError) as exc:
        raise EngineStartError(f"the server on {host}:{port} answered RCON but not what it runs: {exc}") from exc
    finally:
        client.close()
    raise EngineStartError(f"the server on {host}:{port} answered RCON but not what it runs: {reply!r}")
