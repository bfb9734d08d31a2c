"""Fuel burnt at `energy_usage` (joules per tick) against `fuel_value` × the burner's `effectivity` (coal 4 MJ,
wood 2 MJ): the tick each fuel item is taken by a machine working all along, over a game minute."""

from __future__ import annotations

import pytest

from ._rates import MINUTE, fuel_take_ticks
from .harness import STORE, assert_outputs_at, number

E = f"{STORE}.e"
FUEL = 20


@pytest.mark.parametrize(("entity", "fuel"), [
    ("burner-mining-drill", "coal"), ("burner-mining-drill", "wood"), ("stone-furnace", "wood"),
])
def test_fuel_taken_at_energy_usage(game, area, entity, fuel):
    usage = number(game, f"prototypes.entity['{entity}'].energy_usage")
    effectivity = number(game, f"prototypes.entity['{entity}'].burner_prototype.effectivity")
    fuel_value = number(game, f"prototypes.item['{fuel}'].fuel_value")
    why = (f"{entity}.energy_usage {usage} J/tick against {fuel}.fuel_value {fuel_value} J "
           f"× {entity}.burner_prototype.effectivity {effectivity}")
    s = "local s = game.surfaces[1] "
    if entity == "stone-furnace":  # 50 ore keep it smelting for longer than the minute measured
        build = (f"{E} = s.create_entity{{name = '{entity}', position = {area.pos(4, 4)}, force = 'player'}} "
                 f"{E}.insert{{name = 'iron-ore', count = 50}} ")
    else:  # mining into a chest, which never fills in a minute
        build = (f"for dx = -1, 0 do for dy = -1, 0 do s.create_entity{{name = 'iron-ore', "
                 f"position = {{{area.x + 4.5} + dx, {area.y + 4.5} + dy}}, amount = 5000}} end end "
                 f"{E} = s.create_entity{{name = '{entity}', position = {area.pos(4, 4)}, force = 'player'}} "
                 f"s.create_entity{{name = 'iron-chest', position = {E}.drop_position, force = 'player'}} ")
    start = int(game.lua(s + build + f"{E}.insert{{name = '{fuel}', count = {FUEL}}} rcon.print(game.tick)"))
    expected = fuel_take_ticks(start, usage, fuel_value * effectivity, start + MINUTE)
    assert_outputs_at(game, f"{FUEL} - {E}.get_item_count('{fuel}')", expected, why)
    takes_per_second = (len(expected) - 1) / ((expected[-1] - expected[0]) / 60)
    assert takes_per_second == pytest.approx(usage * 60 / (fuel_value * effectivity), rel=0.01), why
    assert number(game, f"{E}.status") == number(game, "defines.entity_status.working"), "it worked all along"
