"""fv_snapshot's first map dump on the embedded engine: game ticks, wall time, and the worst tick it adds.

The dump writes every charted chunk's resources, entities (with their components) and water as JSONL, spread over
ticks by a per-tick budget of work (mods/fv_snapshot/scripts/snapshot.lua) so the game never stalls, and is what the
map database loads first. Judged against:
- the 36 chunks fv_snapshot charts round the spawn (96 tiles each way) complete in < 2 s of wall time, so `fv demo`
  and the first `fv sql` wait little;
- no tick of the bootstrap takes more than 5 ms longer than a tick of the same game once the dump is done (issue 10:
  "adding at most 5 ms to any tick"). `--factory N` first builds N small machine groups (chest, inserter, furnace,
  belt, pole) round the spawn, so the records carry every kind of component.
- once the dump is done, the samplers' ticks (entity changes every 5 ticks, power networks every 60) add no more
  than 5 ms either: the worst of 240 ticks after the dump is printed against the same budget.
The cyclic garbage collector runs between ticks, as in the server's game loop (engine/server/gc_pacing.py).
A tick's cost is the game thread's CPU time (time.thread_time). Other load on a shared machine still inflates it at
random (caches, memory bandwidth), so a tick is judged by its least disturbed run: the dump is deterministic (the same
tick does the same work in every run), and the figure is the worst over ticks of each tick's minimum over the runs.
The worst single measurement is printed too.

Usage: python benchmarks/snapshot_bootstrap.py [--seed 1] [--runs 3] [--factory 0]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from factoryverse.engine.engine import Engine
from factoryverse.engine.server.gc_pacing import CollectorPacing

_TARGET_S = 2.0
_TICK_BUDGET_MS = 5.0

# Groups of five entities on a grid, 4 tiles apart, round the spawn; trees and rocks in the way are removed first.
_FACTORY = """
local s, n = game.surfaces[1], {n}
local side = math.ceil(math.sqrt(n))
local half = side * 2
for _, e in pairs(s.find_entities_filtered{{area = {{{{-half - 8, -half - 8}}, {{half + 8, half + 8}}}}}}) do
  if e.type ~= 'character' and e.type ~= 'resource' then e.destroy() end
end
for i = 0, n - 1 do
  local x, y = -half + (i % side) * 4, -half + math.floor(i / side) * 4
  local function mk(name, dx, dy, d)
    s.create_entity{{name = name, position = {{x + dx, y + dy}}, force = 'player', direction = d}}
  end
  mk('wooden-chest', 0.5, 0.5) mk('burner-inserter', 1.5, 0.5, defines.direction.west) mk('stone-furnace', 3, 1)
  mk('transport-belt', 0.5, 2.5, defines.direction.east) mk('small-electric-pole', 1.5, 2.5)
end
"""


def _one(seed: int, factory: int) -> tuple[float, int, int, list[float], list[float]]:
    with tempfile.TemporaryDirectory() as out:
        engine = Engine(seed=seed, script_output=Path(out))
        if factory:
            reply = engine.execute_command("/sc " + _FACTORY.format(n=factory).replace("\n", " "))
            assert reply == "", reply
            engine.run_ticks(5)
        t0 = time.perf_counter()
        # The snapshot starts when it gets a run id, as `fv server start` gives it.
        engine.execute_command("/sc remote.call('map', 'set_snapshot_config', {run_id = 'benchmark'})")
        ticks, boot_ticks = 0, []
        status = "/sc rcon.print(remote.call('map', 'get_snapshot_status').phase)"
        # As the server's game loop does: the cyclic collector runs between ticks, not inside them.
        with CollectorPacing() as gc_pacing:
            while engine.execute_command(status) != "complete":
                s = time.thread_time()
                engine.step()
                boot_ticks.append(time.thread_time() - s)
                gc_pacing.between_ticks()
                ticks += 1
            seconds = time.perf_counter() - t0
            # The same game's ticks once the dump is done: what a tick costs without it.
            after = []
            for _ in range(240):
                s = time.thread_time()
                engine.step()
                after.append(time.thread_time() - s)
                gc_pacing.between_ticks()
        lines = sum(p.read_text().count("\n") for p in Path(out).rglob("*.jsonl"))
        engine.close()
    return seconds, ticks, lines, [t * 1000 for t in boot_ticks], [t * 1000 for t in after]


def _steady_worst(per_run: list[list[float]]) -> float:
    """The worst tick, each tick taken at its least disturbed run (runs of one seed tick alike)."""
    return max(min(ticks) for ticks in zip(*per_run))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--factory", type=int, default=0, help="machine groups of 5 entities built before the dump")
    a = p.parse_args()
    runs = [_one(a.seed, a.factory) for _ in range(a.runs)]
    median = statistics.median(r[0] for r in runs)
    if len({r[1] for r in runs}) != 1:
        raise SystemExit(f"the runs took different numbers of ticks ({sorted({r[1] for r in runs})}): not deterministic")
    worst = _steady_worst([r[3] for r in runs])
    raw = max(max(r[3]) for r in runs)
    base = statistics.median(statistics.median(r[4]) for r in runs)
    sampled = _steady_worst([r[4] for r in runs])
    print(f"fv_snapshot bootstrap, seed {a.seed}, factory {a.factory} groups, median of {a.runs} runs")
    print(f"  wall time:  {median:.2f} s   (runs: {', '.join(f'{r[0]:.2f}' for r in runs)})")
    print(f"  game ticks: {runs[0][1]}   records written: {runs[0][2]}")
    print(f"  worst tick: {worst:.2f} ms   (a tick after the dump: {base:.2f} ms; added: {worst - base:.2f} ms; "
          f"worst single measurement {raw:.2f} ms)")
    print(f"  worst tick after the dump (samplers): {sampled:.2f} ms   (added: {sampled - base:.2f} ms)")
    ok_time = median < _TARGET_S
    ok_tick = worst - base <= _TICK_BUDGET_MS and sampled - base <= _TICK_BUDGET_MS
    print(f"target: < {_TARGET_S:.0f} s -> {'PASS' if ok_time else 'MISS'}")
    print(f"target: adds <= {_TICK_BUDGET_MS:.0f} ms to any tick -> {'PASS' if ok_tick else 'MISS'}")
    return 0 if ok_time and ok_tick else 1


if __name__ == "__main__":
    raise SystemExit(main())
