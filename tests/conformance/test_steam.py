"""Steam power: an offshore pump fills a storage tank at `get_pumping_speed()` per tick, a boiler makes
`get_max_energy_usage() / (steam.heat_capacity x (target_temperature - water.default_temperature))` steam per tick
(60/s), and a steam engine gives `get_max_power_output()` (900 kW) from `get_fluid_usage_per_tick()` of steam.

The engine fills a connected pool of fluid boxes evenly each tick (docs/known-differences.md, "Fluids and steam power"); the
tests read the pool's total, which the game's segments conserve as well."""

from __future__ import annotations

import math

import pytest

from ._rates import MINUTE
from .harness import STORE, number

WATER_ROW = 5  # water tiles (0..4, 0) of the area; the pump stands south of them, facing north


def _pump(game, area, x: float = 2.5) -> None:
    tiles = ", ".join(f"{{name = 'water', position = {{{area.x + dx}, {area.y}}}}}" for dx in range(WATER_ROW))
    game.lua(f"local s = game.surfaces[1] s.set_tiles{{{tiles}}} "
             f"{STORE}.pump = s.create_entity{{name = 'offshore-pump', position = {area.pos(x, 1.5)}, force = 'player'}}")


def _plant(game, area, engines: int) -> None:
    """Pump at (2.5, 1.5), pipes south and east to a boiler at (10.5, 5) facing north; `engines` steam engines north
    of it; a small pole by the engines."""
    _pump(game, area)
    pipes = [(2.5, y + 0.5) for y in range(2, 6)] + [(x + 0.5, 5.5) for x in range(3, 9)]
    places = " ".join(f"s.create_entity{{name = 'pipe', position = {area.pos(x, y)}, force = 'player'}}" for x, y in pipes)
    gens = " ".join(f"{STORE}.gen{i} = s.create_entity{{name = 'steam-engine', position = {area.pos(10.5, 1.5 - 5 * i)}, "
                    "force = 'player'}" for i in range(engines))
    game.lua(f"local s = game.surfaces[1] {places} "
             f"{STORE}.boiler = s.create_entity{{name = 'boiler', position = {area.pos(10.5, 5)}, force = 'player'}} {gens}")


def test_offshore_pump_fills_a_storage_tank_at_get_pumping_speed(game, area):
    """offshore-pump.get_pumping_speed() units a tick until pump, pipes and tank hold their fluid_capacity."""
    speed = number(game, "prototypes.entity['offshore-pump'].get_pumping_speed()")
    assert speed * 60 == 1200  # the 1,200 water/s
    _pump(game, area, x=3.5)
    start = int(game.lua(
        "local s = game.surfaces[1] "
        f"{STORE}.pipes = {{s.create_entity{{name = 'pipe', position = {area.pos(3.5, 2.5)}, force = 'player'}}, "
        f"s.create_entity{{name = 'pipe', position = {area.pos(3.5, 3.5)}, force = 'player'}}}} "
        f"{STORE}.tank = s.create_entity{{name = 'storage-tank', position = {area.pos(4.5, 5.5)}, force = 'player'}} "
        "rcon.print(game.tick)"))
    parts = [f"{STORE}.pump", f"{STORE}.pipes[1]", f"{STORE}.pipes[2]", f"{STORE}.tank"]
    total = " + ".join(f"{p}.get_fluid_count('water')" for p in parts)
    capacity = sum(number(game, f"{p}.prototype.fluid_capacity") for p in parts)
    full = start + math.ceil(capacity / speed - 1e-9)
    for n in (1, 2, 60):
        game.run_to(start + n)
        assert number(game, total) == pytest.approx(n * speed), f"{n} ticks of pumping at {speed} per tick"
    game.run_to(full - 1)
    assert number(game, total) < capacity - 1e-6
    game.run_to(full)
    assert number(game, total) == pytest.approx(capacity), f"full {full - start} ticks after it was built"
    assert number(game, f"{STORE}.tank.get_fluid_count('water')") > number(game, f"{STORE}.tank.prototype.fluid_capacity") * 0.9
    assert number(game, f"{STORE}.pump.status") == number(game, "defines.entity_status.full_output")


def test_boiler_makes_steam_every_tick_at_its_target_temperature(game, area):
    """boiler.get_max_energy_usage() (energy_consumption, J/tick) / (steam.heat_capacity x (boiler.target_temperature
    - water.default_temperature)) steam per tick: 1 a tick, the wiki's 60/s at 165 C."""
    usage = number(game, "prototypes.entity['boiler'].get_max_energy_usage()")
    target = number(game, "prototypes.entity['boiler'].target_temperature")
    heat = number(game, "prototypes.fluid['steam'].heat_capacity")
    water = number(game, "prototypes.fluid['water'].default_temperature")
    per_tick = usage / (heat * (target - water))
    assert per_tick * 60 == pytest.approx(60)
    _plant(game, area, engines=0)
    start = int(game.lua(f"{STORE}.boiler.insert{{name = 'coal', count = 5}} rcon.print(game.tick)"))
    b = f"{STORE}.boiler"
    for n in (1, 2, 100):
        game.run_to(start + n)
        assert number(game, f"{b}.get_fluid_count('steam')") == pytest.approx(n * per_tick), f"{n} ticks of boiling"
    assert game.lua(f"local f = {b}.get_fluid(2) rcon.print(f.name .. ' ' .. f.temperature)") == f"steam {target:g}"
    assert number(game, f"{b}.status") == number(game, "defines.entity_status.working")


def test_steam_engine_gives_get_max_power_output(game, area):
    """steam-engine.get_fluid_usage_per_tick() x (maximum_temperature - steam.default_temperature) x
    steam.heat_capacity x effectivity = get_max_power_output() (900 kW): over a game minute, with a load asking
    twice that, the network's statistics count that much energy from the engine, within 1%."""
    e = "prototypes.entity['steam-engine']"
    usage, top, effectivity = (number(game, f"{e}.{m}") for m in ("get_fluid_usage_per_tick()", "maximum_temperature", "effectivity"))
    steam_t, heat = number(game, "prototypes.fluid['steam'].default_temperature"), number(game, "prototypes.fluid['steam'].heat_capacity")
    power = number(game, f"{e}.get_max_power_output()")
    assert power == pytest.approx(usage * (top - steam_t) * heat * effectivity)
    assert power * 60 == pytest.approx(900e3) and usage * 60 == pytest.approx(30)  # the 900 kW from 30 steam/s
    _plant(game, area, engines=1)
    game.lua("local s = game.surfaces[1] "
             f"{STORE}.pole = s.create_entity{{name = 'small-electric-pole', position = {area.pos(12.5, 1.5)}, force = 'player'}} "
             f"{STORE}.load = s.create_entity{{name = 'electric-energy-interface', position = {area.pos(14, 1)}, force = 'player'}} "
             f"{STORE}.load.power_production = 0 {STORE}.load.power_usage = {2 * power!r} "
             f"{STORE}.boiler.insert{{name = 'coal', count = 20}}")
    game.run_ticks(300)  # water, steam and the network settle
    stats = f"{STORE}.pole.electric_network_statistics"
    before = number(game, f"{stats}.get_output_count('steam-engine')")
    game.run_ticks(MINUTE)
    made = number(game, f"{stats}.get_output_count('steam-engine')") - before
    assert made / MINUTE == pytest.approx(power, rel=0.01)
    assert number(game, f"{STORE}.gen0.status") == number(game, "defines.entity_status.working")
