"""What belts cost: moving items versus a placed, compressed, blocked belt field.

Scenarios, each on a fresh seeded map (no mods), built with plain Factorio Lua through the console:
  moving N    N/16 closed loops of 16 transport belts (8 east, 8 west, two curves), each lane half full: items
              move for ever, one hand-over per item passing the loop's seam
  static N    N transport belts in rows of 32 with dead ends, every lane compressed (4 items per tile): nothing
              can move, so nothing should run

Printed: UPS, line updates (entity updates of the belts hosting lines) per tick, and the cost per line update and
per moving item per tick (wall time / (ticks x items on moving lines)).

Usage: python benchmarks/belts.py [--sizes 1024,10240] [--ticks 1200]
"""

from __future__ import annotations

import argparse
import time

from factoryverse.engine.engine import Engine

_ROW = 32


def _lua(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    if reply.startswith("Cannot execute command"):
        raise SystemExit(f"set-up failed: {reply}")
    return reply


def _clear(engine: Engine, w: int, h: int) -> None:
    # create_entity doesn't check collisions; trees and rocks only go so that nothing else stands on the field.
    _lua(engine, f"for _, e in pairs(s.find_entities_filtered{{area = {{{{-2, -2}}, {{{w + 2}, {h + 2}}}}}, "
                 "type = {'tree', 'simple-entity'}}) do e.destroy() end")


def build_moving(engine: Engine, n: int) -> int:
    loops = n // 16
    per_row = 8
    _clear(engine, per_row * 10, (loops // per_row + 1) * 3)
    for first in range(0, loops, 50):
        last = min(loops, first + 50)
        _lua(engine, f"for k = {first}, {last - 1} do local x0 = (k % {per_row}) * 10 local y0 = math.floor(k / {per_row}) * 3 "
                     "for i = 0, 7 do "
                     "s.create_entity{name = 'transport-belt', position = {x0 + i + 0.5, y0 + 0.5}, force = 'player', "
                     "direction = i == 7 and defines.direction.south or defines.direction.east} "
                     "s.create_entity{name = 'transport-belt', position = {x0 + i + 0.5, y0 + 1.5}, force = 'player', "
                     "direction = i == 0 and defines.direction.north or defines.direction.west} end end")
    engine.step()  # link
    items = 0
    for first in range(0, loops, 50):
        last = min(loops, first + 50)
        reply = _lua(engine, f"local n = 0 for k = {first}, {last - 1} do local x0 = (k % {per_row}) * 10 "
                             f"local y0 = math.floor(k / {per_row}) * 3 for i = 1, 6 do "
                             "local b = s.find_entity('transport-belt', {x0 + i + 0.5, y0 + 0.5}) "
                             "for lane = 1, 2 do for q = 0, 1 do if b.get_transport_line(lane).insert_at(q * 0.5, 'iron-plate') "
                             "then n = n + 1 end end end end end rcon.print(n)")
        items += int(reply)
    return items


def build_static(engine: Engine, n: int) -> int:
    rows = n // _ROW
    _clear(engine, _ROW, rows * 2)
    for first in range(0, rows, 20):
        last = min(rows, first + 20)
        _lua(engine, f"for r = {first}, {last - 1} do for i = 0, {_ROW - 1} do s.create_entity{{name = 'transport-belt', "
                     "position = {i + 0.5, r * 2 + 0.5}, direction = defines.direction.east, force = 'player'} end end")
    engine.step()  # link
    for first in range(0, rows, 20):
        last = min(rows, first + 20)
        _lua(engine, f"for r = {first}, {last - 1} do for i = 0, {_ROW - 1} do local b = s.find_entity('transport-belt', "
                     "{i + 0.5, r * 2 + 0.5}) for lane = 1, 2 do local l = b.get_transport_line(lane) "
                     "for q = 0, 3 do l.insert_at(q * 0.25, 'iron-plate') end end end end")
    return 0


def measure(kind: str, n: int, ticks: int) -> None:
    engine = Engine(seed=1, mods=[], starting_chunks=4)
    moving = build_moving(engine, n) if kind == "moving" else build_static(engine, n)
    engine.run_ticks(120)  # settle: the static field compresses against its dead ends
    world = engine.world
    updates = world.entity_updates
    t0 = time.perf_counter()
    engine.run_ticks(ticks)
    wall = time.perf_counter() - t0
    updates = world.entity_updates - updates
    per_tick = wall / ticks
    line = f"{kind:7s} {n:6d} belts  {ticks / wall:9.0f} UPS  {updates / ticks:7.2f} line updates/tick"
    if updates:
        line += f"  {wall / updates * 1e6:6.2f} µs/line update"
    if moving:
        line += f"  {per_tick / moving * 1e9:6.1f} ns/moving item/tick ({moving} items)"
    print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1024,10240")
    ap.add_argument("--ticks", type=int, default=1200)
    args = ap.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        for kind in ("moving", "static"):
            measure(kind, n, args.ticks)


if __name__ == "__main__":
    main()
