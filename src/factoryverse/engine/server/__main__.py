"""One embedded server process: ``python -m factoryverse.engine.server --rcon-port 27000 ...``.

Prints one line ``READY {json}`` on stdout once RCON accepts connections, then runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

from factoryverse.engine.server.instance import GameServer, ServerConfig


def _parse(argv: list[str] | None) -> ServerConfig:
    p = argparse.ArgumentParser(prog="python -m factoryverse.engine.server", description=__doc__)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rcon-host", default="127.0.0.1")
    p.add_argument("--rcon-port", type=int, default=27000)
    p.add_argument("--rcon-password", default="factoryverse")
    p.add_argument("--script-output", type=Path, default=None)
    p.add_argument("--mods-dir", type=Path, default=None)
    p.add_argument("--mode", choices=["paused", "realtime", "fast"], default="realtime")
    p.add_argument("--speed", type=float, default=1.0)
    a = p.parse_args(argv)
    return ServerConfig(
        seed=a.seed,
        rcon_host=a.rcon_host,
        rcon_port=a.rcon_port,
        rcon_password=a.rcon_password,
        script_output=a.script_output,
        mods_dir=a.mods_dir,
        mode=a.mode,
        speed=a.speed,
    )


async def _serve(config: ServerConfig) -> None:
    server = GameServer(config)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    info = {"rcon_host": config.rcon_host, "rcon_port": server.rcon.port, "seed": config.seed}
    print("READY " + json.dumps(info), flush=True)
    await stop.wait()
    await server.stop()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    config = _parse(argv)
    try:
        asyncio.run(_serve(config))
    except Exception as e:  # a clear one-line reason for whoever started us, then a non-zero exit
        print(f"ERROR {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
