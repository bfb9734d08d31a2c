"""Round-trip latency of the embedded RCON server on loopback.

Runs the server with a trivial execute callback on a background event loop and
times sequential commands from factorio-rcon-py's blocking client, which is what
the server adds on top of the engine's own command time.

Usage: python benchmarks/rcon_roundtrip.py [--commands 1000]
Exit status is 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time

from factorio_rcon import RCONClient

from factoryverse.engine.server.rcon import RconServer

TARGET_MEDIAN_US = 1000.0
_PASSWORD = "benchmark"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
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
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
