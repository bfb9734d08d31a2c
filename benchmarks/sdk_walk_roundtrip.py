"""SDK round trips against the embedded game: a remote_call (agent.inspect) and a walk_to awaited over UDP.

    python benchmarks/sdk_walk_roundtrip.py [--mode fast|realtime] [--calls 200] [--walks 10] [--distance 8]

Starts a GameServer in this process, waits for the map snapshot to finish its bootstrap (which slows the
first ticks), creates one agent and times sequential calls through the public SDK only. A walk's time is
dominated by the game's ticks in realtime mode (running speed); in fast mode it shows the SDK overhead.
Exit status is 1 when the remote_call median misses TARGET_CALL_MEDIAN_MS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from factoryverse.engine.server import GameServer, ServerConfig
from factoryverse.sdk import FactoryVerseClient

# One RCON round trip plus a Lua call and a JSON encode; realtime mode adds up to one tick (16.7 ms) of waiting.
TARGET_CALL_MEDIAN_MS = {"fast": 5.0, "realtime": 20.0}
_PASSWORD = "benchmark"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _run(mode: str, calls: int, walks: int, distance: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        config = ServerConfig(
            seed=1, rcon_port=0, rcon_password=_PASSWORD, script_output=Path(tmp) / "script-output", mode=mode
        )
        server = GameServer(config)
        await server.start()
        try:
            async with FactoryVerseClient("127.0.0.1", server.rcon.port, _PASSWORD, action_timeout=120) as game:
                deadline = time.monotonic() + 120
                await game.configure_snapshot(run_id="benchmark")
                while (await game.snapshot_status()).phase != "complete":
                    if time.monotonic() > deadline:
                        raise SystemExit("the snapshot bootstrap did not finish within 120 s")
                agent = await game.create_agent((0, 0))
                call_ms = []
                for _ in range(calls):
                    started = time.perf_counter()
                    await agent.inspect()
                    call_ms.append((time.perf_counter() - started) * 1000)
                walk_ms, walk_ticks = [], []
                for i in range(walks):
                    goal = (distance if i % 2 == 0 else 0.0, 0.0)
                    before = await game.tick()
                    started = time.perf_counter()
                    result = await agent.walk_to(*goal)
                    walk_ms.append((time.perf_counter() - started) * 1000)
                    walk_ticks.append(result.tick - before)
                await game.destroy_agents([agent.agent_id])
        finally:
            await server.stop()
    return {
        "mode": mode,
        "call_median_ms": round(statistics.median(call_ms), 3),
        "call_p95_ms": round(_percentile(call_ms, 0.95), 3),
        "walk_distance_tiles": distance,
        "walk_median_ms": round(statistics.median(walk_ms), 1),
        "walk_median_ticks": statistics.median(walk_ticks),
        "target_call_median_ms": TARGET_CALL_MEDIAN_MS[mode],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=sorted(TARGET_CALL_MEDIAN_MS), default="fast")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--walks", type=int, default=10)
    parser.add_argument("--distance", type=float, default=8.0)
    args = parser.parse_args()
    report = asyncio.run(_run(args.mode, args.calls, args.walks, args.distance))
    print(json.dumps(report, indent=2))
    return 0 if report["call_median_ms"] <= TARGET_CALL_MEDIAN_MS[args.mode] else 1


if __name__ == "__main__":
    raise SystemExit(main())
