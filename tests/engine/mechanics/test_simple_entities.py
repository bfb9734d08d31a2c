"""The simple entities of issue 8: chests sized from `inventory_size`, the stone wall placed and mined, the steel
furnace, and the electric energy interface with its prototype's power figures."""

from __future__ import annotations

import pytest

from factoryverse.engine.prototypes import parse_energy

from .conftest import clear_land, lua


@pytest.fixture
def land(engine):
    clear_land(engine, -8, -8, 8, 8)
    return engine


@pytest.mark.parametrize("chest", ["wooden-chest", "iron-chest", "steel-chest"])
def test_chest_holds_inventory_size_stacks(land, protos, chest):
    size = int(protos.raw["container"][chest]["inventory_size"])  # wooden 16, iron 32, steel 48 in 2.0
    stack = int(protos.items["iron-plate"]["stack_size"])
    lua(land, f"storage.c = s.create_entity{{name = '{chest}', position = {{0.5, 0.5}}, force = 'player'}}")
    assert lua(land, "rcon.print(#storage.c.get_inventory(defines.inventory.chest))") == str(size)
    inserted = lua(land, f"rcon.print(storage.c.insert{{name = 'iron-plate', count = {size * stack + 10}}})")
    assert inserted == str(size * stack)  # the rest doesn't fit: insert returns what went in


def test_stone_wall_is_placed_collides_and_is_mined(land):
    lua(land, "storage.w = s.create_entity{name = 'stone-wall', position = {0.5, 0.5}, force = 'player'}")
    assert lua(land, "rcon.print(tostring(s.can_place_entity{name = 'stone-wall', position = {0.5, 0.5}}))") == "false"
    assert lua(land, "rcon.print(storage.w.type .. ' ' .. tostring(storage.w.status))") == "wall nil"
    lua(land, "storage.c = s.create_entity{name = 'wooden-chest', position = {5.5, 5.5}, force = 'player'} "
        "storage.inv = storage.c.get_inventory(defines.inventory.chest) storage.ok = storage.w.mine{inventory = storage.inv}")
    assert lua(land, "rcon.print(tostring(storage.ok) .. ' ' .. storage.inv.get_item_count('stone-wall'))") == "true 1"
    assert lua(land, "rcon.print(tostring(storage.w.valid))") == "false"


def test_steel_furnace_smelts_at_its_crafting_speed(land, protos):
    # steel-furnace.crafting_speed 2: an iron plate every iron-plate.energy_required / 2 seconds.
    period = float(protos.recipes["iron-plate"]["energy_required"]) / float(protos.raw["furnace"]["steel-furnace"]["crafting_speed"]) * 60
    lua(land, "storage.f = s.create_entity{name = 'steel-furnace', position = {0, 0}, force = 'player'} "
        "storage.f.insert{name = 'coal', count = 2} storage.f.insert{name = 'iron-ore', count = 2}")
    land.run_ticks(int(period) - 1)
    assert lua(land, "rcon.print(storage.f.get_item_count('iron-plate'))") == "0"
    land.run_ticks(1)
    assert lua(land, "rcon.print(storage.f.get_item_count('iron-plate'))") == "1"


def test_electric_energy_interface_reads_and_writes_its_power(land, protos):
    proto = protos.raw["electric-energy-interface"]["electric-energy-interface"]
    lua(land, "storage.i = s.create_entity{name = 'electric-energy-interface', position = {0, 0}, force = 'player'}")
    # Joules per tick, from energy_production and energy_usage; the buffer from energy_source.buffer_capacity.
    got = [float(v) for v in lua(land, "local i = storage.i rcon.print(i.power_production .. ' ' .. i.power_usage .. ' ' .. i.electric_buffer_size)").split()]
    assert got == [
        pytest.approx(parse_energy(proto["energy_production"]) / 60),
        pytest.approx(parse_energy(proto["energy_usage"]) / 60),
        pytest.approx(parse_energy(proto["energy_source"]["buffer_capacity"])),
    ]
    lua(land, "storage.i.power_production = 1000 storage.i.electric_buffer_size = 5000")
    assert lua(land, "rcon.print(storage.i.power_production .. ' ' .. storage.i.electric_buffer_size)") == "1000 5000"
    reply = lua(land, "local ok, err = pcall(function() storage.i.power_usage = -1 end) rcon.print(err)")
    assert "non-negative" in reply
    # Another entity has no such member: the wrong-kind message.
    reply = lua(land, "storage.c = s.create_entity{name = 'wooden-chest', position = {5.5, 5.5}} "
                "local ok, err = pcall(function() return storage.c.power_production end) rcon.print(err)")
    assert "not an electric energy interface" in reply
