"""Engine UPS as the number of working machines grows, against issue 7's targets.

Every scenario is a fresh seeded map (no mods) built with plain Factorio Lua through the console, as a mod would
build it; nothing of the SDK is involved:
  furnaces N   N stone furnaces, each with 50 coal and 50 iron ore: all smelting for the whole measurement
  drills N     N burner mining drills on their own 2x2 of iron ore, fuelled, each filling a wooden chest
  mixed N      the working factory of benchmarks/mixed_factory.py with N entities: burner and electric drills,
               belts, inserters, stone furnaces, assemblers making gears and chests, with its power
  idle N       N furnaces and drills placed but blocked (no fuel, no ore): they should cost next to nothing

Targets (issue 7, point 10): 1,000 working entities (mixed kinds) at >= 3,600 UPS on one core, 10,000 at >= 600
UPS, and the cost growing with active entities, not placed ones. UPS and the per-entity-tick cost (time / (ticks x
entities)) are from this process's CPU time, so other work on the machine doesn't count.

Usage: python benchmarks/engine_scaling.py [--sizes 100,1000,5000,10000] [--ticks 1200] [--scenarios furnaces,...]
Exit status is 1 when a target scenario misses its target.
"""

from __future__ import annotations

import argparse
import time

import mixed_factory
from factoryverse.engine.engine import Engine

# Ticks run before timing, so every machine is in its steady state: fuel burning, the first craft (192 ticks) and
# mining cycle (240 ticks) done, so each drill has found the chest it drops into (a one-off search per drill).
_WARMUP_TICKS = 300
# Units built per console command: keeps each command well inside the wall-clock watchdog.
_BATCH = 500
_TARGETS = {1000: 3600.0, 10000: 600.0}


def _lua(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    if reply.startswith("Cannot execute command") or "Error" in reply[:40]:
        raise SystemExit(f"set-up failed: {reply}")
    return reply


def _grid(n: int, per_row: int, dx: int, dy: int, first: int) -> str:
    """Lua computing x, y of unit i (0-based) on a grid of `per_row` columns, `dx` x `dy` tiles apart."""
    return f"local i = k - 1 + {first} local x, y = -1000 + (i % {per_row}) * {dx}, -1000 + math.floor(i / {per_row}) * {dy} "


def _furnaces(engine: Engine, n: int, fuelled: bool = True) -> None:
    for first in range(0, n, _BATCH):
        count = min(_BATCH, n - first)
        fill = "f.insert{name = 'coal', count = 50} f.insert{name = 'iron-ore', count = 50} " if fuelled else ""
        _lua(
            engine,
            f"for k = 1, {count} do " + _grid(n, 100, 2, 2, first)
            + "local f = s.create_entity{name = 'stone-furnace', position = {x, y}, force = 'player'} " + fill + "end",
        )


def _drills(engine: Engine, n: int, fuelled: bool = True, y0: int = 400) -> None:
    for first in range(0, n, _BATCH):
        count = min(_BATCH, n - first)
        ore = (
            "for ox = -1, 0 do for oy = -1, 0 do "
            "s.create_entity{name = 'iron-ore', position = {x + ox + 0.5, y + oy + 0.5}, amount = 1000000} end end "
        ) if fuelled else ""
        fill = "d.insert{name = 'coal', count = 50} " if fuelled else ""
        _lua(
            engine,
            f"for k = 1, {count} do " + _grid(n, 100, 2, 3, first) + f"y = y + {y0} "
            + ore + "local d = s.create_entity{name = 'burner-mining-drill', position = {x, y}, force = 'player'} "
            + fill + "s.create_entity{name = 'wooden-chest', position = d.drop_position, force = 'player'} end",
        )


def working_factory(entities: int, mods: list[str] | None) -> Engine:
    """An engine with `entities` placed, half fuelled furnaces and half drills with their chests (two entities
    each), run 300 ticks so every machine is mid-work: the game the save, load and fork benchmarks measure.
    `mods` as Engine takes it: None loads the repository's mods, [] none."""
    engine = Engine(seed=1, mods=mods)
    furnaces = entities // 2
    _furnaces(engine, furnaces)
    _drills(engine, (entities - furnaces) // 2)
    engine.run_ticks(300)
    return engine


def _build(engine: Engine, scenario: str, n: int) -> int:
    """Build the scenario; returns how many machines it has."""
    if scenario == "furnaces":
        _furnaces(engine, n)
    elif scenario == "drills":
        _drills(engine, n)
    elif scenario == "mixed":
        return mixed_factory.build(engine, n)[1]
    elif scenario == "idle":
        _furnaces(engine, n // 2, fuelled=False)
        _drills(engine, n - n // 2, fuelled=False)
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")
    return n


def _products(engine: Engine) -> int:
    return int(_lua(
        engine,
        "local n = 0 for _, e in pairs(s.find_entities_filtered{type = {'container', 'furnace'}}) do "
        "n = n + e.get_item_count('iron-plate') + (e.type == 'container' and e.get_item_count('iron-ore') or 0) end "
        "rcon.print(n)",
    ))


def run(scenario: str, n: int, ticks: int) -> tuple[float, float, int]:
    """(UPS, microseconds per entity-tick, entities) of one scenario."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    try:
        machines = _build(engine, scenario, n)
        engine.run_ticks(mixed_factory.WARMUP_TICKS if scenario == "mixed" else _WARMUP_TICKS)
        before = mixed_factory.made(engine) if scenario == "mixed" else _products(engine)
        start = time.process_time()
        engine.run_ticks(ticks)
        elapsed = time.process_time() - start
        if scenario == "mixed":
            plates, gears = (a - b for a, b in zip(mixed_factory.made(engine), before))
            if not (plates > 0 and gears > 0):
                raise SystemExit(f"mixed {n}: {plates} plates and {gears} gears in {ticks} ticks: not working")
        elif scenario != "idle":
            made = _products(engine) - before
            # The machines really worked: a stalled machine would flatter the figure. Furnaces make one plate per
            # 192 ticks (iron-plate.energy_required 3.2 s / stone-furnace.crafting_speed 1), drills one ore per
            # 240 ticks (iron-ore.minable.mining_time 1 / burner-mining-drill.mining_speed 0.25).
            furnaces = {"furnaces": n, "drills": 0}[scenario]
            expected = (furnaces * ticks) // 192 + ((n - furnaces) * ticks) // 240
            if made < expected - n:
                raise SystemExit(f"{scenario} {n}: only {made} products in {ticks} ticks, expected about {expected}")
        elif (made := _products(engine) - before):
            raise SystemExit(f"idle {n}: blocked machines produced {made} items")
        ups = ticks / elapsed
        return ups, elapsed / (ticks * machines) * 1e6, machines
    finally:
        engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000,10000")
    parser.add_argument("--ticks", type=int, default=1200)
    parser.add_argument("--scenarios", default="furnaces,drills,mixed,idle")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"engine UPS (CPU time) over {args.ticks} ticks after warm-up; one core; no mods")
    print(f"  {'scenario':10s} {'entities':>8s} {'UPS':>10s} {'us/entity-tick':>16s}  target")
    ok = True
    for scenario in args.scenarios.split(","):
        for n in sizes:
            ups, cost, placed = run(scenario, n, args.ticks)
            target = _TARGETS.get(n) if scenario == "mixed" else None
            verdict = ""
            if target is not None:
                passed = ups >= target
                ok = ok and passed
                verdict = f">= {target:.0f} UPS {'PASS' if passed else 'FAIL'}"
            print(f"  {scenario:10s} {placed:8d} {ups:10.0f} {cost:16.3f}  {verdict}", flush=True)
    print(f"targets (mixed factory): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
