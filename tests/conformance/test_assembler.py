"""Assembling machines making iron gear wheels: one every `iron-gear-wheel.energy / get_crafting_speed()` seconds
(speeds 0.5, 0.75 and 1.25), each on its exact tick over a game minute, the machine powered and never short of
plates."""

from __future__ import annotations

import pytest

from ._power import WARM_UP, power
from ._rates import MINUTE, every, rate, whole_ticks
from .harness import STORE, assert_outputs_at, number

A = f"{STORE}.a"


@pytest.mark.parametrize("machine", ["assembling-machine-1", "assembling-machine-2", "assembling-machine-3"])
def test_gear_every_recipe_energy_over_crafting_speed(game, area, machine):
    energy = number(game, "prototypes.recipe['iron-gear-wheel'].energy")
    speed = number(game, f"prototypes.entity['{machine}'].get_crafting_speed()")
    plates = int(number(game, "prototypes.recipe['iron-gear-wheel'].ingredients[1].amount"))
    why = f"iron-gear-wheel.energy {energy} s / {machine}.get_crafting_speed() {speed}"
    period = whole_ticks(energy / speed, why)
    power(game, area)
    game.lua(f"{A} = game.surfaces[1].create_entity{{name = '{machine}', position = {area.pos(6.5, 6.5)}, "
             f"force = 'player'}} {A}.set_recipe('iron-gear-wheel')")
    game.run_ticks(WARM_UP)  # powered up, idle without plates
    start = int(game.lua(f"{A}.insert{{name = 'iron-plate', count = {10 * plates}}} rcon.print(game.tick)"))
    # After each gear: plates for the next, and the output emptied so it never fills.
    top_up = f"{A}.insert{{name = 'iron-plate', count = {plates}}} {A}.get_output_inventory().clear()"
    expected = every(start, period, start + MINUTE)
    assert_outputs_at(game, f"{A}.products_finished", expected, why, after=top_up)
    assert rate(len(expected), start, expected[-1]) == pytest.approx(speed / energy, rel=0.01), why
