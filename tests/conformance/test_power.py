"""Electric networks: poles wire up within `get_max_wire_distance()`, machines join within
`get_supply_area_distance()`, an electric mining drill at two-thirds satisfaction mines on the exact ticks, and an
accumulator fills at `get_input_flow_limit()` on the tick its `buffer_capacity` gives."""

from __future__ import annotations

import math

import pytest

from ._rates import MINUTE, every, rate, whole_ticks
from .harness import STORE, assert_outputs_at, number

POLES = ["small-electric-pole", "medium-electric-pole", "substation"]


def _centre(game, name: str) -> float:
    """Where an entity sits on the tile grid: tile centres for odd sizes, tile corners for even ones."""
    return 0.5 if int(number(game, f"prototypes.entity['{name}'].tile_width")) % 2 else 0.0


def _make(game, var: str, name: str, position: str, force: str = "player") -> None:
    game.lua(f"{STORE}.{var} = game.surfaces[1].create_entity{{name = '{name}', position = {position}, force = '{force}'}}")


def _read(game, expr: str) -> str:
    return game.lua(f"rcon.print({expr})")


@pytest.mark.parametrize("pole", POLES)
def test_poles_connect_within_get_max_wire_distance(game, area, pole):
    reach = number(game, f"prototypes.entity['{pole}'].get_max_wire_distance()")
    n, c = math.floor(reach), 2 + _centre(game, pole)
    _make(game, "a", pole, area.pos(c, c))
    _make(game, "b", pole, area.pos(c + n, c))  # floor(reach) tiles away: wired on build
    _make(game, "c", pole, area.pos(c, c + n + 1))  # one tile beyond reach of both
    s = STORE
    assert _read(game, f"{s}.a.electric_network_id == {s}.b.electric_network_id") == "true", f"{pole} reach {reach}"
    assert _read(game, f"{s}.a.electric_network_id ~= {s}.c.electric_network_id") == "true"
    assert _read(game, f"tostring({s}.a.can_wires_reach({s}.b)) .. ' ' .. tostring({s}.a.can_wires_reach({s}.c))") == "true false"
    copper = "defines.wire_connector_id.pole_copper"
    # Beyond reach connect_to answers false and makes no wire (LuaWireConnector::connect_to).
    assert _read(game, f"{s}.a.get_wire_connector({copper}, true).connect_to({s}.c.get_wire_connector({copper}, true))") == "false"
    assert _read(game, f"{s}.a.electric_network_id ~= {s}.c.electric_network_id") == "true"


@pytest.mark.parametrize("pole", POLES)
def test_machines_join_within_get_supply_area_distance(game, area, pole):
    d = number(game, f"prototypes.entity['{pole}'].get_supply_area_distance()")
    c = 4 + _centre(game, pole)
    _make(game, "p", pole, area.pos(c, c))
    # The supply area spans the pole's centre +- d: an inserter on the last tile inside is connected, the next not.
    _make(game, "near", "inserter", area.pos(c + d - 0.5, c))
    _make(game, "far", "inserter", area.pos(c + d + 0.5, c))
    assert _read(game, f"{STORE}.near.is_connected_to_electric_network()") == "true", f"{pole} supply area {d}"
    assert _read(game, f"{STORE}.near.electric_network_id == {STORE}.p.electric_network_id") == "true"
    assert _read(game, f"{STORE}.far.is_connected_to_electric_network()") == "false"


def test_a_drill_at_two_thirds_satisfaction_mines_on_the_exact_ticks(game, area):
    """An interface producing 2/3 of electric-mining-drill.energy_usage (+ its energy source's drain): the drill
    mines at mining_speed x 2/3, one ore every iron-ore.mineable_properties.mining_time / that seconds."""
    drill = "prototypes.entity['electric-mining-drill']"
    usage = number(game, f"{drill}.energy_usage") + number(game, f"{drill}.electric_energy_source_prototype.drain")
    speed = number(game, f"{drill}.mining_speed")
    mining_time = number(game, "prototypes.entity['iron-ore'].mineable_properties.mining_time")
    why = (f"iron-ore.mining_time {mining_time} / (electric-mining-drill.mining_speed {speed} x 2/3 satisfaction of "
           f"energy_usage {usage} J/tick)")
    period = whole_ticks(mining_time / (speed * 2 / 3), why)
    d, c = f"{STORE}.d", f"{STORE}.c"
    start = int(game.lua(
        "local s = game.surfaces[1] "
        f"for dx = -1, 1 do for dy = -1, 1 do s.create_entity{{name = 'iron-ore', "
        f"position = {{{area.x + 4.5} + dx, {area.y + 4.5} + dy}}, amount = 5000}} end end "
        f"{d} = s.create_entity{{name = 'electric-mining-drill', position = {area.pos(4.5, 4.5)}, force = 'player'}} "
        f"{c} = s.create_entity{{name = 'iron-chest', position = {d}.drop_position, force = 'player'}} "
        f"s.create_entity{{name = 'small-electric-pole', position = {area.pos(7.5, 7.5)}, force = 'player'}} "
        f"{STORE}.i = s.create_entity{{name = 'electric-energy-interface', position = {area.pos(10, 10)}, force = 'player'}} "
        f"{STORE}.i.power_usage = 0 {STORE}.i.power_production = {usage * 2 / 3!r} "
        "rcon.print(game.tick)"))
    expected = every(start, period, start + MINUTE)
    assert_outputs_at(game, f"{c}.get_item_count('iron-ore')", expected, why)
    assert rate(int(number(game, f"{c}.get_item_count('iron-ore')")), start, expected[-1]) == pytest.approx(
        speed * 2 / 3 / mining_time, rel=0.01)
    assert number(game, f"{d}.status") == number(game, "defines.entity_status.low_power")


def test_an_accumulator_fills_at_its_input_flow_limit(game, area):
    """accumulator.energy_source: buffer_capacity / get_input_flow_limit() (joules per tick) ticks to fill, charged
    by solar panels (solar-panel get_max_energy_production() each, always day) giving more than the limit."""
    source = "prototypes.entity['accumulator'].electric_energy_source_prototype"
    capacity = number(game, f"{source}.buffer_capacity")
    inflow = number(game, f"{source}.get_input_flow_limit()")
    panel = number(game, "prototypes.entity['solar-panel'].get_max_energy_production()")
    panels = math.ceil(inflow / panel) + 1
    assert panels <= 10
    was_day = game.lua("rcon.print(tostring(game.surfaces[1].always_day))")
    a = f"{STORE}.a"
    try:
        game.lua("game.surfaces[1].always_day = true")
        game.lua("local s = game.surfaces[1] "
                 f"s.create_entity{{name = 'substation', position = {area.pos(10, 10)}, force = 'player'}} "
                 f"for k = 0, {panels - 1} do s.create_entity{{name = 'solar-panel', "
                 f"position = {{{area.x + 3} + 3 * (k % 5), {area.y + 3} + 3 * math.floor(k / 5)}}, force = 'player'}} end")
        start = int(game.lua(f"{a} = game.surfaces[1].create_entity{{name = 'accumulator', position = {area.pos(13, 13)}, "
                             "force = 'player'} rcon.print(game.tick)"))
        fill = math.ceil(capacity / inflow - 1e-9)
        game.run_to(start + fill - 1)
        assert number(game, f"{a}.energy") == pytest.approx(inflow * (fill - 1)), "charging at get_input_flow_limit()"
        assert number(game, f"{a}.energy") < capacity
        game.run_to(start + fill)
        assert number(game, f"{a}.energy") == pytest.approx(capacity), f"full {fill} ticks after it was built"
        game.run_ticks(60)
        assert number(game, f"{a}.energy") == pytest.approx(capacity)
    finally:
        game.lua(f"game.surfaces[1].always_day = {was_day}")


def test_electric_network_statistics_count_a_steady_flow_per_window(game, area):
    """A pole's electric_network_statistics: input is consumption, output production (LuaFlowStatistics's sides
    for electric networks). An interface giving 2/3 of an electric mining drill's energy_usage + drain is drawn in
    full every tick (the ore goes into a chest, so the drill never stops), and the five-second window (300
    one-tick samples) counts 300 x that on both sides."""
    drill = "prototypes.entity['electric-mining-drill']"
    usage = number(game, f"{drill}.energy_usage") + number(game, f"{drill}.electric_energy_source_prototype.drain")
    given = usage * 2 / 3
    game.lua(
        "local s = game.surfaces[1] "
        f"for dx = -1, 1 do for dy = -1, 1 do s.create_entity{{name = 'iron-ore', "
        f"position = {{{area.x + 4.5} + dx, {area.y + 4.5} + dy}}, amount = 50000}} end end "
        f"{STORE}.d = s.create_entity{{name = 'electric-mining-drill', position = {area.pos(4.5, 4.5)}, force = 'player'}} "
        f"s.create_entity{{name = 'iron-chest', position = {STORE}.d.drop_position, force = 'player'}} "
        f"{STORE}.p = s.create_entity{{name = 'small-electric-pole', position = {area.pos(7.5, 7.5)}, force = 'player'}} "
        f"{STORE}.i = s.create_entity{{name = 'electric-energy-interface', position = {area.pos(10, 10)}, force = 'player'}} "
        f"{STORE}.i.power_usage = 0 {STORE}.i.power_production = {given!r}")
    game.run_ticks(600)
    stats = f"{STORE}.p.electric_network_statistics"

    def window(name: str, category: str) -> float:
        return number(game, f"{stats}.get_flow_count{{name = '{name}', category = '{category}', count = true, "
                            "precision_index = defines.flow_precision_index.five_seconds}")

    assert window("electric-energy-interface", "output") == pytest.approx(300 * given, rel=0.02)
    assert window("electric-mining-drill", "input") == pytest.approx(300 * given, rel=0.02)
    assert window("electric-mining-drill", "output") == 0
