"""Planning connect() routes on the embedded game: CPU time of plan_connection for belts around a wall.

    python benchmarks/sdk_connect_plan.py [--runs 5] [--length 40]

Starts a GameServer in this process, clears a strip with the test_ground interface, builds a wall across the
straight line between two points `length` tiles apart, and times plan_connection (A* in Python, each searched
16 x 16 block of tiles checked by fv_placement_hints' validate_positions over RCON). The server runs in this
process, so time.process_time counts both sides: the search and the game's placement checks. It also prints
how many validate_positions calls a plan took. Exit status is 1 when the median misses TARGET_CPU_S.
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
from factoryverse.sdk import FactoryVerseClient, MapPosition
from factoryverse.sdk.helpers import plan_connection

# An agent's program plans a route between two actions; half a second of CPU (game and search together) for a
# 40-tile route with a detour keeps planning well below the time the agent then spends walking and building it.
TARGET_CPU_S = 0.5
_PASSWORD = "benchmark"


def _area(x0: int, y0: int, x1: int, y1: int) -> dict[str, dict[str, int]]:
    return {"left_top": {"x": x0, "y": y0}, "right_bottom": {"x": x1, "y": y1}}


async def _run(runs: int, length: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        config = ServerConfig(seed=1, rcon_port=0, rcon_password=_PASSWORD,
                              script_output=Path(tmp) / "script-output", mode="fast")
        server = GameServer(config)
        await server.start()
        try:
            async with FactoryVerseClient("127.0.0.1", server.rcon.port, _PASSWORD, action_timeout=120) as game:
                x0, y0 = -20, -100
                for x in range(x0 - 10, x0 + length + 10, 64):
                    box = _area(x, y0 - 16, min(x + 64, x0 + length + 10), y0 + 16)
                    await game.call("test_ground", "clear_area", box)
                    await game.call("test_ground", "set_tiles", "grass-1", box)
                agent = await game.create_agent((x0, y0 + 10))
                await game.add_items(agent, {"stone-wall": 20})
                mid = x0 + length // 2
                await agent.walk_to(mid - 2, y0, radius=0.5)
                for y in range(y0 - 6, y0 + 7):
                    await agent.place_entity("stone-wall", (mid + 0.5, y + 0.5))
                a, b = MapPosition(x0 + 0.5, y0 + 0.5), MapPosition(x0 + length + 0.5, y0 + 0.5)
                cpu, tiles, calls = [], 0, []
                for _ in range(runs):
                    started = time.process_time()
                    plan = await plan_connection(agent, a, b, "transport-belt")
                    cpu.append(time.process_time() - started)
                    tiles, calls = len(plan.path), calls + [plan.validations]
        finally:
            await server.stop()
    return {
        "straight_distance_tiles": length,
        "route_tiles": tiles,
        "validate_positions_calls": statistics.median(calls),
        "cpu_median_s": round(statistics.median(cpu), 4),
        "target_cpu_s": TARGET_CPU_S,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--length", type=int, default=40)
    args = parser.parse_args()
    report = asyncio.run(_run(args.runs, args.length))
    print(json.dumps(report, indent=2))
    return 0 if report["cpu_median_s"] <= TARGET_CPU_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
