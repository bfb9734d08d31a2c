"""A burner mining drill on iron ore: one ore every `mineable_properties.mining_time / mining_speed` seconds
(0.25 ore/s), into a chest at its `drop_position` on the exact ticks over a game minute, or onto the ground, where
one ore blocks the next."""

from __future__ import annotations

import pytest

from ._rates import MINUTE, every, rate, whole_ticks
from .harness import STORE, assert_outputs_at, number

D = f"{STORE}.d"


def _build_drill(game, area) -> tuple[int, str, int, float]:
    """Ore under a burner drill at the area's (4, 4), fuelled: the tick it was built at, why, the ticks per ore and
    the ore per second the prototypes give."""
    mining_time = number(game, "prototypes.entity['iron-ore'].mineable_properties.mining_time")
    speed = number(game, "prototypes.entity['burner-mining-drill'].mining_speed")
    why = f"iron-ore.mineable_properties.mining_time {mining_time} / burner-mining-drill.mining_speed {speed}"
    start = int(game.lua(
        "local s = game.surfaces[1] "
        f"for dx = -1, 0 do for dy = -1, 0 do s.create_entity{{name = 'iron-ore', "
        f"position = {{{area.x + 4.5} + dx, {area.y + 4.5} + dy}}, amount = 5000}} end end "
        f"{D} = s.create_entity{{name = 'burner-mining-drill', position = {area.pos(4, 4)}, force = 'player'}} "
        f"{D}.insert{{name = 'coal', count = 10}} rcon.print(game.tick)"))
    return start, why, whole_ticks(mining_time / speed, why), speed / mining_time


def test_ore_into_a_chest_every_mining_time_over_mining_speed(game, area):
    c = f"{STORE}.c"
    start, why, period, expected_rate = _build_drill(game, area)
    game.lua(f"{c} = game.surfaces[1].create_entity{{name = 'iron-chest', position = {D}.drop_position, force = 'player'}}")
    expected = every(start, period, start + MINUTE)
    assert_outputs_at(game, f"{c}.get_item_count('iron-ore')", expected, why)
    assert rate(int(number(game, f"{c}.get_item_count('iron-ore')")), start, expected[-1]) == pytest.approx(expected_rate, rel=0.01)


def test_ore_onto_the_ground_blocks_the_next(game, area):
    start, why, period, _ = _build_drill(game, area)
    on_ground = (f"game.surfaces[1].count_entities_filtered{{position = {D}.drop_position, radius = 0.5, "
                 "name = 'item-on-ground'}")
    assert_outputs_at(game, on_ground, [start + period], why)
    game.run_ticks(3 * period)
    assert number(game, on_ground) == 1, "the drill waits while its output spot is taken"
    assert game.lua(f"rcon.print(game.surfaces[1].find_entities_filtered{{position = {D}.drop_position, radius = 0.5, "
                    "name = 'item-on-ground'}[1].stack.name)") == "iron-ore"
    assert number(game, f"{D}.status") == number(game, "defines.entity_status.waiting_for_space_in_destination")
