"""Measure the lab-grid scenario on the embedded engine: starting the game, laying out the 64 cells over the first
ticks, the heaviest of those ticks, and one reset_cell.

    python benchmarks/lab_grid.py [--factorio-version 2.0]

CPU time (time.process_time), since the machine is shared. Targets: no tick of the layout over 100 ms (the game stays
responsive while the grid is laid out: one step a tick), the whole layout under 10 s, a reset_cell under 250 ms
(an evaluation harness resets a cell between runs).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from factoryverse.engine.engine import Engine

TARGET_TICK_S = 0.1
TARGET_LAYOUT_S = 10.0
TARGET_RESET_S = 0.25


def _call(engine: Engine, method: str, *args: str) -> dict:
    rest = "".join(", " + a for a in args)
    return json.loads(engine.execute_command(
        f"/sc rcon.print(helpers.table_to_json(remote.call('lab_grid', '{method}'{rest})))"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factorio-version", default="2.0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        started = time.process_time()
        engine = Engine(seed=1, script_output=Path(out), factorio_version=args.factorio_version,
                        scenario="fv_embodied_agent/lab-grid")
        startup = time.process_time() - started
        try:
            heaviest, ticks, laid = 0.0, 0, time.process_time()
            while not _call(engine, "status")["ready"]:
                tick = time.process_time()
                engine.step()
                heaviest = max(heaviest, time.process_time() - tick)
                ticks += 1
            layout = time.process_time() - laid
            resets = []
            for index in (1, 28, 64, 28):  # the last one resets a cell whose force exists already
                tick = time.process_time()
                _call(engine, "reset_cell", str(index))
                resets.append(time.process_time() - tick)
        finally:
            engine.close()
    print(f"Engine(scenario=lab-grid): {startup:.2f} s CPU; layout: {ticks} ticks, {layout:.2f} s CPU, "
          f"heaviest tick {heaviest * 1000:.0f} ms; reset_cell: {', '.join(f'{r * 1000:.0f} ms' for r in resets)}")
    checks = [("heaviest layout tick", heaviest, TARGET_TICK_S), ("whole layout", layout, TARGET_LAYOUT_S),
              ("slowest reset_cell", max(resets), TARGET_RESET_S)]
    for what, value, target in checks:
        print(f"target: {what} <= {target * 1000:.0f} ms -> {value * 1000:.0f} ms, "
              f"{'meets' if value <= target else 'MISSES'} the target")


if __name__ == "__main__":
    main()
