"""Fork of a game with 1,000 placed entities, against issue 7's target (point 10: under 10 ms).

Two ways, both measured with the three bundled mods (and the in-process one without mods too):
* a server's fork (`/fv-fork-server`, what `fv server fork` and `factoryverse.servers.fork_instance` use): a
  copy-on-write fork of the server process. Printed: how long the parent game stops (the figure judged against
  the target), and the wall time until the copy answers RCON on its own port;
* `Engine.fork()`, the in-process copy: the world's pickle made and read back in memory (no file, no zlib), then
  new Lua states for the level and every mod.

Usage: python benchmarks/fork.py [--entities 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from engine_scaling import working_factory  # noqa: E402

from factoryverse.engine.save.game_save import capture  # noqa: E402
from factoryverse.engine.server.instance import GameServer, ServerConfig  # noqa: E402

TARGET_SECONDS = 0.010


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ok = True
    for label, mods in (("no mods", []), ("three mods", None)):
        engine = working_factory(args.entities, mods)
        forks, captures = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            capture(engine)
            captures.append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.fork()
            forks.append(time.perf_counter() - t)
        best = min(forks)
        ok = ok and best < TARGET_SECONDS
        print(f"{label}: fork {best * 1000:.1f} ms (of which the game's image {min(captures) * 1000:.1f} ms; "
              f"best of {args.repeat}; target {TARGET_SECONDS * 1000:.0f} ms)")
    server_ok = _server_fork(args.entities, args.repeat)
    return 0 if ok and server_ok else 1


def _server_fork(entities: int, repeat: int) -> bool:
    import asyncio
    import json
    import os
    import signal
    import tempfile

    from factorio_rcon import RCONClient

    engine = working_factory(entities, None)
    engine.clock.tick_paused = True  # the usual case: a paused game forked for a search or a reset
    folder = Path(tempfile.mkdtemp(prefix="fv-fork-bench-"))
    server = GameServer(ServerConfig(rcon_port=0, rcon_password="bench", mode="paused"), engine=engine)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(server.start())
    paused, ready = [], []
    forked: list[int] = []
    try:
        parent = RCONClient("127.0.0.1", server.rcon.port, "bench", connect_on_init=True)
        for i in range(repeat):
            spec = {"script_output": str(folder / f"c{i}" / "script-output"), "saves_dir": str(folder / f"c{i}" / "saves"),
                    "log": str(folder / f"c{i}" / "server.log"), "rcon_password": "child"}
            t = time.perf_counter()
            reply = parent.send_command("/fv-fork-server " + json.dumps(spec))
            word, _, payload = reply.partition(" ")
            assert word == "FORKED", reply
            report = json.loads(payload)
            forked.append(report["pid"])
            child = RCONClient("127.0.0.1", report["rcon_port"], "child", connect_on_init=True)
            assert child.send_command("/sc rcon.print(game.tick)") == str(engine.tick)
            ready.append(time.perf_counter() - t)
            paused.append(report["parent_paused_ms"] / 1000)
            child.close()
        parent.close()
    finally:
        # The copies are servers of their own (adopted by init): stop every one, whatever went wrong.
        for pid in forked:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        loop.run_until_complete(server.stop())
        loop.close()
    placed = len(engine.world.by_unit_number)
    best = min(paused)
    print(f"server fork ({placed} placed entities, three mods): parent stopped {best * 1000:.2f} ms (target "
          f"{TARGET_SECONDS * 1000:.0f} ms); copy answering RCON after {min(ready) * 1000:.1f} ms (best of {repeat})")
    return best < TARGET_SECONDS


if __name__ == "__main__":
    sys.exit(main())
