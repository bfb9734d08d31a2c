"""One embedded server process: ``python -m factoryverse.engine.server --rcon-port 27000 ...``.

Prints one line on stdout and then nothing more:
``READY {json}`` once RCON accepts connections and the mods are loaded (host, port, seed and tick (a loaded game's
are the save's), the factoryverse version,
the Factorio version the game runs as with its base data and runtime API versions, and the mods it loaded with
their versions),
then runs until SIGTERM/SIGINT; or ``FAILED {json}`` if it could not start (``reason`` is ``rcon_port_in_use``,
``rcon_bind_failed`` or ``start_failed``; ``message`` says what to do) and exits with code 1 at once.

The RCON password comes from ``--rcon-password-file`` (a file readable only by its owner) or the
FACTORYVERSE_RCON_PASSWORD environment variable (how ``fv server start`` passes it). ``--rcon-password`` is for
manual use only: a command line is readable by every local user (``ps``), the environment and a 0600 file only by
the owner. With none of them the password is "factoryverse".
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import logging
import os
import signal
import stat
import sys
from pathlib import Path

import factoryverse
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, VERSIONS, factorio_version
from factoryverse.engine.server.instance import GameServer, ServerConfig
from factoryverse.engine.server.rcon import RconServerError

PASSWORD_ENV = "FACTORYVERSE_RCON_PASSWORD"
_DEFAULT_PASSWORD = "factoryverse"

log = logging.getLogger("factoryverse.engine.server")


def _read_password_file(p: argparse.ArgumentParser, path: Path) -> str:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        p.error(f"--rcon-password-file {path}: {e.strerror or e}")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s is readable by other users; `chmod 600 %s` keeps the RCON password yours", path, path)
    password = text.rstrip("\r\n")  # a trailing newline from `echo pw > file` is not part of the password
    if not password:
        p.error(f"--rcon-password-file {path} is empty; put the password on its first line")
    return password


def _password(p: argparse.ArgumentParser, a: argparse.Namespace) -> str:
    if a.rcon_password_file is not None and a.rcon_password is not None:
        p.error("give --rcon-password-file or --rcon-password, not both")
    if a.rcon_password_file is not None:
        return _read_password_file(p, a.rcon_password_file)
    # Taken out of the environment so nothing this process starts inherits it.
    from_env = os.environ.pop(PASSWORD_ENV, None)
    if a.rcon_password is not None:
        return a.rcon_password
    return from_env or _DEFAULT_PASSWORD


def _parse(argv: list[str] | None) -> ServerConfig:
    p = argparse.ArgumentParser(prog="python -m factoryverse.engine.server", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rcon-host", default="127.0.0.1")
    p.add_argument("--rcon-port", type=int, default=27000)
    p.add_argument("--rcon-password", default=None,
                   help=f"visible to every local user in `ps`; prefer --rcon-password-file or ${PASSWORD_ENV}")
    p.add_argument("--rcon-password-file", type=Path, default=None,
                   help="a file (mode 600) whose first line is the RCON password")
    p.add_argument("--script-output", type=Path, default=None)
    p.add_argument("--mods-dir", type=Path, default=None)
    p.add_argument("--mode", choices=["paused", "realtime", "fast"], default="realtime")
    p.add_argument("--speed", type=float, default=1.0)
    p.add_argument("--factorio-version", choices=sorted(VERSIONS), default=None,
                   help=f"the Factorio version the game runs as: its prototype data, API and the factorio_version "
                   f"its mods must declare (default {DEFAULT_FACTORIO_VERSION}; with --load, the save's)")
    p.add_argument("--saves-dir", type=Path, default=None,
                   help="where game.server_save, /save and autosaves write (without it the game refuses to save)")
    p.add_argument("--autosave-minutes", type=float, default=10.0,
                   help="autosave into --saves-dir every N game minutes (3600 N ticks) as _autosave1.._autosave5; "
                   "0 = off (default 10, as Factorio's server)")
    p.add_argument("--load", type=Path, default=None,
                   help="start from this save (a .fvsave) instead of a new map; --seed is then the save's")
    p.add_argument("--scenario", default=None, metavar="[MOD/]NAME",
                   help="run a mod's scenario (its scenarios/NAME/control.lua) as the level script of the new game, "
                   "e.g. fv_embodied_agent/lab-grid or test-ground; a loaded game runs its save's")
    a = p.parse_args(argv)
    if a.autosave_minutes < 0:
        p.error(f"--autosave-minutes must be 0 (off) or more, got {a.autosave_minutes}")
    return ServerConfig(
        seed=a.seed,
        rcon_host=a.rcon_host,
        rcon_port=a.rcon_port,
        rcon_password=_password(p, a),
        script_output=a.script_output,
        mods_dir=a.mods_dir,
        mode=a.mode,
        speed=a.speed,
        factorio_version=a.factorio_version if a.factorio_version or a.load else DEFAULT_FACTORIO_VERSION,
        saves_dir=a.saves_dir,
        autosave_minutes=a.autosave_minutes,
        load=a.load,
        scenario=a.scenario,
    )


def _failure(config: ServerConfig, e: BaseException) -> dict:
    cause = e.__cause__
    if isinstance(e, RconServerError) and isinstance(cause, OSError):
        reason = "rcon_port_in_use" if cause.errno == errno.EADDRINUSE else "rcon_bind_failed"
        return {"reason": reason, "host": config.rcon_host, "port": config.rcon_port, "message": str(e)}
    return {"reason": "start_failed", "error": type(e).__name__, "message": str(e)}


async def _serve(config: ServerConfig) -> int:
    server: GameServer | None = None
    try:
        server = GameServer(config)
        await server.start()
    except Exception as e:
        if server is not None:
            server.loop.stop()
        print("FAILED " + json.dumps(_failure(config, e)), flush=True)
        print(f"ERROR {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    engine = server.loop.engine
    assert engine is not None  # started
    info = {
        "rcon_host": config.rcon_host,
        "rcon_port": server.rcon.port,
        # A loaded game's seed is the save's. Read from this thread: fixed once the engine is built.
        "seed": engine.seed,
        "tick": engine.tick,
        "factoryverse_version": factoryverse.__version__,
        # The one version the game runs as, with its base data and runtime API versions.
        **factorio_version(engine.factorio.name).describe(),
        "mods": server.loaded_mods(),
        # The scenario whose script runs as the level's ("mod/name"), or null.
        "scenario": engine.scenario.id if engine.scenario is not None else None,
    }
    print("READY " + json.dumps(info), flush=True)
    await stop.wait()
    await server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    config = _parse(argv)
    try:
        return asyncio.run(_serve(config))
    except Exception as e:  # a clear one-line reason for whoever started us, then a non-zero exit
        print(f"ERROR {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
