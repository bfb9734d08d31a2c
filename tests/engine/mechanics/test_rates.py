"""The rates issue 8 names, each over at least 60 game seconds: the exact tick of every output, derived from the
prototype fields named, and the rate within 1% of what those fields give.

Readings come through the runtime API (Lua), one per tick. An output made in the update of tick T is seen once
tick T has run, that is when `game.tick` reads T + 1: so a craft of `period` ticks started at tick 0 shows at
`period`, the n-th at `n * period`.
"""

from __future__ import annotations

from typing import Callable

import pytest

from factoryverse.engine.api.defines import define_value
from factoryverse.engine.prototypes import parse_energy

from .conftest import clear_land, lua

MINUTE = 3600  # ticks


def _watch(engine, read: Callable[[], int], until: int, every: Callable[[], None] | None = None) -> list[int]:
    """Step to tick `until` reading `read()` after every tick; the ticks its value changed at (as many as it rose).
    `every` runs each 60 ticks (top-ups that never starve the machine)."""
    seen: list[int] = []
    last = read()
    while engine.tick < until:
        if every is not None and engine.tick % 60 == 0:
            every()
            last = read()
        engine.step()
        value = read()
        seen += [engine.tick] * abs(value - last)
        last = value
    return seen


def _rate(ticks: list[int], start: int = 0) -> float:
    """Outputs per second from `start` to the last output."""
    return len(ticks) / ((ticks[-1] - start) / 60)


def _check(ticks: list[int], period: float, expected_rate: float, why: str) -> None:
    assert period == int(period), why
    assert ticks == [int(period) * n for n in range(1, len(ticks) + 1)], why
    assert ticks[-1] >= MINUTE, "measured over at least 60 game seconds"
    assert _rate(ticks) == pytest.approx(expected_rate, rel=0.01), why


# -- furnaces ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("furnace", "rate"), [("stone-furnace", 0.3125), ("steel-furnace", 0.625)])
def test_furnace_plate_rate(engine, protos, furnace, rate):
    clear_land(engine, -6, -6, 6, 6)
    speed = float(protos.raw["furnace"][furnace]["crafting_speed"])
    energy = float(protos.recipes["iron-plate"]["energy_required"])
    period = energy / speed * 60
    why = f"iron-plate.energy_required {energy} / {furnace}.crafting_speed {speed}"
    assert speed / energy == pytest.approx(rate), why  # the figure is the data's
    lua(engine, f"storage.f = s.create_entity{{name = '{furnace}', position = {{0, 0}}, force = 'player'}} "
        "storage.f.insert{name = 'coal', count = 10} storage.f.insert{name = 'iron-ore', count = 50}")
    ticks = _watch(engine, lambda: int(lua(engine, "rcon.print(storage.f.products_finished)")), MINUTE + int(period))
    _check(ticks, period, rate, why)
    assert lua(engine, "rcon.print(storage.f.get_item_count('iron-plate'))") == str(len(ticks))


# -- assemblers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("machine", "speed"), [
    ("assembling-machine-1", 0.5), ("assembling-machine-2", 0.75), ("assembling-machine-3", 1.25),
])
def test_assembler_gear_rate(engine, protos, machine, speed):
    clear_land(engine, -6, -6, 6, 6)
    assert float(protos.raw["assembling-machine"][machine]["crafting_speed"]) == speed
    # iron-gear-wheel.energy_required: left out of the data, so the RecipePrototype default of 0.5 s.
    energy = float(protos.recipes["iron-gear-wheel"].get("energy_required", 0.5))
    period = energy / speed * 60
    why = f"iron-gear-wheel.energy_required {energy} / {machine}.crafting_speed {speed}"
    lua(engine, f"storage.a = s.create_entity{{name = '{machine}', position = {{0, 0}}, force = 'player'}} "
        "storage.a.set_recipe('iron-gear-wheel')")

    def feed() -> None:  # plates in, gears out: the machine never waits
        lua(engine, "storage.a.insert{name = 'iron-plate', count = 100} "
            "storage.a.get_output_inventory().clear()")

    ticks = _watch(engine, lambda: int(lua(engine, "rcon.print(storage.a.products_finished)")), MINUTE + int(period), feed)
    _check(ticks, period, speed / energy, why)


# -- mining drills -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("drill", "rate"), [("burner-mining-drill", 0.25), ("electric-mining-drill", 0.5)])
def test_drill_ore_rate(engine, protos, drill, rate):
    clear_land(engine, -8, -8, 8, 8)
    proto = protos.raw["mining-drill"][drill]
    mining_time = float(protos.raw["resource"]["iron-ore"]["minable"]["mining_time"])
    speed = float(proto["mining_speed"])
    period = mining_time / speed * 60
    why = f"iron-ore.minable.mining_time {mining_time} / {drill}.mining_speed {speed}"
    assert speed / mining_time == pytest.approx(rate), why
    lua(engine, "for x = -3, 2 do for y = -3, 2 do "
        "s.create_entity{name = 'iron-ore', position = {x + 0.5, y + 0.5}, amount = 1000} end end "
        f"storage.d = s.create_entity{{name = '{drill}', position = {{0, 0}}, force = 'player'}} "
        "storage.d.insert{name = 'coal', count = 10} "
        "storage.chest = s.create_entity{name = 'iron-chest', position = storage.d.drop_position, force = 'player'}")
    ticks = _watch(engine, lambda: int(lua(engine, "rcon.print(storage.chest.get_item_count('iron-ore'))")),
                   MINUTE + int(period))
    _check(ticks, period, rate, why)


# -- fuel -------------------------------------------------------------------------------------------------------


def _fuel_take_ticks(usage_per_tick: float, fuel_joules: float, until: int) -> list[int]:
    """The update ticks at which a machine working every tick takes a fuel item: when what is left burning can't pay
    for that tick's `energy_usage / 60` (mechanics/burner.py; at most a tick from the game, known-differences.md),
    up to the first take at or after tick `until`."""
    remaining, ticks, t = 0.0, [], 0
    while not ticks or ticks[-1] < until:
        while remaining < usage_per_tick - 1e-9:
            remaining += fuel_joules
            ticks.append(t)
        remaining -= usage_per_tick
        remaining = 0.0 if remaining <= 1e-9 else remaining
        t += 1
    return ticks


@pytest.mark.parametrize(("entity", "fuel"), [
    ("burner-mining-drill", "coal"), ("burner-mining-drill", "wood"), ("stone-furnace", "coal"), ("stone-furnace", "wood"),
])
def test_fuel_burned_at_energy_usage(engine, protos, entity, fuel):
    clear_land(engine, -8, -8, 8, 8)
    kind = "mining-drill" if entity.endswith("drill") else "furnace"
    usage = parse_energy(protos.raw[kind][entity]["energy_usage"])
    fuel_value = parse_energy(protos.items[fuel]["fuel_value"])
    assert (fuel, fuel_value) in (("coal", 4e6), ("wood", 2e6))
    why = f"{entity}.energy_usage {usage} W against {fuel}.fuel_value {fuel_value} J"
    if kind == "furnace":
        lua(engine, f"storage.e = s.create_entity{{name = '{entity}', position = {{0, 0}}, force = 'player'}} "
            "storage.e.insert{name = 'iron-ore', count = 50}")
    else:
        lua(engine, "for x = -1, 0 do for y = -1, 0 do "
            "s.create_entity{name = 'iron-ore', position = {x + 0.5, y + 0.5}, amount = 5000} end end "
            f"storage.e = s.create_entity{{name = '{entity}', position = {{0, 0}}, force = 'player'}} "
            "s.create_entity{name = 'iron-chest', position = storage.e.drop_position, force = 'player'}")
    lua(engine, f"storage.e.insert{{name = '{fuel}', count = 20}}")
    expected = _fuel_take_ticks(usage / 60, fuel_value, MINUTE)

    def read() -> int:
        return 20 - int(lua(engine, f"rcon.print(storage.e.get_item_count('{fuel}'))"))

    taken = _watch(engine, read, expected[-1] + 1)
    assert taken == [t + 1 for t in expected], why  # seen once the tick that took it has run
    seconds = (expected[-1] - expected[0]) / 60
    assert (len(expected) - 1) / seconds == pytest.approx(usage / fuel_value, rel=0.01), why
    status = int(lua(engine, "rcon.print(storage.e.status)"))
    assert status == define_value("entity_status", "working")  # it worked all along
