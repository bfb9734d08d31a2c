"""Inserters: what they pick up and where they put it (chests, furnaces, the ground), filters, the burner inserter's
fuel, statuses, bad input, and that a waiting inserter costs nothing."""

from __future__ import annotations

import pytest

from factoryverse.engine.api.defines import define_name

from .conftest import clear_land, lua
from .test_inserter_rates import build, delivered, half_swing


def status(engine, var: str = "i") -> str:
    value = int(lua(engine, f"rcon.print(storage.{var}.status)"))
    return define_name("entity_status", value) or str(value)


def count(engine, var: str, item: str) -> int:
    return int(lua(engine, f"rcon.print(storage.{var}.get_item_count('{item}'))"))


def test_filters_whitelist_and_blacklist(engine, protos):
    build(engine, "fast-inserter", items=0)
    lua(engine, "storage.src.insert{name = 'iron-plate', count = 5} storage.src.insert{name = 'copper-plate', count = 5}")
    assert lua(engine, "rcon.print(storage.i.filter_slot_count)") == str(protos.raw["inserter"]["fast-inserter"]["filter_count"])
    lua(engine, "storage.i.set_filter(1, 'copper-plate') storage.i.use_filters = true")
    assert lua(engine, "rcon.print(storage.i.get_filter(1).name .. ' ' .. tostring(storage.i.get_filter(2)) .. ' ' .. storage.i.inserter_filter_mode)") == "copper-plate nil whitelist"
    engine.run_ticks(400)
    assert (delivered(engine, "copper-plate"), delivered(engine, "iron-plate")) == (5, 0)
    assert status(engine) == "waiting_for_source_items"  # iron is there, but the filter does not allow it
    lua(engine, "storage.i.inserter_filter_mode = 'blacklist'")  # wakes it: now everything but copper
    engine.run_ticks(400)
    assert delivered(engine, "iron-plate") == 5


def test_into_a_furnace_ore_to_source_coal_to_fuel_and_plates_out(engine, protos):
    clear_land(engine, -8, -8, 8, 8)
    # chest (0.5,-0.5) -> inserter (0.5,0.5) -> furnace (1,2.. covers y 1..3) -> inserter (0.5,3.5) -> chest (0.5,4.5)
    lua(
        engine,
        "storage.src = s.create_entity{name = 'iron-chest', position = {0.5, -0.5}, force = 'player'} "
        "storage.src.insert{name = 'coal', count = 50} storage.src.insert{name = 'iron-ore', count = 50} "
        "storage.i = s.create_entity{name = 'inserter', position = {0.5, 0.5}, force = 'player'} "
        "storage.f = s.create_entity{name = 'stone-furnace', position = {1, 2}, force = 'player'} "
        "storage.o = s.create_entity{name = 'inserter', position = {0.5, 3.5}, force = 'player'} "
        "storage.dst = s.create_entity{name = 'iron-chest', position = {0.5, 4.5}, force = 'player'}",
    )
    assert lua(engine, "rcon.print(storage.i.drop_target.name .. ' ' .. storage.o.pickup_target.name)") == "stone-furnace stone-furnace"
    fuel_seen = 0
    for _ in range(120):
        engine.run_ticks(50)
        source = int(lua(engine, "rcon.print(storage.f.get_item_count('iron-ore'))"))
        assert source <= 4  # never past the furnace's overload limit plus one hand (kinds/crafting.py)
        fuel_seen = max(fuel_seen, int(lua(engine, "rcon.print(storage.f.get_fuel_inventory().get_item_count('coal'))")))
    assert fuel_seen >= 1  # coal went to the fuel slot, never the source
    plates = count(engine, "dst", "iron-plate")
    assert plates >= 6000 // 192 - 2  # the furnace kept smelting: plates taken out as they came
    assert count(engine, "dst", "coal") == 0  # the output inserter never takes fuel out of the furnace


def test_ground_pickup_and_drop(engine):
    clear_land(engine, -8, -8, 8, 8)
    lua(
        engine,
        "s.create_entity{name = 'item-on-ground', position = {0.5, -0.5}, stack = {name = 'iron-plate', count = 1}} "
        "storage.i = s.create_entity{name = 'fast-inserter', position = {0.5, 0.5}, force = 'player'}",
    )
    engine.run_ticks(60)
    on_ground = "rcon.print(#s.find_entities_filtered{name = 'item-on-ground', position = {0.5, 1.7}, radius = 0.5})"
    assert lua(engine, on_ground) == "1"  # carried from the ground north to the ground south
    assert lua(engine, "rcon.print(#s.find_entities_filtered{name = 'item-on-ground', position = {0.5, -0.5}, radius = 0.5})") == "0"
    # A second item: dropped only once the spot is clear again.
    lua(engine, "s.create_entity{name = 'item-on-ground', position = {0.5, -0.5}, stack = {name = 'iron-plate', count = 1}}")
    engine.run_ticks(60)
    assert status(engine) == "waiting_for_space_in_destination"
    lua(engine, "for _, e in pairs(s.find_entities_filtered{name = 'item-on-ground', position = {0.5, 1.7}, radius = 0.5}) do e.destroy() end")
    engine.run_ticks(2)
    assert lua(engine, on_ground) == "1"


def test_burner_inserter_starts_with_fuel_and_refuels_from_its_hand(engine, protos):
    spec = protos.raw["inserter"]["burner-inserter"]["energy_source"]
    build(engine, "burner-inserter", items=0, item="coal")
    lua(engine, "storage.i.get_fuel_inventory().clear()")
    wood = 2e6  # wood.fuel_value
    assert protos.items["wood"]["fuel_value"] == "2MJ"
    assert float(lua(engine, "rcon.print(storage.i.burner.remaining_burning_fuel)")) == pytest.approx(wood * spec["initial_fuel_percent"])
    lua(engine, "storage.src.insert{name = 'coal', count = 10}")
    engine.run_ticks(2000)
    fuel = count(engine, "i", "coal")
    assert fuel >= 1 or lua(engine, "rcon.print(storage.i.burner.currently_burning.name.name)") == "coal"
    assert delivered(engine, "coal") + fuel <= 10 and delivered(engine, "coal") >= 5


def test_burner_inserter_without_fuel_stops(engine, protos):
    build(engine, "burner-inserter", items=200)
    lua(engine, "storage.i.get_fuel_inventory().clear()")
    proto = protos.raw["inserter"]["burner-inserter"]
    # 500 kJ at 50 kJ * (rotation_speed + extension_speed) per moving tick lasts 208 ticks of swinging.
    per_tick = 50e3 * (proto["rotation_speed"] + proto["extension_speed"])
    moving = int(0.25 * 2e6 // per_tick)
    engine.run_ticks(moving + 4 * half_swing(proto))
    assert status(engine) == "no_fuel"
    stopped = delivered(engine)
    assert stopped == (moving + half_swing(proto)) // (2 * half_swing(proto))
    lua(engine, "storage.i.insert{name = 'coal', count = 1}")  # fuel wakes it
    engine.run_ticks(4 * half_swing(proto))
    assert delivered(engine) > stopped


def test_statuses(engine):
    build(engine, "inserter", items=0)
    engine.run_ticks(2)
    assert status(engine) == "waiting_for_source_items"
    lua(engine, "storage.src.insert{name = 'iron-plate', count = 1}")
    engine.run_ticks(2)
    assert status(engine) == "working"
    # A full destination: nothing is picked up for it.
    lua(engine, "for i = 1, #storage.dst.get_inventory(defines.inventory.chest) do storage.dst.insert{name = 'stone', count = 50} end")
    engine.run_ticks(200)
    lua(engine, "storage.src.insert{name = 'iron-plate', count = 5}")
    engine.run_ticks(200)
    assert status(engine) == "waiting_for_space_in_destination"


def test_bad_input_gets_errors_and_changes_nothing(engine):
    build(engine, "inserter", items=0)
    for code, text in (
        ("storage.i.set_filter(0, 'iron-plate')", "Index out of range"),
        ("storage.i.set_filter(6, 'iron-plate')", "Index out of range"),
        ("storage.i.set_filter(1, 'no-such-item')", "Unknown item name: no-such-item"),
        ("storage.i.inserter_filter_mode = 'sometimes'", "whitelist"),
        ("storage.src.set_filter(1, 'iron-plate')", "has no filter slots"),
        ("rcon.print(storage.src.pickup_position)", "Entity is not an inserter."),
    ):
        reply = engine.execute_command("/sc " + code)
        assert reply.startswith("Cannot execute command") and text in reply, (code, reply)
    assert lua(engine, "rcon.print(tostring(storage.i.get_filter(1)) .. ' ' .. storage.i.inserter_filter_mode .. ' ' .. storage.src.filter_slot_count)") == "nil whitelist 0"


def test_a_waiting_inserter_costs_no_updates(engine):
    build(engine, "fast-inserter", items=3)
    engine.run_ticks(200)
    world = engine.world
    before = world.entity_updates
    engine.run_ticks(2000)
    assert world.entity_updates == before  # asleep until its source changes
    lua(engine, "storage.src.insert{name = 'iron-plate', count = 1}")
    engine.run_ticks(100)
    assert delivered(engine) == 4 and world.entity_updates - before <= 3  # one update per half swing
