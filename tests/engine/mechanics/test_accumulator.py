"""Accumulators: charged from surplus up to input_flow_limit, discharged last up to output_flow_limit, filling and
emptying on the tick buffer_capacity / flow gives."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import parse_energy

from .conftest import clear_land, lua


def _read(game: Engine, expr: str) -> float:
    return float(lua(game, f"rcon.print({expr})"))


def test_fills_and_empties_on_the_derived_ticks(unpowered, protos):
    spec = protos.raw["accumulator"]["accumulator"]["energy_source"]
    capacity = parse_energy(spec["buffer_capacity"])  # 5MJ
    inflow = parse_energy(spec["input_flow_limit"]) / 60  # 300kW: 5000 J per tick
    outflow = parse_energy(spec["output_flow_limit"]) / 60
    panel = parse_energy(protos.raw["solar-panel"]["solar-panel"]["production"]) / 60
    game = unpowered
    clear_land(game, -12, -12, 12, 12)
    # Always day: enough panels (solar-panel.production each) to give more than input_flow_limit.
    lua(game, "s.always_day = true storage.p = s.create_entity{name = 'substation', position = {0, 0}, force = 'player'} "
        "storage.a = s.create_entity{name = 'accumulator', position = {3, 3}, force = 'player'}")
    panels = math.ceil(inflow / panel) + 1
    assert panels <= 10
    for k in range(panels):
        lua(game, f"s.create_entity{{name = 'solar-panel', position = {{{-7 + 3 * (k % 5)}, {-7 if k < 5 else -4}}}, force = 'player'}}")
    start = game.tick
    fill = math.ceil(capacity / inflow)
    game.run_ticks(fill - 1)
    assert _read(game, "storage.a.energy") == pytest.approx(inflow * (fill - 1))
    assert _read(game, "storage.a.energy") < capacity
    game.step()
    assert game.tick == start + fill
    assert _read(game, "storage.a.energy") == capacity
    # Night falls for good: a load of twice the output limit takes output_flow_limit per tick until it is empty.
    lua(game, f"s.always_day = false s.freeze_daytime = true s.daytime = 0.5 "
        f"storage.l = s.create_entity{{name = 'electric-energy-interface', position = {{3, -3}}, force = 'player'}} "
        f"storage.l.power_production = 0 storage.l.power_usage = {2 * outflow!r}")
    begin = game.tick
    empty = math.ceil(capacity / outflow)
    game.run_ticks(empty - 1)
    assert _read(game, "storage.a.energy") == pytest.approx(capacity - outflow * (empty - 1))
    net = game.world.electric.network_of(game.world.by_unit_number[int(_read(game, "storage.a.unit_number"))])
    assert net.satisfaction == pytest.approx(0.5)
    game.step()
    assert game.tick == begin + empty
    assert _read(game, "storage.a.energy") == 0
    game.step()  # the tick after the last discharge is solved without it
    assert net.satisfaction == 0.0
