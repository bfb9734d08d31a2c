"""Inserters chest to chest: a half swing takes max(ceil(0.5 / get_inserter_rotation_speed()),
ceil(|drop - pickup| / get_inserter_extension_speed())) ticks and a delivery needs a whole swing, one item a hand
without bonuses. The rule is the one the Factorio wiki's 2.0 throughput figures follow (wiki "Inserters" page: 0.83
items/s for the inserter, 2.31 for the fast inserter, chest to chest; see tests/engine/mechanics/test_inserter_rates.py
for the derivation); the first item is picked up in the tick the source chest gets it and dropped a half swing later.
"""

from __future__ import annotations

import math

import pytest

from ._power import WARM_UP, power
from ._rates import MINUTE, rate
from .harness import STORE, assert_outputs_at, number

WIKI_ITEMS_PER_SECOND = {"inserter": 0.83, "fast-inserter": 2.31}


def _half_swing(game, name: str) -> tuple[int, str]:
    p = f"prototypes.entity['{name}']"
    rotation = number(game, f"{p}.get_inserter_rotation_speed()")
    extension = number(game, f"{p}.get_inserter_extension_speed()")
    pickup = math.hypot(number(game, f"{p}.inserter_pickup_position[1]"), number(game, f"{p}.inserter_pickup_position[2]"))
    drop = math.hypot(number(game, f"{p}.inserter_drop_position[1]"), number(game, f"{p}.inserter_drop_position[2]"))
    half = max(math.ceil(0.5 / rotation - 1e-9), math.ceil(abs(drop - pickup) / extension - 1e-9))
    return half, (f"{name}.get_inserter_rotation_speed() {rotation}, get_inserter_extension_speed() {extension}, "
                  f"pickup {pickup} and drop {drop} tiles out: {half} ticks a half swing")


@pytest.mark.parametrize("name", ["burner-inserter", "inserter", "fast-inserter"])
def test_chest_to_chest_one_item_a_swing(game, area, name):
    half, why = _half_swing(game, name)
    if name in WIKI_ITEMS_PER_SECOND:
        assert round(60 / (2 * half), 2) == WIKI_ITEMS_PER_SECOND[name], why
    p = f"prototypes.entity['{name}']"
    # Facing north, as built: picks up from the chest north of it and drops into the one south.
    pickup_y = 5.5 + number(game, f"{p}.inserter_pickup_position[2]")
    drop_y = 5.5 + number(game, f"{p}.inserter_drop_position[2]")
    power(game, area)
    src, dst, ins = f"{STORE}.src", f"{STORE}.dst", f"{STORE}.i"
    game.lua("local s = game.surfaces[1] "
             f"{src} = s.create_entity{{name = 'iron-chest', position = {area.pos(6.5, pickup_y)}, force = 'player'}} "
             f"{dst} = s.create_entity{{name = 'iron-chest', position = {area.pos(6.5, drop_y)}, force = 'player'}} "
             f"{ins} = s.create_entity{{name = '{name}', position = {area.pos(6.5, 5.5)}, force = 'player'}} "
             f"if {ins}.get_fuel_inventory() then {ins}.get_fuel_inventory().insert{{name = 'coal', count = 20}} end")
    game.run_ticks(WARM_UP)
    start = int(game.lua(f"{src}.insert{{name = 'iron-plate', count = 400}} rcon.print(game.tick)"))
    expected = [start + half + 1]
    while expected[-1] < start + MINUTE:
        expected.append(expected[-1] + 2 * half)
    assert_outputs_at(game, f"{dst}.get_item_count('iron-plate')", expected, why)
    # Steady state, first delivery to last: the first comes after half a swing.
    assert rate(len(expected) - 1, expected[0], expected[-1]) == pytest.approx(60 / (2 * half), rel=0.01), why
