"""A lab researching `automation` for the suite's own force (its prerequisites set researched): one
automation-science-pack used up every `research_unit_energy / (lab.get_researching_speed() x (1 +
laboratory_speed_modifier))` ticks, and the technology researched on the tick the last unit completes."""

from __future__ import annotations

import pytest

from ._force import FORCE, own_force
from ._power import power
from ._rates import rate, whole_ticks
from .harness import STORE, assert_outputs_at, number

TECH = "automation"
PACK = "automation-science-pack"


def test_a_lab_finishes_automation_on_the_tick_its_units_give(game, area):
    tech = f"prototypes.technology['{TECH}']"
    units = int(number(game, f"{tech}.research_unit_count"))
    energy = number(game, f"{tech}.research_unit_energy")  # ticks of a speed-1 lab per unit
    assert game.lua(f"local i = {tech}.research_unit_ingredients rcon.print(#i .. ' ' .. i[1].name .. ' ' .. i[1].amount)") == f"1 {PACK} 1"
    f = own_force(game)
    speed = number(game, "prototypes.entity['lab'].get_researching_speed()") * (1 + number(game, f"{f}.laboratory_speed_modifier"))
    why = f"{TECH}.research_unit_energy {energy} ticks / lab.get_researching_speed() x (1 + modifier) {speed}"
    period = whole_ticks(energy / 60 / speed, why)
    # Everything before automation researched (automation-science-pack and what it needs), automation itself not.
    assert game.lua(
        f"local f = {f} local function done(t) for _, p in pairs(t.prerequisites) do p.researched = true done(p) end end "
        f"f.technologies['{TECH}'].researched = false f.technologies['{TECH}'].saved_progress = 0 "
        f"done(f.technologies['{TECH}']) rcon.print(f.add_research('{TECH}'))") == "true"
    power(game, area, force=FORCE)
    lab = f"{STORE}.lab"
    start = int(game.lua(
        f"{lab} = game.surfaces[1].create_entity{{name = 'lab', position = {area.pos(6.5, 6.5)}, force = '{FORCE}'}} "
        f"{lab}.insert{{name = '{PACK}', count = {units}}} rcon.print(game.tick)"))
    # One more for the technology researched: on the tick its last pack is used up.
    done = (f"{units} - {lab}.get_item_count('{PACK}') + ({f}.technologies['{TECH}'].researched and 1 or 0)")
    expected = [start + k * period for k in range(1, units + 1)] + [start + units * period]
    assert_outputs_at(game, done, expected, why + " (each pack used up, then the technology researched)")
    assert game.lua(f"rcon.print({f}.recipes['assembling-machine-1'].enabled)") == "true"
    assert rate(units, start, expected[-1]) == pytest.approx(speed / (energy / 60), rel=0.01)  # 100 game seconds
    game.run_ticks(1)
    assert number(game, f"{lab}.status") == number(game, "defines.entity_status.no_research_in_progress")
