"""A 1,000-entity factory on steam power with labs: UPS against issue 9's target, and the electric network's cost.

Built on a fresh seeded map (no mods) with plain Factorio Lua through the console, as a mod would build it:

  steam plant  an offshore pump on a strip of water, pipes to a row of boilers touching side by side (the water
               passes from one to the next), two steam engines north of each boiler, substations over the engines
  drill cells  electric mining drill on 3x3 iron ore -> 3 transport belts -> inserter -> stone furnace (coal by
               script) -> inserter -> 3 transport belts -> fast inserter -> wooden chest; a substation every third
  lab cells    wooden chest of automation science packs -> inserter -> lab; a substation every fourth

Every electric entity is on one network. The force researches the red-science technologies in a queue topped up
between samples (outside the measured time).

Printed: UPS (game ticks per second of this process's CPU time) against the target; the electric network's solutions
per tick and CPU time per solution (mechanics/electric_solver.solve, timed by wrapping it here); entity wake-ups per
tick. The script asserts the factory works: plates made at >= 80% of the furnaces' rate, science packs consumed at
no less than the slowest red technology allows, the network's satisfaction 1 in every sample (the plant's capacity
is above the factory's peak demand, so nothing may slow down).

Target (issue 9 point 9): 1,000 entities with steam power and labs at >= 3,600 UPS on one core.
Usage: python benchmarks/power_factory.py [--ticks 3600] [--profile]
Exit status 1 when the target is missed or the factory doesn't work.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from factoryverse.engine.engine import Engine
from factoryverse.engine.mechanics import electric_grid

TARGET_UPS = 3600.0
ENTITIES = 1000
_DRILL_CELL = 12  # entities per drill cell
_PER_ROW = 37
_PITCH_X, _PITCH_Y = 5, 17
_LABS, _LAB_PITCH = 40, 4
_BOILERS = 10
_X0, _Y0 = 256, 256  # away from the spawn area
_OX, _OY = _X0 - 42, _Y0 + 17  # the steam plant's corner, west of the cells
_BATCH = 40
WARMUP_TICKS = 1800
_SAMPLE = 60
# Red-science technologies in an order that keeps every prerequisite ahead of what needs it.
_RESEARCH = [
    "automation", "electric-mining-drill", "repair-pack", "radar", "logistic-science-pack", "steel-processing",
    "military", "fast-inserter", "logistics", "lamp", "gun-turret", "stone-wall", "physical-projectile-damage-1",
    "weapon-shooting-speed-1", "heavy-armor",
]

_COMMON = """
local function make(name, x, y, dir)
  local e = s.create_entity{name = name, position = {x, y}, force = 'player', direction = dir}
  if not e then error('could not place ' .. name .. ' at ' .. x .. ',' .. y) end
  return e
end
local S, N = defines.direction.south, defines.direction.north
"""

_CELLS = _COMMON + """
local function belts(x, y0, n)
  for i = 0, n - 1 do make('transport-belt', x, y0 + i + 0.5, S) end
end
for k = %(first)d, %(last)d do
  local x = %(x0)d + (k %% %(per_row)d) * %(px)d
  local y = %(y0)d + math.floor(k / %(per_row)d) * %(py)d
  for _, e in pairs(s.find_entities_filtered{area = {{x + 0.01, y + 0.01}, {x + %(px)d - 0.01, y + %(py)d - 0.01}}}) do
    e.destroy()
  end
  local c = x + 1.5
  for ox = 0, 2 do for oy = 0, 2 do
    s.create_entity{name = 'iron-ore', position = {x + ox + 0.5, y + oy + 0.5}, amount = 1000000}
  end end
  make('electric-mining-drill', c, y + 1.5, S)
  belts(c, y + 3, 3)
  make('inserter', c, y + 6.5, N)
  make('stone-furnace', x + 2, y + 8).insert{name = 'coal', count = 50}
  make('inserter', c, y + 9.5, N)
  belts(c, y + 10, 3)
  make('fast-inserter', c, y + 13.5, N)
  make('wooden-chest', c, y + 14.5)
  if k %% 3 == 1 then make('substation', x + 4, y + 9) end
end
"""

_LAB_ROW = _COMMON + """
local y = %(y)d
for _, e in pairs(s.find_entities_filtered{area = {{%(x0)d, y}, {%(x0)d + %(labs)d * %(pitch)d, y + 9}}}) do e.destroy() end
for j = 0, %(labs)d - 1 do
  local x = %(x0)d + j * %(pitch)d
  make('wooden-chest', x + 1.5, y + 0.5).insert{name = 'automation-science-pack', count = 100}
  make('inserter', x + 1.5, y + 1.5, N)
  make('lab', x + 1.5, y + 3.5)
  if j %% 4 == 2 then make('substation', x + 2, y + 7) end
end
"""

# Water in the strip north of the pump; land (and nothing else) over the rest of the plant's area.
_PLANT = _COMMON + """
local ox, oy = %(ox)d, %(oy)d
local tiles = {}
for x = ox - 2, %(x0)d - 1 do for y = oy - 14, oy + 9 do
  tiles[#tiles + 1] = {name = (y == oy and x >= ox and x < ox + 5) and 'water' or 'grass-1', position = {x, y}}
end end
s.set_tiles(tiles)
for _, e in pairs(s.find_entities_filtered{area = {{ox - 2, oy - 14}, {%(x0)d - 1, oy + 10}}}) do e.destroy() end
make('offshore-pump', ox + 2.5, oy + 1.5)
for y = 2, 5 do make('pipe', ox + 2.5, oy + y + 0.5) end
for x = 3, 8 do make('pipe', ox + x + 0.5, oy + 5.5) end
for i = 0, %(boilers)d - 1 do
  local bx = ox + 10.5 + 3 * i
  make('boiler', bx, oy + 5, N).insert{name = 'coal', count = 50}
  make('steam-engine', bx, oy + 1.5, N)
  make('steam-engine', bx, oy - 3.5, N)
end
for _, sx in pairs({12, 28, 40}) do make('substation', ox + sx, oy - 8) end
"""


def _lua(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    if reply.startswith("Cannot execute command") or "rror" in reply[:60]:
        raise SystemExit(f"set-up failed: {reply[:500]}")
    return reply


def _fixed() -> int:
    """Entities other than the drill cells': the labs' cells and the steam plant."""
    lab_subs = sum(1 for j in range(_LABS) if j % 4 == 2)
    plant = 1 + 4 + 6 + 3 * _BOILERS + 3
    return 3 * _LABS + lab_subs + plant


def _drill_cells(entities: int) -> int:
    cells = 1
    while cells * _DRILL_CELL + (cells + 1) // 3 + _fixed() < entities:
        cells += 1
    return cells


def build(engine: Engine, entities: int) -> tuple[int, int]:
    """Build the factory; returns (drill cells, entities placed)."""
    cells = _drill_cells(entities)
    rows = -(-cells // _PER_ROW)
    width, height = _PER_ROW * _PITCH_X, rows * _PITCH_Y + 10
    cx, cy = (_OX + _X0 + width) // 2, _Y0 + height // 2
    _lua(engine, f"s.request_to_generate_chunks({{{cx}, {cy}}}, {max(width, height) // 64 + 3}) "
                 "s.force_generate_chunk_requests()")
    for first in range(0, cells, _BATCH):
        _lua(engine, _CELLS % {"x0": _X0, "y0": _Y0, "per_row": _PER_ROW, "px": _PITCH_X, "py": _PITCH_Y,
                               "first": first, "last": min(cells, first + _BATCH) - 1})
    _lua(engine, _LAB_ROW % {"x0": _X0, "y": _Y0 + rows * _PITCH_Y, "labs": _LABS, "pitch": _LAB_PITCH})
    _lua(engine, _PLANT % {"ox": _OX, "oy": _OY, "x0": _X0, "boilers": _BOILERS})
    _lua(engine, "local f = game.forces.player f.technologies['automation-science-pack'].researched = true")
    placed = int(_lua(engine, f"rcon.print(s.count_entities_filtered{{force = 'player', area = "
                              f"{{{{{_OX - 2}, {_Y0 - 1}}}, {{{_X0 + width}, {_Y0 + height}}}}}}})"))
    want = cells * _DRILL_CELL + (cells + 1) // 3 + _fixed()
    if placed != want:
        raise SystemExit(f"built {placed} entities, expected {want}")
    return cells, placed


def _top_up(engine: Engine) -> None:
    """Between samples: the research queue and the boilers' coal (50 coal burn 200 MJ, 111 s of a boiler's 1.8 MW)."""
    names = ", ".join(f"'{n}'" for n in _RESEARCH)
    _lua(engine, f"local f = game.forces.player for _, n in pairs({{{names}}}) do "
                 "if #f.research_queue >= 3 then break end "
                 "if not f.technologies[n].researched then f.add_research(n) end end "
                 "for _, b in pairs(s.find_entities_filtered{name = 'boiler'}) do "
                 "local n = 50 - b.get_item_count('coal') if n > 0 then b.insert{name = 'coal', count = n} end end")


def _counts(engine: Engine) -> tuple[int, int]:
    reply = _lua(engine, "local f = game.forces.player "
                         "local st = f.get_item_production_statistics(s) "
                         "rcon.print(st.get_input_count('iron-plate') .. ' ' .. st.get_output_count('automation-science-pack'))")
    plates, packs = reply.split()
    return int(plates), int(packs)


class _SolveTimer:
    """Counts the electric solver's solutions and their CPU time (wraps electric_grid.solve while measuring; CPU time,
    as the UPS, so other work on the machine doesn't count; its two clock reads add a few us to each solution)."""

    def __init__(self) -> None:
        self.calls = 0
        self.seconds = 0.0
        self.inner = electric_grid.solve

    def __call__(self, grid, net, tick) -> None:  # noqa: ANN001
        t = time.process_time()
        self.inner(grid, net, tick)
        self.seconds += time.process_time() - t
        self.calls += 1


def measure(entities: int, ticks: int, profile: bool = False) -> dict[str, float]:
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    try:
        cells, placed = build(engine, entities)
        _top_up(engine)
        engine.run_ticks(WARMUP_TICKS)
        world = engine.world
        grid = world.electric
        nets = {id(n) for n in grid.networks.values()}
        if len(nets) != 1:
            raise SystemExit(f"the factory is on {len(nets)} electric networks, expected one")
        net = next(iter(grid.networks.values()))
        plates0, packs0 = _counts(engine)
        updates0 = world.entity_updates
        timer = _SolveTimer()
        electric_grid.solve = timer
        cpu = 0.0
        done = 0
        satisfactions: list[float] = []
        demand = 0.0
        prof = cProfile.Profile() if profile else None
        try:
            while done < ticks:
                step = min(_SAMPLE, ticks - done)
                _top_up(engine)
                c0 = time.process_time()
                if prof is not None:
                    prof.enable()
                engine.run_ticks(step)
                if prof is not None:
                    prof.disable()
                cpu += time.process_time() - c0
                done += step
                satisfactions.append(net.satisfaction)
                demand += net.demand
        finally:
            electric_grid.solve = timer.inner
        plates, packs = _counts(engine)
        if prof is not None:
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return {
            "cells": cells, "placed": placed, "cpu": cpu, "updates": world.entity_updates - updates0,
            "plates": plates - plates0, "packs": packs - packs0, "solves": timer.calls, "solve_cpu": timer.seconds,
            "min_satisfaction": min(satisfactions), "demand_w": demand / len(satisfactions) * 60,
            "researched": int(_lua(engine, "local n = 0 for _, t in pairs(game.forces.player.technologies) do "
                                           "if t.researched then n = n + 1 end end rcon.print(n)")),
        }
    finally:
        engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=3600)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions of the run")
    args = parser.parse_args()
    ticks = args.ticks
    r = measure(ENTITIES, ticks, profile=args.profile)
    ups = ticks / r["cpu"]
    cells = int(r["cells"])
    # stone-furnace.crafting_speed 1 / iron-plate.energy_required 3.2: one plate per 192 ticks per furnace.
    want_plates = cells * ticks / 192
    # The slowest red technology's unit takes 30 s (technology.unit.time) at lab.researching_speed 1.
    want_packs = _LABS * ticks / (30 * 60)
    works = r["plates"] >= 0.8 * want_plates and r["packs"] >= 0.8 * want_packs and r["min_satisfaction"] == 1.0
    ok = ups >= TARGET_UPS and works
    print(f"power factory: {int(r['placed'])} entities ({cells} drill cells, {_LABS} labs, {_BOILERS} boilers, "
          f"{2 * _BOILERS} steam engines), {ticks} ticks after {WARMUP_TICKS} warm-up ticks; no mods")
    print(f"  {ups:8.0f} UPS (CPU time)  target >= {TARGET_UPS:.0f}: {'PASS' if ups >= TARGET_UPS else 'FAIL'}")
    print(f"  {r['updates'] / ticks:8.1f} wake-ups/tick  {r['cpu'] / max(1, r['updates']) * 1e6:6.2f} us/wake-up")
    print(f"  electric network: {r['solves'] / ticks:.2f} solutions/tick, "
          f"{r['solve_cpu'] / max(1, r['solves']) * 1e6:.1f} us per solution ({r['solve_cpu'] / r['cpu']:.1%} of the "
          f"run); mean demand {r['demand_w'] / 1e6:.2f} MW, lowest satisfaction {r['min_satisfaction']:.3f}")
    print(f"  made {r['plates']} plates (furnaces allow {want_plates:.0f}), consumed {r['packs']} science packs "
          f"(at least {want_packs:.0f}), {r['researched']} technologies researched: "
          f"{'WORKING' if works else 'NOT WORKING'}")
    print(f"target: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
