"""Steam power: offshore pump -> boiler -> steam engines -> electric network, at the prototype data's rates, with the
exact tick of each output, and the issue's acceptance: one boiler feeding two engines from one pump powers 20
electric mining drills at full satisfaction and 30 at two-thirds of their speed."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.mechanics.fluids import fluid_contents, heat_capacity
from factoryverse.engine.prototypes import parse_energy

from .conftest import clear_land


def _create(engine, name, x, y, direction=0):
    world = engine.world
    return world.create_entity(world.surfaces["nauvis"], name, x, y, direction=direction)


def _steam_plant(engine, engines: int = 2):
    """Water row at y = 0, pump at (2.5, 1.5), pipes to a boiler at (10.5, 5) facing north, engines stacked north of
    it at (10.5, 1.5) and (10.5, -3.5)."""
    clear_land(engine, -2, -12, 20, 12)
    s = engine.world.surfaces["nauvis"]
    for x in range(0, 5):
        s.set_tile(x, 0, "water")
    pump = _create(engine, "offshore-pump", 2.5, 1.5)
    for y in range(2, 6):
        _create(engine, "pipe", 2.5, y + 0.5)
    for x in range(3, 9):
        _create(engine, "pipe", x + 0.5, 5.5)
    boiler = _create(engine, "boiler", 10.5, 5.0)
    gens = [_create(engine, "steam-engine", 10.5, 1.5 - 5 * i) for i in range(engines)]
    return pump, boiler, gens


def _steam_per_tick(engine, boiler) -> float:
    """boiler.energy_consumption / 60 over steam.heat_capacity x (boiler.target_temperature - water.default_temperature)."""
    proto = boiler.proto
    water_t = engine.prototypes.raw["fluid"]["water"]["default_temperature"]
    per_unit = heat_capacity(engine.world, "steam") * (proto["target_temperature"] - water_t)
    return parse_energy(proto["energy_consumption"]) / 60 / per_unit


def test_boiler_makes_60_steam_per_second_at_165_degrees(engine, protos):
    pump, boiler, gens = _steam_plant(engine, engines=0)
    rate = _steam_per_tick(engine, boiler)
    assert rate * 60 == pytest.approx(60)
    boiler.kind.insert(engine.world, boiler, "coal", 5)
    t0 = engine.tick
    steam = lambda: fluid_contents(boiler, engine.tick).get("steam", 0.0)  # noqa: E731
    volume = protos.raw["boiler"]["boiler"]["output_fluid_box"]["volume"]
    for n in (1, 2, 100):
        engine.run_ticks(t0 + n - engine.tick)
        assert steam() == pytest.approx(n * rate)
    full = t0 + math.ceil(volume / rate)
    engine.run_ticks(full - 1 - engine.tick)
    assert steam() < volume
    engine.step()
    assert steam() == pytest.approx(volume)
    out = engine.execute_command("/sc rcon.print(game.surfaces.nauvis.find_entities_filtered{name='boiler'}[1].get_fluid(2).temperature)")
    assert float(out) == protos.raw["boiler"]["boiler"]["target_temperature"]
    engine.run_ticks(2)
    assert boiler.kind.status(engine.world, boiler) == "full_output"
    # Fluid statistics: the boiler made its box's volume of steam from as much water; the pump pumped more.
    out = engine.execute_command(
        "/sc local st = game.forces.player.get_fluid_production_statistics('nauvis') "
        "rcon.print(st.get_input_count('steam') .. ' ' .. st.get_output_count('water') .. ' ' .. st.get_input_count('water'))")
    made, boiled, pumped = (float(v) for v in out.split())
    assert made == pytest.approx(volume) and boiled == pytest.approx(volume)
    assert pumped > boiled


def test_boiler_takes_fuel_on_the_ticks_its_energy_consumption_gives(engine, protos):
    """Each tick of full work takes energy_consumption / 60 from the fuel burning (coal.fuel_value); the next item is
    taken on the first tick what is left can't pay for a whole tick."""
    pump, boiler, gens = _steam_plant(engine, engines=2)
    per_tick = parse_energy(boiler.proto["energy_consumption"]) / 60
    coal = parse_energy(protos.raw["item"]["coal"]["fuel_value"])
    boiler.kind.insert(engine.world, boiler, "coal", 5)
    # The engines draw all the boiler makes: a sink for the steam (their electric network's part is tested below).
    t0 = engine.tick
    for g in gens:
        g.energy.on_drawn(t0, 1e18)
    expected, remaining, tick = [], 0.0, t0
    while len(expected) < 5:
        if remaining < per_tick - 1e-9:
            remaining += coal
            expected.append(tick)
        remaining -= per_tick
        tick += 1
    fuel = lambda: boiler.inventories["fuel"].count("coal")  # noqa: E731
    seen, last = [], fuel()
    if last < 5:
        seen.append(t0)
    for _ in range(expected[-1] - t0 + 2):
        before = engine.tick
        engine.step()
        if fuel() != last:
            seen.append(before)
            last = fuel()
    assert seen == expected
    assert boiler.kind.status(engine.world, boiler) == "working"


def test_steam_engine_gives_900kw_from_30_steam_per_second(engine, protos):
    """steam-engine: fluid_usage_per_tick x (maximum_temperature - steam.default_temperature) x steam.heat_capacity
    x effectivity."""
    pump, boiler, gens = _steam_plant(engine, engines=1)
    proto = protos.raw["generator"]["steam-engine"]
    steam_t = protos.raw["fluid"]["steam"]["default_temperature"]
    power = proto["fluid_usage_per_tick"] * (proto["maximum_temperature"] - steam_t) * heat_capacity(
        engine.world, "steam") * proto["effectivity"]
    assert power * 60 == pytest.approx(900e3)
    assert proto["fluid_usage_per_tick"] * 60 == 30
    boiler.kind.insert(engine.world, boiler, "coal", 5)
    engine.run_ticks(10)
    assert gens[0].energy.max_power(engine.tick) == pytest.approx(power)


# -- the acceptance: one pump, one boiler, two engines, 20 or 30 electric mining drills ------------------------


def _drill_field(engine, count: int):
    """`count` electric mining drills on iron ore, in rows of ten, each dropping into a chest, under substations
    wired back to the steam plant."""
    clear_land(engine, 14, -2, 56, 36)
    world = engine.world
    s = world.surfaces["nauvis"]
    for y in range(17, 34):
        for x in range(17, 52):
            world.create_entity(s, "iron-ore", x + 0.5, y + 0.5, amount=1_000_000)
    drills, chests = [], []
    for i in range(count):
        x, y = 20.5 + 3 * (i % 10), 20.5 + 5 * (i // 10)
        drills.append(_create(engine, "electric-mining-drill", x, y))
        chests.append(_create(engine, "iron-chest", x, y - 2))
    for x, y in ((14, 0), (20, 12), (27, 25), (45, 25)):
        _create(engine, "substation", x, y)
    return drills, chests


@pytest.mark.parametrize("drills_count, satisfaction", [(20, 1.0), (30, 2 / 3)])
def test_one_boiler_two_engines_power_20_drills_fully_and_30_at_two_thirds(engine, protos, drills_count, satisfaction):
    """electric-mining-drill.energy_usage 90 kW x 20 = 1.8 MW = 2 x steam-engine's 900 kW = boiler.energy_consumption;
    30 drills ask 2.7 MW and get 1.8 / 2.7. Ore per drill: mining_speed / iron-ore.minable.mining_time."""
    pump, boiler, gens = _steam_plant(engine, engines=2)
    drills, chests = _drill_field(engine, drills_count)
    boiler.kind.insert(engine.world, boiler, "solid-fuel", 50)
    grid = engine.world.electric
    engine.run_ticks(300)  # water, steam and the first mining cycles settle
    net = grid.network_of(drills[0])
    assert net is not None and net is grid.network_of(gens[0]) and net is grid.network_of(gens[1])
    assert net.satisfaction == pytest.approx(satisfaction, abs=1e-9)
    drill = protos.raw["mining-drill"]["electric-mining-drill"]
    per_second = drill["mining_speed"] / protos.raw["resource"]["iron-ore"]["minable"]["mining_time"]
    before = sum(c.inventories["chest"].count("iron-ore") for c in chests)
    engine.run_ticks(3600)
    mined = sum(c.inventories["chest"].count("iron-ore") for c in chests) - before
    assert mined / 60 == pytest.approx(drills_count * per_second * satisfaction, rel=0.01)
    assert net.satisfaction == pytest.approx(satisfaction, abs=1e-9)
    # The steam plant kept up: the boiler ran the whole minute, the engines gave their 900 kW each.
    assert boiler.kind.status(engine.world, boiler) == "working"
    for g in gens:
        assert g.energy.power * 60 == pytest.approx(900e3)
