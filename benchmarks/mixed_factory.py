"""A working factory of drills, belts, inserters, furnaces and assemblers: UPS against issue 8's targets.

Built on a fresh seeded map (no mods) with plain Factorio Lua through the console, as a mod would build it, from two
cells that alternate along rows (tile offsets from the cell's corner; every inserter faces north, so it picks up
from the tile north of it and drops south):

  cell A  burner mining drill on 2x2 iron ore -> 3 transport belts -> inserter -> stone furnace -> inserter ->
          wooden chest -> inserter -> assembling machine 1 (iron gear wheel) -> burner inserter -> wooden chest
  cell B  electric mining drill on 3x3 iron ore -> 3 transport belts -> inserter -> stone furnace -> inserter ->
          3 transport belts (plates) -> fast inserter -> wooden chest

12 entities each, 5 tiles apart in rows of 51; drills, furnaces and the burner inserter get 50 coal by script, enough
for the whole run. Power: a substation in the spare columns of every third cell (its supply area covers that cell and
its neighbours; substations 15 tiles apart join one network) and one electric-energy-interface beside the first.
Only the factory's own entities are counted; the map's ore, trees and rocks are cleared from its area.

Printed per size: UPS (game ticks per second of this process's CPU time, so other work on the machine doesn't
count; wall-clock UPS beside it) against the target, entity updates (wake-ups) per tick and the CPU time per
wake-up, items in motion (on moving belt lanes and in swinging hands, sampled every 60 ticks) and the CPU time per
moving item per tick; then the same factory with everything blocked (chests full, belts compressed, furnaces' and
assemblers' outputs full): placed entities that can't work should cost next to nothing.
The script checks that the factory really produces (plates and gears made in the measured ticks, from the force's
item production statistics, at least 80% of what the cells' bottlenecks allow).

Targets (issue 8 point 10, issue 7 point 10): 1,000 entities at >= 3,600 UPS on one core, 10,000 at >= 600 UPS.
Usage: python benchmarks/mixed_factory.py [--sizes 1000,10000] [--ticks 3600] [--profile]
Exit status 1 when a target is missed or the factory doesn't produce.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from factoryverse.engine.engine import Engine
from factoryverse.engine.mechanics.transport_line import Line

_TARGETS = {1000: 3600.0, 10000: 600.0}
_ENTITIES_PER_CELL = 12
_PER_ROW = 51
_PITCH_X, _PITCH_Y = 5, 17
_X0, _Y0 = 256, 256  # away from the spawn area, so no starting ore patch or other entity shares the chunks
_BATCH = 40  # cells per console command: each command stays well inside the wall-clock watchdog
# Until every cell's chain is full: the first ore after 240 ticks (burner drill), the furnace's first plate 192 ticks
# after its first ore, the assembler's first gear after 2 plates.
WARMUP_TICKS = 1800
_SAMPLE = 60

# Steady-state output per cell per tick: cell A is limited by its burner drill (0.25 ore/s: iron-ore.minable.
# mining_time 1 / burner-mining-drill.mining_speed 0.25), its assembler by that: one gear per 2 plates; cell B by its
# stone furnace (iron-plate.energy_required 3.2 / stone-furnace.crafting_speed 1: 0.3125 plates/s).
_PLATES_PER_TICK = (0.25 + 0.3125) / 60 / 2
_GEARS_PER_TICK = 0.125 / 60 / 2

_CELLS = """
local function clear(x0, y0, x1, y1)
  for _, e in pairs(s.find_entities_filtered{area = {{x0, y0}, {x1, y1}}}) do e.destroy() end
end
local function make(name, x, y, dir)
  local e = s.create_entity{name = name, position = {x, y}, force = 'player', direction = dir}
  if not e then error('could not place ' .. name .. ' at ' .. x .. ',' .. y) end
  return e
end
local S, N = defines.direction.south, defines.direction.north
local function ore(x0, y0, n)
  for ox = 0, n - 1 do for oy = 0, n - 1 do
    s.create_entity{name = 'iron-ore', position = {x0 + ox + 0.5, y0 + oy + 0.5}, amount = 1000000}
  end end
end
local function belts(x, y0, n)
  for i = 0, n - 1 do make('transport-belt', x, y0 + i + 0.5, S) end
end
local function cell(k)
  local x = %(x0)d + (k %% %(per_row)d) * %(px)d
  local y = %(y0)d + math.floor(k / %(per_row)d) * %(py)d
  clear(x + 0.01, y + 0.01, x + %(px)d - 0.01, y + %(py)d - 0.01)
  local c = x + 1.5
  if k %% 2 == 0 then
    if %(ore)s then ore(x, y, 2) end
    make('burner-mining-drill', x + 1, y + 1, S).insert{name = 'coal', count = 50}
    belts(c, y + 2, 3)
    make('inserter', c, y + 5.5, N)
    make('stone-furnace', x + 2, y + 7).insert{name = 'coal', count = 50}
    make('inserter', c, y + 8.5, N)
    make('wooden-chest', c, y + 9.5)
    make('inserter', c, y + 10.5, N)
    make('assembling-machine-1', c, y + 12.5).set_recipe('iron-gear-wheel')
    make('burner-inserter', c, y + 14.5, N).insert{name = 'coal', count = 50}
    make('wooden-chest', c, y + 15.5)
  else
    if %(ore)s then ore(x, y, 3) end
    make('electric-mining-drill', c, y + 1.5, S)
    belts(c, y + 3, 3)
    make('inserter', c, y + 6.5, N)
    make('stone-furnace', x + 2, y + 8).insert{name = 'coal', count = 50}
    make('inserter', c, y + 9.5, N)
    belts(c, y + 10, 3)
    make('fast-inserter', c, y + 13.5, N)
    make('wooden-chest', c, y + 14.5)
  end
  if k %% 3 == 1 then make('substation', x + 4, y + 9) end
  if k == 1 then make('electric-energy-interface', x + 4, y + 2) end
end
for k = %(first)d, %(last)d do cell(k) end
"""

# Everything full, so nothing can move: what a placed factory costs when none of it works.
_BLOCK = """
local area = {{%(x0)d - 1, %(y0)d - 1}, {%(x1)d, %(y1)d}}
for _, e in pairs(s.find_entities_filtered{area = area, type = 'container'}) do e.insert{name = 'wood', count = 1600} end
for _, e in pairs(s.find_entities_filtered{area = area, type = 'furnace'}) do
  e.get_inventory(defines.inventory.crafter_input).insert{name = 'iron-ore', count = 50}
  e.get_inventory(defines.inventory.crafter_output).insert{name = 'iron-plate', count = 100}
end
for _, e in pairs(s.find_entities_filtered{area = area, type = 'assembling-machine'}) do
  e.get_inventory(defines.inventory.crafter_input).insert{name = 'iron-plate', count = 100}
  e.get_inventory(defines.inventory.crafter_output).insert{name = 'iron-gear-wheel', count = 100}
end
for _, e in pairs(s.find_entities_filtered{area = area, type = 'transport-belt'}) do
  for lane = 1, 2 do local l = e.get_transport_line(lane) for q = 0, 3 do l.insert_at(q * 0.25, 'iron-ore') end end
end
"""


def _lua(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    if reply.startswith("Cannot execute command") or "rror" in reply[:60]:
        raise SystemExit(f"set-up failed: {reply[:500]}")
    return reply


def _entities(cells: int) -> int:
    """The factory's entities with `cells` cells: theirs, a substation per third cell, the energy interface."""
    return cells * _ENTITIES_PER_CELL + (cells + 1) // 3 + (1 if cells > 1 else 0)


def build(engine: Engine, entities: int, *, ore: bool = True) -> tuple[int, int]:
    """Build the fewest cells that make at least `entities` entities; returns (cells, entities placed)."""
    cells = 1
    while _entities(cells) < entities:
        cells += 1
    rows = -(-cells // _PER_ROW)
    width, height = _PER_ROW * _PITCH_X, rows * _PITCH_Y
    # Generate the area's chunks first, so clearing it also clears what map generation puts there.
    cx, cy = _X0 + width // 2, _Y0 + height // 2
    _lua(engine, f"s.request_to_generate_chunks({{{cx}, {cy}}}, {max(width, height) // 64 + 2}) "
                 "s.force_generate_chunk_requests()")
    for first in range(0, cells, _BATCH):
        last = min(cells, first + _BATCH) - 1
        _lua(engine, _CELLS % {
            "x0": _X0, "y0": _Y0, "per_row": _PER_ROW, "px": _PITCH_X, "py": _PITCH_Y, "ore": "true" if ore else "false",
            "first": first, "last": last,
        })
    _check_first_cells(engine)
    placed = int(_lua(engine, f"rcon.print(s.count_entities_filtered{{force = 'player', area = {{{{{_X0 - 1}, {_Y0 - 1}}}, "
                              f"{{{_X0 + width}, {_Y0 + height}}}}}}})"))
    if placed != _entities(cells):
        raise SystemExit(f"built {placed} entities, expected {_entities(cells)}")
    return cells, placed


def _check_first_cells(engine: Engine) -> None:
    """Every inserter of the first two cells reaches what the layout means it to (a wrong offset would starve a
    chain and flatter the figure)."""
    expected = [
        ("transport-belt", "stone-furnace"), ("stone-furnace", "wooden-chest"),
        ("wooden-chest", "assembling-machine-1"), ("assembling-machine-1", "wooden-chest"),
        ("transport-belt", "stone-furnace"), ("stone-furnace", "transport-belt"), ("transport-belt", "wooden-chest"),
    ]
    reply = _lua(engine, f"local out = {{}} for _, e in pairs(s.find_entities_filtered{{area = {{{{{_X0 - 1}, {_Y0 - 1}}}, "
                         f"{{{_X0 + 2 * _PITCH_X - 1}, {_Y0 + _PITCH_Y - 1}}}}}, type = 'inserter'}}) do "
                         "local p, d = e.pickup_target, e.drop_target "
                         "out[#out + 1] = (p and p.name or 'ground') .. '>' .. (d and d.name or 'ground') end "
                         "rcon.print(table.concat(out, ','))")
    got = sorted(reply.strip().split(","))
    want = sorted(f"{a}>{b}" for a, b in expected)
    if got != want:
        raise SystemExit(f"layout broken: inserters reach {got}, expected {want}")


def made(engine: Engine) -> tuple[int, int]:
    reply = _lua(engine, "local f = game.forces.player.get_item_production_statistics(s) "
                         "rcon.print(f.get_input_count('iron-plate') .. ' ' .. f.get_input_count('iron-gear-wheel'))")
    plates, gears = reply.split()
    return int(plates), int(gears)


def _moving(engine: Engine) -> int:
    """Items in motion now: on belt lanes, those not stopped against a blocked end; in hands, those swinging."""
    n = 0
    for surface in engine.world.surfaces.values():
        for e in surface.all_entities():
            state = e.state
            hosted = getattr(state, "hosted", None)
            if hosted:
                line: Line
                for line in hosted:
                    n += len(line.names) - line.active
            elif getattr(state, "held", None) is not None and state.moving:
                n += state.held_count
    return n


def measure(entities: int, ticks: int, blocked: bool, profile: bool = False) -> dict[str, float]:
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    try:
        cells, placed = build(engine, entities)
        if blocked:
            rows = -(-cells // _PER_ROW)
            _lua(engine, _BLOCK % {"x0": _X0, "y0": _Y0, "x1": _X0 + _PER_ROW * _PITCH_X, "y1": _Y0 + rows * _PITCH_Y})
        engine.run_ticks(WARMUP_TICKS)
        world = engine.world
        plates0, gears0 = made(engine)
        updates0 = world.entity_updates
        cpu = wall = 0.0
        moving = 0
        samples = 0
        prof = cProfile.Profile() if profile else None
        done = 0
        while done < ticks:
            step = min(_SAMPLE, ticks - done)
            c0, w0 = time.process_time(), time.perf_counter()
            if prof is not None:
                prof.enable()
            engine.run_ticks(step)
            if prof is not None:
                prof.disable()
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
            done += step
            moving += _moving(engine)
            samples += 1
        plates, gears = made(engine)
        if prof is not None:
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return {
            "placed": placed, "cells": cells, "cpu": cpu, "wall": wall, "updates": world.entity_updates - updates0,
            "moving": moving / samples, "plates": plates - plates0, "gears": gears - gears0,
        }
    finally:
        engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--ticks", type=int, default=3600)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions of each working run")
    args = parser.parse_args()
    ticks = args.ticks
    print(f"mixed factory, {ticks} ticks after {WARMUP_TICKS} warm-up ticks; no mods; UPS from this process's CPU time")
    ok = True
    for n in (int(s) for s in args.sizes.split(",")):
        r = measure(n, ticks, blocked=False, profile=args.profile)
        placed = int(r["placed"])
        cells = int(r["cells"])
        want_plates, want_gears = _PLATES_PER_TICK * cells * ticks, _GEARS_PER_TICK * cells * ticks
        produces = r["plates"] >= 0.8 * want_plates and r["gears"] >= 0.8 * want_gears
        ups = ticks / r["cpu"]
        target = _TARGETS.get(n)
        verdict = ""
        if target is not None:
            verdict = f"target >= {target:.0f}: {'PASS' if ups >= target else 'FAIL'}"
            ok = ok and ups >= target
        print(f"  {placed:6d} entities working  {ups:8.0f} UPS ({ticks / r['wall']:.0f} wall)  {verdict}", flush=True)
        upt = r["updates"] / ticks
        print(f"         {upt:8.1f} wake-ups/tick  {r['cpu'] / max(1, r['updates']) * 1e6:6.2f} us/wake-up   "
              f"{r['moving']:7.0f} items moving  {r['cpu'] / ticks / max(1.0, r['moving']) * 1e9:6.1f} ns/moving item/tick")
        print(f"         made {r['plates']} plates (bottleneck allows {want_plates:.0f}), {r['gears']} gears "
              f"({want_gears:.0f}): {'producing' if produces else 'NOT PRODUCING'}", flush=True)
        ok = ok and produces
        b = measure(n, ticks, blocked=True)
        print(f"  {int(b['placed']):6d} entities blocked  {ticks / b['cpu']:8.0f} UPS ({ticks / b['wall']:.0f} wall)  "
              f"{b['updates'] / ticks:.2f} wake-ups/tick, made {b['plates']} plates, {b['gears']} gears", flush=True)
    print(f"targets: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
