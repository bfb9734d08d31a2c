"""Updates per second of an idle 8x8-chunk map, with the repository's three mods loaded and without mods.

Idle: nothing is built, no agent acts, no snapshot run is going; what remains is the engine's tick and whatever the
mods run per tick (the snapshot mod and the agent mod register on_tick only while they have work, as Factorio advises,
so idle they run nothing). Dozens of servers share a machine only if this is cheap. Time is the process's CPU time, so other work on the machine does not count against
the engine (UPS = ticks per CPU second).

Usage: python benchmarks/idle_ups.py [--ticks 60000]
Exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from factoryverse.engine.engine import Engine

TARGET_UPS_WITH_MODS = 100_000
TARGET_RATIO = 2.0  # with mods at most this many times slower than without
_WARMUP_TICKS = 600  # the mods' start-up work (charting the start area) settles first
_STARTING_CHUNKS = 4  # chunks -4..3 in each direction: 8x8


def _ups(engine: Engine, ticks: int, repeats: int) -> float:
    engine.run_ticks(_WARMUP_TICKS)
    best = 0.0
    for _ in range(repeats):
        start = time.process_time()
        engine.run_ticks(ticks)
        best = max(best, ticks / (time.process_time() - start))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=60_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    bare = Engine(seed=1, mods=[], starting_chunks=_STARTING_CHUNKS)
    try:
        without = _ups(bare, args.ticks, args.repeats)
    finally:
        bare.close()
    with tempfile.TemporaryDirectory() as out:
        modded = Engine(seed=1, script_output=out, starting_chunks=_STARTING_CHUNKS)
        try:
            names = ", ".join(m.name for m in modded.mods)
            with_mods = _ups(modded, args.ticks, args.repeats)
            if modded.mod_errors:
                raise SystemExit(f"a mod failed while idling: {modded.mod_errors[-1]}")
        finally:
            modded.close()

    ratio = without / with_mods
    ok = with_mods >= TARGET_UPS_WITH_MODS and ratio <= TARGET_RATIO
    print(f"idle {2 * _STARTING_CHUNKS}x{2 * _STARTING_CHUNKS}-chunk map, best of {args.repeats} runs of {args.ticks} ticks")
    print(f"  without mods  {without:10.0f} UPS  ({1e6 / without:6.2f} us/tick)")
    print(f"  with mods     {with_mods:10.0f} UPS  ({1e6 / with_mods:6.2f} us/tick; {names})")
    print(f"  ratio         {ratio:10.2f}x")
    print(
        f"target: with mods >= {TARGET_UPS_WITH_MODS} UPS and within {TARGET_RATIO:g}x of without -> "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
