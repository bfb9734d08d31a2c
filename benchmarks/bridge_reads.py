"""Cost of crossing the Lua-to-engine bridge: property reads, a custom table and a method call, per operation.

Each figure is one Lua loop of N operations run as a console command on a seeded map without mods, minus the same
loop with the operation replaced by a plain local read (so the loop itself does not count). A Lua-only read of a
plain table field through lupa costs about 0.36 us on the machine the issue was measured on; Factorio's own
property reads cost about as much. Times are the process's CPU time, so other work on the machine does not count.

Usage: python benchmarks/bridge_reads.py [--reads 200000]
Exit status is 1 when a property read of a valid entity costs more than the target.
"""

from __future__ import annotations

import argparse
import time

from factoryverse.engine.engine import Engine

TARGET_PROPERTY_US = 0.6

# name -> the statement timed (e is a valid entity, s the surface, t a plain table)
_CASES = {
    "entity.name": "x = e.name",
    "entity.position": "x = e.position",
    "entity.valid": "x = e.valid",
    "game.surfaces[1]": "x = game.surfaces[1]",
    "game.surfaces.nauvis.name": "x = game.surfaces.nauvis.name",
    "entity.get_item_count()": "x = e.get_item_count()",
    "plain table field (reference)": "x = t.name",
    "one Python call (reference)": "x = crossing(7)",
}
_PROPERTY_CASES = ("entity.name", "entity.position")


def _time(engine: Engine, body: str, n: int) -> float:
    code = (
        "local e = storage_bench_entity local crossing = bench_crossing local s = game.surfaces[1] local t = {name = 'x'} local x "
        f"for i = 1, {n} do {body} end"
    )
    fn = engine.level.compile(code, "=bench")
    start = time.process_time()
    engine.level.call("bench", fn)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    engine = Engine(seed=1, mods=[], starting_chunks=2, watchdog_seconds=None)
    try:
        reply = engine.execute_command(
            "/sc storage_bench_entity = game.surfaces[1].create_entity{name = 'wooden-chest', position = {0.5, 0.5}, "
            "force = 'player'} rcon.print(storage_bench_entity.name)"
        )
        if reply != "wooden-chest":
            raise SystemExit(f"set-up failed: {reply}")
        # The floor of any read that reaches the engine: Lua calling a Python function that answers a string.
        engine.level.globals().bench_crossing = lambda oid: "wooden-chest"
        n = args.reads
        empty = min(_time(engine, "x = t", n) for _ in range(args.repeats))
        results = {}
        for name, body in _CASES.items():
            best = min(_time(engine, body, n) for _ in range(args.repeats))
            results[name] = max(0.0, best - empty) / n * 1e6
    finally:
        engine.close()

    print(f"bridge cost per operation, best of {args.repeats} runs of {n} (loop overhead subtracted)")
    for name, us in results.items():
        print(f"  {name:32s} {us:7.3f} us")
    worst = max(results[name] for name in _PROPERTY_CASES)
    ok = worst <= TARGET_PROPERTY_US
    print(f"target: property read of a valid entity <= {TARGET_PROPERTY_US} us (worst {worst:.3f}) -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
