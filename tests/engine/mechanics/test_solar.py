"""Solar panels over a day: production x the surface's light (dusk, evening, morning, dawn), stepped; a day's
energy is the exact integral, 70% of the peak with the default phases (the wiki's 42 kW mean for a 60 kW panel)."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.mechanics.daylight import STEPS
from factoryverse.engine.prototypes import parse_energy

from .conftest import clear_land, lua


def test_a_day_of_solar_energy(unpowered, protos):
    game: Engine = unpowered
    clear_land(game, -8, -8, 8, 8)
    peak = parse_energy(protos.raw["solar-panel"]["solar-panel"]["production"]) / 60
    day = int(protos.raw["planet"]["nauvis"]["surface_properties"]["day-night-cycle"])
    assert lua(game, "rcon.print(s.ticks_per_day)") == str(day)
    # A load far above the panel: it takes everything the panel gives.
    lua(game, "s.daytime = 0 storage.p = s.create_entity{name = 'small-electric-pole', position = {0.5, 0.5}, force = 'player'} "
        "s.create_entity{name = 'solar-panel', position = {3, 0}, force = 'player'} "
        "storage.l = s.create_entity{name = 'electric-energy-interface', position = {-2, 0}, force = 'player'} "
        "storage.l.power_production = 0 storage.l.power_usage = 1e6")
    net = game.world.electric.network_of(game.world.by_unit_number[int(lua(game, "rcon.print(storage.p.unit_number)"))])
    solutions = []
    game.step()
    noon = net.solar_drawn
    assert noon == peak
    for _ in range(day - 1):
        game.step()
        if not solutions or solutions[-1] != net.since:
            solutions.append(net.since)
    stats = "storage.p.electric_network_statistics.get_output_count('solar-panel')"
    produced = float(lua(game, f"rcon.print({stats})"))
    assert produced == pytest.approx(0.7 * peak * day, rel=1e-9)
    # A bounded number of solutions a day: the ramps' steps and the night.
    assert len(solutions) <= 2 * STEPS + 4
    # Night: nothing; the default evening..morning is 0.45..0.55 of the day.
    lua(game, "s.daytime = 0.5")
    game.step()
    assert net.solar_drawn == 0.0
