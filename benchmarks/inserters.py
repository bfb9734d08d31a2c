"""Inserter cost per swing: N fast inserters moving iron plates chest to chest, against N placed but waiting.

Each inserter is updated once per half swing (kinds/inserter.py), so a working one costs 2 updates per 26-tick
cycle and a waiting one nothing. Reports UPS, engine updates per tick and the wall time per half-swing update
(working run minus the idle run, so the world's fixed per-tick cost is not counted).

Usage: python benchmarks/inserters.py [--sizes 100,1000,5000] [--ticks 1200]
"""

from __future__ import annotations

import argparse
import time

from factoryverse.engine.engine import Engine

_BATCH = 300


def _lua(engine: Engine, code: str) -> None:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    if reply.startswith("Cannot execute command"):
        raise SystemExit(f"set-up failed: {reply}")


def build(n: int, working: bool) -> Engine:
    """Rows of chest / fast inserter / chest, 2 tiles apart, south of the spawn area's ore."""
    engine = Engine(seed=1, mods=[], starting_chunks=4)
    per_row = 100
    plates = 3200 if working else 0
    for first in range(0, n, _BATCH):
        last = min(n, first + _BATCH) - 1
        _lua(engine, f"""
            for i = {first}, {last} do
              local x = -100 + (i % {per_row}) * 2 + 0.5
              local y = -100 + math.floor(i / {per_row}) * 4 + 0.5
              for _, e in pairs(s.find_entities_filtered{{area = {{{{x - 0.5, y - 1.5}}, {{x + 0.5, y + 2.5}}}}}}) do
                if e.type ~= 'resource' then e.destroy() end
              end
              local src = s.create_entity{{name = 'iron-chest', position = {{x, y - 1}}, force = 'player'}}
              s.create_entity{{name = 'iron-chest', position = {{x, y + 1}}, force = 'player'}}
              if {plates} > 0 then src.insert{{name = 'iron-plate', count = {plates}}} end
              s.create_entity{{name = 'fast-inserter', position = {{x, y}}, force = 'player'}}
            end""")
    engine.run_ticks(60)
    return engine


def measure(n: int, ticks: int, working: bool) -> tuple[float, int]:
    engine = build(n, working)
    updates = engine.world.entity_updates
    t0 = time.perf_counter()
    engine.run_ticks(ticks)
    return time.perf_counter() - t0, engine.world.entity_updates - updates


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000,5000")
    ap.add_argument("--ticks", type=int, default=1200)
    args = ap.parse_args()
    print(f"{'inserters':>9} {'UPS working':>12} {'UPS idle':>9} {'updates/tick':>13} {'us/half swing':>14}")
    for n in (int(s) for s in args.sizes.split(",")):
        busy, updates = measure(n, args.ticks, True)
        idle, idle_updates = measure(n, args.ticks, False)
        per_swing = (busy - idle) / max(1, updates - idle_updates) * 1e6
        print(f"{n:>9} {args.ticks / busy:>12.0f} {args.ticks / idle:>9.0f} {updates / args.ticks:>13.1f} {per_swing:>14.2f}")


if __name__ == "__main__":
    main()
