"""CPU time of raising an event to Lua: `on_chunk_charted` (a radar's nearby scan raises 49 of them) to the
repository's three mods, and an entity event (`script_raised_built`) to one mod's empty handler.

Events are queued as the engine queues them (charting.chart_now for chunk charts; events.raise_event for entity
events) and raised in batches; the time of a tick without them is subtracted. Time is the process's CPU time.

Usage: python benchmarks/event_cost.py [--events 20000]
Exit status 1 when the chunk-chart target is missed.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from factoryverse.engine.engine import Engine
from factoryverse.engine.mechanics.charting import chart_now

TARGET_US_PER_CHART_EVENT = 20.0  # 20 radars x 49 chunks per second stay a small share of a tick's budget
_BATCH = 49  # one radar pulse


def _tick_us(engine: Engine, ticks: int = 2000) -> float:
    start = time.process_time()
    engine.run_ticks(ticks)
    return (time.process_time() - start) * 1e6 / ticks


def _chart_event_us(engine: Engine, events: int) -> float:
    world = engine.world
    force, surface = world.forces["player"], world.surfaces["nauvis"]
    chunks = [(cx, cy) for cx in range(-3, 4) for cy in range(-3, 4)]
    for cx, cy in chunks:
        surface.ensure_chunk(cx, cy)
    base = _tick_us(engine)
    batches = max(1, events // _BATCH)
    spent = 0.0
    for _ in range(batches):
        for cx, cy in chunks:
            chart_now(world, force, surface, cx, cy)
        start = time.process_time()
        engine.run_ticks(1)
        spent += time.process_time() - start
    return (spent * 1e6 - base * batches) / (batches * _BATCH)


def _entity_event_us(engine: Engine, events: int) -> float:
    engine.execute_command("/sc script.on_event(defines.events.script_raised_built, function(e) end)")
    world = engine.world
    entity = world.create_entity(world.surfaces["nauvis"], "wooden-chest", 0.5, 0.5, force=world.forces["player"])
    raise_event = engine.events.raise_event
    start = time.process_time()
    for _ in range(events):
        raise_event("script_raised_built", {"entity": entity})
    return (time.process_time() - start) * 1e6 / events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        engine = Engine(seed=1, script_output=out, starting_chunks=4)
        try:
            engine.run_ticks(60)
            names = ", ".join(m.name for m in engine.mods)
            chart = _chart_event_us(engine, args.events)
            if engine.mod_errors:
                raise SystemExit(f"a mod failed: {engine.mod_errors[-1]}")
        finally:
            engine.close()
    bare = Engine(seed=1, mods=[], starting_chunks=2)
    try:
        entity = _entity_event_us(bare, args.events)
    finally:
        bare.close()
    ok = chart <= TARGET_US_PER_CHART_EVENT
    print(f"on_chunk_charted to {names}: {chart:7.2f} us per event "
          f"(target <= {TARGET_US_PER_CHART_EVENT:g}) -> {'PASS' if ok else 'FAIL'}")
    print(f"script_raised_built to an empty handler (level script): {entity:7.2f} us per event")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
