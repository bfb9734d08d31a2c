"""Round-trip latency of the embedded RCON server on loopback, and command rates against a real server process.

Latency: the RCON server with a trivial execute callback on a background event loop, timed with sequential commands
from factorio-rcon-py's blocking client; that is what the server adds on top of the engine's own command time.

Rates, each with one sequential factorio-rcon-py client against its own process, in the same run:
  bare protocol   a process serving RCON with an echo callback: no game, no Lua (the ceiling)
  unknown command `/fv-no-such-command` on a game server: the game thread's round trip without Lua
  trivial /sc     `/sc rcon.print(1)` on a game server
  surface query   `/sc rcon.print(game.surfaces[1].count_entities_filtered{name = "iron-ore", limit = 10})`
Game servers run `python -m factoryverse.engine.server` in its default mode (realtime) with the repository's mods.

Usage: python benchmarks/rcon_roundtrip.py [--commands 1000] [--seconds 3]
Exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time

from _server_process import spawn_ready, stop
from factorio_rcon import RCONClient

from factoryverse.engine.server.rcon import RconServer

TARGET_MEDIAN_US = 1000.0
TARGET_SC_SHARE = 0.5  # a trivial /sc at least half the bare protocol's rate
TARGET_QUERY_RATE = 2180.0  # count_entities_filtered{name = "iron-ore", limit = 10} per second
_PASSWORD = "benchmark"
_START_TIMEOUT_S = 120.0
_TRIVIAL_SC = "/sc rcon.print(1)"
_QUERY = '/sc rcon.print(game.surfaces[1].count_entities_filtered{name = "iron-ore", limit = 10})'
# A process serving only the RCON protocol: it answers every command with its own text.
_ECHO_SERVER = """
import asyncio, sys
from factoryverse.engine.server.rcon import RconServer
async def echo(command):
    return command
async def main():
    server = RconServer(echo, sys.argv[1])
    await server.start()
    print("READY " + str(server.port), flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


async def _echo(command: str) -> str:
    return command


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def _measure(port: int, commands: int) -> list[float]:
    with RCONClient("127.0.0.1", port, _PASSWORD, timeout=10) as client:
        for _ in range(50):  # warm up sockets, allocator and the client's code paths
            client.send_command("/sc rcon.print(1)")
        samples = []
        for index in range(commands):
            start = time.perf_counter_ns()
            client.send_command(f"/sc rcon.print({index})")
            samples.append((time.perf_counter_ns() - start) / 1000.0)
    return samples


def _rate(port: int, command: str, seconds: float, expect: str | None = None) -> float:
    """Commands per second for one sequential client sending `command` for about `seconds`."""
    with RCONClient("127.0.0.1", port, _PASSWORD, timeout=30) as client:
        for _ in range(200):  # warm up: sockets, allocator, the server's code paths
            reply = client.send_command(command)
        if expect is not None and reply != expect:
            raise SystemExit(f"{command!r} answered {reply!r}, expected {expect!r}")
        done, start = 0, time.perf_counter()
        while True:
            for _ in range(100):
                client.send_command(command)
            done += 100
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return done / elapsed


def _rates(seconds: float) -> dict[str, float]:
    echo, line = spawn_ready([sys.executable, "-c", _ECHO_SERVER, _PASSWORD])
    try:
        bare = _rate(int(line), _TRIVIAL_SC, seconds, expect=_TRIVIAL_SC)
    finally:
        stop(echo, _START_TIMEOUT_S)
    with tempfile.TemporaryDirectory() as out:
        game, line = spawn_ready(
            [
                sys.executable, "-m", "factoryverse.engine.server", "--rcon-port", "0", "--seed", "1",
                "--rcon-password", _PASSWORD, "--script-output", out,
            ]
        )
        try:
            port = json.loads(line)["rcon_port"]
            unknown = _rate(port, "/fv-no-such-command", seconds)
            trivial = _rate(port, _TRIVIAL_SC, seconds, expect="1")
            query = _rate(port, _QUERY, seconds, expect="10")
        finally:
            stop(game, _START_TIMEOUT_S)
    return {"bare protocol": bare, "unknown command": unknown, "trivial /sc": trivial, "surface query": query}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent on each rate")
    args = parser.parse_args()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = RconServer(_echo, _PASSWORD)
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        samples = sorted(_measure(server.port, args.commands))
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()

    median = statistics.median(samples)
    p99 = _percentile(samples, 0.99)
    ok = median < TARGET_MEDIAN_US
    print(f"rcon round-trip over {len(samples)} sequential commands (sync factorio_rcon client)")
    print(f"  median: {median:8.1f} us")
    print(f"  p99:    {p99:8.1f} us")
    print(f"  max:    {samples[-1]:8.1f} us")
    print(f"target: median < {TARGET_MEDIAN_US / 1000:.0f} ms on loopback -> {'PASS' if ok else 'FAIL'}")

    rates = _rates(args.seconds)
    bare = rates["bare protocol"]
    print(f"command rates, one sequential client, {args.seconds:g} s each (game server: default mode, repository mods)")
    for name, rate in rates.items():
        print(f"  {name:16s} {rate:9.0f} commands/s  ({100 * rate / bare:5.1f}% of bare protocol)")
    share = rates["trivial /sc"] / bare
    share_ok = share >= TARGET_SC_SHARE
    query_ok = rates["surface query"] >= TARGET_QUERY_RATE
    print(f"target: trivial /sc >= {100 * TARGET_SC_SHARE:.0f}% of bare protocol ({100 * share:.1f}%) -> {'PASS' if share_ok else 'FAIL'}")
    print(f"target: surface query >= {TARGET_QUERY_RATE:.0f} commands/s -> {'PASS' if query_ok else 'FAIL'}")
    return 0 if ok and share_ok and query_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
