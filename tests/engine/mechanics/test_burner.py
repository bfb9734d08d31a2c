"""Burner energy: a working machine burns energy_usage per second of work out of its fuel's fuel_value."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.api.defines import define_value
from factoryverse.engine.prototypes import parse_energy

from .conftest import clear_land, lua


def _burned(engine, entity: str, fuel: str, protos) -> float:
    """Joules taken from the fuel so far: whole items taken times their energy, less what is left burning."""
    left_items, remaining = lua(
        engine, f"rcon.print(storage.{entity}.get_item_count('{fuel}') .. ' ' .. storage.{entity}.burner.remaining_burning_fuel)"
    ).split()
    taken = _inserted(engine, entity) - int(left_items)
    return taken * parse_energy(protos.items[fuel]["fuel_value"]) - float(remaining)


def _inserted(engine, entity: str) -> int:
    return int(lua(engine, f"rcon.print(storage.inserted_{entity})"))


@pytest.fixture
def drill(engine):
    clear_land(engine, -6, -6, 6, 6)
    lua(
        engine,
        "for x = -1, 0 do for y = -1, 0 do s.create_entity{name = 'iron-ore', position = {x + 0.5, y + 0.5}, amount = 1000} end end "
        "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} "
        "storage.inserted_d = storage.d.insert{name = 'coal', count = 3} "
        "s.create_entity{name = 'wooden-chest', position = storage.d.drop_position, force = 'player'}",
    )
    return engine


@pytest.mark.parametrize("ticks", [1, 600, 1800])
def test_drill_burns_energy_usage_per_tick_of_work(drill, protos, ticks):
    usage = parse_energy(protos.raw["mining-drill"]["burner-mining-drill"]["energy_usage"])
    drill.run_ticks(ticks)
    assert lua(drill, "rcon.print(storage.d.status)") == str(define_value("entity_status", "working"))  # working the whole time
    burned = _burned(drill, "d", "coal", protos)
    assert burned == pytest.approx(usage / 60 * ticks, rel=1e-9), "burner-mining-drill.energy_usage, coal.fuel_value"
    fuel_value = parse_energy(protos.items["coal"]["fuel_value"])
    taken = _inserted(drill, "d") - int(lua(drill, "rcon.print(storage.d.get_item_count('coal'))"))
    assert taken == math.ceil(usage / 60 * ticks / fuel_value - 1e-9), "one coal taken at a time, when the last runs out"


def test_coal_per_ore_matches_the_data(drill, protos):
    drill_proto = protos.raw["mining-drill"]["burner-mining-drill"]
    period_s = float(protos.raw["resource"]["iron-ore"]["minable"]["mining_time"]) / float(drill_proto["mining_speed"])
    per_ore = parse_energy(drill_proto["energy_usage"]) * period_s
    drill.run_ticks(int(period_s * 60) * 5)
    assert _burned(drill, "d", "coal", protos) == pytest.approx(per_ore * 5, rel=1e-9)


def test_furnace_burns_energy_usage_while_smelting(engine, protos):
    usage = parse_energy(protos.raw["furnace"]["stone-furnace"]["energy_usage"])
    smelt_ticks = int(float(protos.recipes["iron-plate"]["energy_required"]) * 60)
    clear_land(engine, -6, -6, 6, 6)
    lua(
        engine,
        "storage.f = s.create_entity{name = 'stone-furnace', position = {0, 0}, force = 'player'} "
        "storage.inserted_f = storage.f.insert{name = 'coal', count = 2} storage.f.insert{name = 'iron-ore', count = 2}",
    )
    engine.run_ticks(smelt_ticks * 2 + 30)  # two crafts, then idle: an idle furnace burns nothing
    assert lua(engine, "rcon.print(storage.f.get_item_count('iron-plate'))") == "2"
    burned = _burned(engine, "f", "coal", protos)
    assert burned == pytest.approx(usage / 60 * smelt_ticks * 2, rel=1e-9), "stone-furnace.energy_usage, coal.fuel_value"


def test_running_out_of_fuel_stops_the_drill(engine, protos):
    clear_land(engine, -6, -6, 6, 6)
    usage = parse_energy(protos.raw["mining-drill"]["burner-mining-drill"]["energy_usage"])
    wood = parse_energy(protos.items["wood"]["fuel_value"])
    lua(
        engine,
        "s.create_entity{name = 'iron-ore', position = {-0.5, -0.5}, amount = 1000} "
        "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} "
        "storage.d.insert{name = 'wood', count = 1} "
        "s.create_entity{name = 'wooden-chest', position = storage.d.drop_position, force = 'player'}",
    )
    lasts = int(wood / (usage / 60))  # whole ticks of work one wood (wood.fuel_value) pays for
    engine.run_ticks(lasts)
    assert lua(engine, "rcon.print(storage.d.status)") == str(define_value("entity_status", "working"))
    engine.run_ticks(2)
    assert lua(engine, "rcon.print(storage.d.status)") == str(define_value("entity_status", "no_fuel"))
    assert lua(engine, "rcon.print(storage.d.get_item_count('wood'))") == "0"


def test_fuel_slot_takes_only_chemical_fuel(engine):
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'}")
    assert lua(engine, "rcon.print(storage.d.insert{name = 'iron-ore', count = 1})") == "0"
    assert lua(engine, "rcon.print(storage.d.get_fuel_inventory().insert{name = 'wood', count = 3})") == "3"
    assert lua(engine, "rcon.print(storage.d.burner.inventory.get_item_count('wood'))") == "3"
