"""What fluids and steam power cost: steam plants powering electric mining drills, and long idle pipe runs.

Scenarios, each on a fresh seeded map (no mods):
  plants N   N steam plants (offshore pump, 10 pipes, boiler on solid fuel, two steam engines, a substation) in a
             column, each powering 20 electric mining drills on ore into chests: 33 + 40 entities per plant
  pipes N    one pump filling a storage tank through N pipes (pipes-to-ground every tenth tile), then idle: the
             full network should cost nothing

Printed: UPS over the measured ticks, entity updates per tick, and fluid network count.

Usage: python benchmarks/fluids.py [--plants 1,5] [--pipes 1000] [--ticks 3600]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from factoryverse.engine.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.engine.mechanics.conftest import clear_land  # noqa: E402  (the tests' own land clearing)


def _make(world, name, x, y, direction=0, **kw):
    e = world.create_entity(world.surfaces["nauvis"], name, x, y, direction=direction, **kw)
    assert e is not None
    return e


def build_plants(engine: Engine, n: int) -> int:
    world = engine.world
    s = world.surfaces["nauvis"]
    built = 0
    for k in range(n):
        oy = k * 40
        clear_land(engine, -2, oy - 12, 56, oy + 36)
        for x in range(0, 5):
            s.set_tile(x, oy, "water")
        _make(world, "offshore-pump", 2.5, oy + 1.5)
        for y in range(2, 6):
            _make(world, "pipe", 2.5, oy + y + 0.5)
        for x in range(3, 9):
            _make(world, "pipe", x + 0.5, oy + 5.5)
        boiler = _make(world, "boiler", 10.5, oy + 5.0)
        boiler.kind.insert(world, boiler, "solid-fuel", 50)
        _make(world, "steam-engine", 10.5, oy + 1.5)
        _make(world, "steam-engine", 10.5, oy - 3.5)
        for y in range(17, 34):
            for x in range(17, 52):
                world.create_entity(s, "iron-ore", x + 0.5, oy + y + 0.5, amount=1_000_000)
        for i in range(20):
            x, y = 20.5 + 3 * (i % 10), oy + 20.5 + 5 * (i // 10)
            _make(world, "electric-mining-drill", x, y)
            _make(world, "iron-chest", x, y - 2)
        for x, y in ((14, 0), (20, 12), (27, 25), (45, 25)):
            _make(world, "substation", x, oy + y)
        built += 33 + 40
    return built


def build_pipes(engine: Engine, n: int) -> int:
    world = engine.world
    s = world.surfaces["nauvis"]
    clear_land(engine, -2, -4, min(n, 300) + 8, 8 + n // 300 * 3)
    for x in range(0, 3):
        s.set_tile(x, -1, "water")
    _make(world, "offshore-pump", 1.5, 0.5)
    for i in range(n):  # rows of up to 300 (inside the pipeline extent), joined at the ends
        row, col = divmod(i, 300)
        _make(world, "pipe", (col if row % 2 == 0 else 299 - col) + 1.5, 1.5 + row)
    _make(world, "storage-tank", 0.5, 5.5)
    return n + 2


def measure(engine: Engine, ticks: int) -> tuple[float, float]:
    world = engine.world
    updates = world.entity_updates
    start = time.perf_counter()
    engine.run_ticks(ticks)
    elapsed = time.perf_counter() - start
    return ticks / elapsed, (world.entity_updates - updates) / ticks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plants", default="1,5")
    ap.add_argument("--pipes", default="1000")
    ap.add_argument("--ticks", type=int, default=3600)
    args = ap.parse_args()
    for n in [int(v) for v in args.plants.split(",") if v]:
        engine = Engine(seed=1, mods=[], starting_chunks=4)
        entities = build_plants(engine, n)
        engine.run_ticks(300)
        ups, per_tick = measure(engine, args.ticks)
        nets = len(engine.world.fluids.members)
        print(f"plants {n:3d}: {entities:6d} entities, {nets:4d} fluid networks: {ups:9.0f} UPS, "
              f"{per_tick:6.2f} entity updates/tick")
    for n in [int(v) for v in args.pipes.split(",") if v]:
        engine = Engine(seed=1, mods=[], starting_chunks=4)
        entities = build_pipes(engine, n)
        engine.run_ticks(3000)  # fill
        ups, per_tick = measure(engine, args.ticks)
        print(f"pipes {n:5d}: {entities:6d} entities, idle after filling: {ups:9.0f} UPS, "
              f"{per_tick:6.2f} entity updates/tick")


if __name__ == "__main__":
    main()
