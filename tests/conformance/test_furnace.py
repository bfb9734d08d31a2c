"""Furnaces smelting iron ore: one plate every `iron-plate.energy / get_crafting_speed()` seconds (stone furnace
0.3125 plates/s, steel furnace 0.625), each on its exact tick, over a game minute."""

from __future__ import annotations

import pytest

from ._rates import MINUTE, every, rate, whole_ticks
from .harness import STORE, assert_outputs_at, number


@pytest.mark.parametrize("furnace", ["stone-furnace", "steel-furnace"])
def test_plate_every_recipe_energy_over_crafting_speed(game, area, furnace):
    energy = number(game, "prototypes.recipe['iron-plate'].energy")
    speed = number(game, f"prototypes.entity['{furnace}'].get_crafting_speed()")
    why = f"iron-plate.energy {energy} s / {furnace}.get_crafting_speed() {speed}"
    period = whole_ticks(energy / speed, why)
    f = f"{STORE}.f"
    start = int(game.lua(
        f"{f} = game.surfaces[1].create_entity{{name = '{furnace}', position = {area.pos(4, 4)}, force = 'player'}} "
        f"{f}.insert{{name = 'coal', count = 10}} {f}.insert{{name = 'iron-ore', count = 50}} rcon.print(game.tick)"))
    expected = every(start, period, start + MINUTE)
    assert_outputs_at(game, f"{f}.get_item_count('iron-plate')", expected, why)
    assert rate(int(number(game, f"{f}.get_item_count('iron-plate')")), start, expected[-1]) == pytest.approx(speed / energy, rel=0.01)


def test_production_statistics_count_the_plates(game, area):
    """force.get_item_production_statistics(surface).get_input_count: every plate made is counted once."""
    energy = number(game, "prototypes.recipe['iron-plate'].energy")
    speed = number(game, "prototypes.entity['stone-furnace'].get_crafting_speed()")
    period = whole_ticks(energy / speed, f"iron-plate.energy {energy} / stone-furnace.get_crafting_speed() {speed}")
    stats = "game.forces.player.get_item_production_statistics(game.surfaces[1])"
    f = f"{STORE}.f"
    game.lua(f"{f} = game.surfaces[1].create_entity{{name = 'stone-furnace', position = {area.pos(4, 4)}, force = 'player'}} "
             f"{f}.insert{{name = 'coal', count = 5}} {f}.insert{{name = 'iron-ore', count = 3}}")
    before = number(game, f"{stats}.get_input_count('iron-plate')")
    game.run_ticks(4 * period)  # three plates, then no ore
    assert number(game, f"{f}.get_item_count('iron-plate')") == 3
    assert number(game, f"{stats}.get_input_count('iron-plate')") - before == 3
