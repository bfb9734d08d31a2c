"""The agent runtime's cost: starting a kernel bound to an agent, and one program's round trip through it.

    python benchmarks/runtime_roundtrip.py [--programs 200]

Starts a fast-mode GameServer in this process (the runtime's kernel is another process, reaching it over RCON
and UDP as any client does), opens an AgentRuntime with a new agent, and times sequential programs: `1` (the
runtime's own overhead: a kernel execute, the program task, the reply), `await agent.inspect()` (plus one SDK
remote call) and a 3 MB print cut to the output limit. Wall times (two processes take part), and this process's
CPU time per program. Exit status is 1 when the `1` median misses TARGET_EMPTY_MEDIAN_MS.
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
from factoryverse.runtime import AgentRuntime

# A ZeroMQ request, a task in the kernel and the idle status back: small next to a language model's turn, and a
# person at `fv agent` should not feel it.
TARGET_EMPTY_MEDIAN_MS = 20.0
_PASSWORD = "benchmark"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def _time(rt: AgentRuntime, code: str, n: int) -> dict[str, float]:
    wall, cpu = [], []
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        result = await rt.run(code, timeout=60)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
        if result.error is not None:
            raise SystemExit(f"{code!r} failed: {result.error}")
    return {"median_ms": round(statistics.median(wall), 2), "p95_ms": round(_p95(wall), 2),
            "cpu_median_ms": round(statistics.median(cpu), 2)}


async def _run(programs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        config = ServerConfig(seed=1, rcon_port=0, rcon_password=_PASSWORD, script_output=Path(tmp) / "out",
                              mode="fast")
        server = GameServer(config)
        await server.start()
        try:
            started = time.perf_counter()
            async with AgentRuntime("127.0.0.1", server.rcon.port, _PASSWORD) as rt:
                start_s = time.perf_counter() - started
                empty = await _time(rt, "1", programs)
                inspect = await _time(rt, "await agent.inspect()", programs)
                big = await _time(rt, "print('x' * 3_000_000)", 5)
        finally:
            await server.stop()
    return {"kernel_start_and_bind_s": round(start_s, 2), "program_empty": empty, "program_inspect": inspect,
            "program_print_3mb": big, "target_empty_median_ms": TARGET_EMPTY_MEDIAN_MS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=int, default=200)
    args = parser.parse_args()
    report = asyncio.run(_run(args.programs))
    print(json.dumps(report, indent=2))
    ok = report["program_empty"]["median_ms"] <= TARGET_EMPTY_MEDIAN_MS
    print(f"empty program median {report['program_empty']['median_ms']} ms, target <= {TARGET_EMPTY_MEDIAN_MS} ms: "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
