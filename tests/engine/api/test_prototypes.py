"""LuaEntityPrototype / LuaBurnerPrototype members the conformance suite derives its expectations from: each reads
the prototype field named, in the API's units (energy per tick, belt and inserter speeds per tick)."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import PrototypeData, load_prototypes, parse_energy

from ._lua_print import fails, run


@pytest.fixture(scope="module")
def protos() -> PrototypeData:
    return load_prototypes()


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def E(name: str) -> str:
    return f"prototypes.entity['{name}']"


@pytest.mark.parametrize(("name", "kind"), [
    ("stone-furnace", "furnace"), ("steel-furnace", "furnace"), ("assembling-machine-2", "assembling-machine"),
])
def test_get_crafting_speed_is_crafting_speed(engine, protos, name, kind):
    speed = float(protos.raw[kind][name]["crafting_speed"])  # <name>.crafting_speed
    assert float(run(engine, f"p({E(name)}.get_crafting_speed())")) == speed
    assert float(run(engine, f"p({E(name)}.get_crafting_speed('normal'))")) == speed


def test_character_crafting_speed_defaults_to_one(engine, protos):
    assert "crafting_speed" not in protos.raw["character"]["character"]  # character.crafting_speed: default 1
    assert run(engine, f"p({E('character')}.get_crafting_speed())") == "1"


def test_get_crafting_speed_refuses_other_types_and_qualities(engine):
    assert "not a crafting machine" in fails(engine, f"p({E('wooden-chest')}.get_crafting_speed())")
    assert "unknown quality 'legendary'" in fails(engine, f"p({E('stone-furnace')}.get_crafting_speed('legendary'))")


@pytest.mark.parametrize(("name", "kind"), [
    ("stone-furnace", "furnace"), ("burner-mining-drill", "mining-drill"), ("assembling-machine-1", "assembling-machine"),
])
def test_energy_usage_is_joules_per_tick(engine, protos, name, kind):
    watts = parse_energy(protos.raw[kind][name]["energy_usage"])  # <name>.energy_usage ("90kW")
    assert float(run(engine, f"p({E(name)}.energy_usage)")) == pytest.approx(watts / 60)
    assert run(engine, f"p({E('wooden-chest')}.energy_usage)") == "nil"


@pytest.mark.parametrize("name", ["transport-belt", "fast-transport-belt", "express-transport-belt"])
def test_belt_speed_is_the_belts_speed(engine, protos, name):
    assert float(run(engine, f"p({E(name)}.belt_speed)")) == float(protos.raw["transport-belt"][name]["speed"])
    assert run(engine, f"p({E('inserter')}.belt_speed)") == "nil"


@pytest.mark.parametrize("name", ["underground-belt", "fast-underground-belt", "express-underground-belt"])
def test_max_underground_distance_of_belts_and_pipes(engine, protos, name):
    # underground-belt.max_distance; a pipe-to-ground's from its pipe connections' max_underground_distance.
    assert int(run(engine, f"p({E(name)}.max_underground_distance)")) == protos.raw["underground-belt"][name]["max_distance"]
    pipe = max(c.get("max_underground_distance", 0)
               for c in protos.raw["pipe-to-ground"]["pipe-to-ground"]["fluid_box"]["pipe_connections"])
    assert int(run(engine, f"p({E('pipe-to-ground')}.max_underground_distance)")) == pipe
    assert run(engine, f"p({E('transport-belt')}.max_underground_distance)") == "nil"


@pytest.mark.parametrize("name", ["burner-inserter", "inserter", "long-handed-inserter", "fast-inserter", "bulk-inserter"])
def test_inserter_speeds_and_stack_bonus(engine, protos, name):
    proto = protos.raw["inserter"][name]
    assert float(run(engine, f"p({E(name)}.get_inserter_rotation_speed())")) == float(proto["rotation_speed"])
    assert float(run(engine, f"p({E(name)}.get_inserter_extension_speed())")) == float(proto["extension_speed"])
    assert int(run(engine, f"p({E(name)}.inserter_stack_size_bonus)")) == int(proto.get("stack_size_bonus", 0))


def test_inserter_members_on_other_types_are_nil(engine):
    assert run(engine, f"p({E('wooden-chest')}.get_inserter_rotation_speed(), {E('wooden-chest')}.inserter_stack_size_bonus)") == "nil\tnil"


def test_burner_prototype(engine, protos):
    source = protos.raw["mining-drill"]["burner-mining-drill"]["energy_source"]
    got = run(engine, f"local b = {E('burner-mining-drill')}.burner_prototype "
              "p(b.object_name, b.effectivity, b.fuel_inventory_size, b.burnt_inventory_size, b.fuel_categories.chemical)")
    assert got == f"LuaBurnerPrototype\t{float(source['effectivity']):g}\t{source['fuel_inventory_size']}\t0\ttrue"
    # An electric machine has none; the same prototype gives the same object.
    assert run(engine, f"p({E('assembling-machine-1')}.burner_prototype)") == "nil"
    assert run(engine, f"p({E('stone-furnace')}.burner_prototype == {E('stone-furnace')}.burner_prototype)") == "true"


def test_vectors_are_arrays(engine, protos):
    """Vector is a two-element array in the API (no x/y keys): inserter.pickup_position / insert_position and
    burner-mining-drill.vector_to_place_result."""
    ins = protos.raw["inserter"]["inserter"]
    got = run(engine, f"local i = {E('inserter')} p(serpent.line(i.inserter_pickup_position), serpent.line(i.inserter_drop_position))")
    fmt = lambda v: "{" + ", ".join(f"{float(c):g}" for c in v) + "}"  # noqa: E731
    assert got == f"{fmt(ins['pickup_position'])}\t{fmt(ins['insert_position'])}"
    vec = protos.raw["mining-drill"]["burner-mining-drill"]["vector_to_place_result"]
    assert run(engine, f"p(serpent.line({E('burner-mining-drill')}.vector_to_place_result))") == fmt(vec)
    assert run(engine, f"p({E('wooden-chest')}.inserter_pickup_position)") == "nil"


# -- power, steam, labs and radars ------------------------------------------------------------------------------


def test_offshore_pump_boiler_and_steam_engine_members(engine, protos):
    pump = protos.raw["offshore-pump"]["offshore-pump"]
    assert float(run(engine, f"p({E('offshore-pump')}.get_pumping_speed())")) == pump["pumping_speed"]  # per tick
    assert run(engine, f"p({E('pipe')}.get_pumping_speed())") == "nil"
    boiler = protos.raw["boiler"]["boiler"]
    assert float(run(engine, f"p({E('boiler')}.target_temperature)")) == boiler["target_temperature"]
    assert float(run(engine, f"p({E('boiler')}.get_max_energy_usage())")) == pytest.approx(
        parse_energy(boiler["energy_consumption"]) / 60)  # boiler.energy_consumption "1.8MW": 30 kJ per tick
    engine_ = protos.raw["generator"]["steam-engine"]
    reply = run(engine, f"local e = {E('steam-engine')} p(e.maximum_temperature, e.get_fluid_usage_per_tick(), "
                "e.effectivity, e.get_max_power_output())")
    temperature, usage, effectivity, power = (float(v) for v in reply.split("\t"))
    assert (temperature, usage, effectivity) == (engine_["maximum_temperature"], engine_["fluid_usage_per_tick"],
                                                 engine_["effectivity"])
    steam = protos.raw["fluid"]["steam"]
    assert power == pytest.approx(usage * (temperature - steam["default_temperature"])
                                  * parse_energy(steam["heat_capacity"]) * effectivity)
    assert power * 60 == pytest.approx(900e3)  # the wiki's 900 kW
    assert run(engine, f"p({E('boiler')}.maximum_temperature, {E('steam-engine')}.target_temperature)") == "nil\tnil"


def test_fluid_prototypes_and_fluid_capacity(engine, protos):
    steam = protos.raw["fluid"]["steam"]
    reply = run(engine, "local f = prototypes.fluid.steam p(f.name, f.default_temperature, f.max_temperature, f.heat_capacity)")
    name, default, top, heat = reply.split("\t")
    assert (name, float(default), float(top), float(heat)) == (
        "steam", steam["default_temperature"], steam["max_temperature"], parse_energy(steam["heat_capacity"]))
    assert run(engine, "p(prototypes.fluid['no-such-fluid'])") == "nil"
    tank = protos.raw["storage-tank"]["storage-tank"]["fluid_box"]["volume"]
    assert float(run(engine, f"p({E('storage-tank')}.fluid_capacity)")) == tank
    assert float(run(engine, f"p({E('storage-tank')}.get_fluid_capacity('normal'))")) == tank
    assert run(engine, f"p({E('wooden-chest')}.fluid_capacity)") == "0"


def test_lab_and_radar_members(engine, protos):
    lab = protos.raw["lab"]["lab"]
    assert float(run(engine, f"p({E('lab')}.get_researching_speed())")) == lab["researching_speed"]
    assert run(engine, f"p(table.concat({E('lab')}.lab_inputs, ' '))") == " ".join(lab["inputs"])
    radar = protos.raw["radar"]["radar"]
    assert run(engine, f"p({E('radar')}.get_max_distance_of_nearby_sector_revealed(), "
                       f"{E('radar')}.get_max_distance_of_sector_revealed())") == (
        f"{radar['max_distance_of_nearby_sector_revealed']}\t{radar['max_distance_of_sector_revealed']}")
    assert run(engine, f"p({E('lab')}.get_max_distance_of_sector_revealed(), {E('radar')}.lab_inputs)") == "nil\tnil"
    # 2.0 (the default server) keeps energy_per_nearby_scan in the data stage only.
    assert "energy_per_nearby_scan" in fails(engine, f"p({E('radar')}.energy_per_nearby_scan)")


def test_radar_scan_energies_on_a_2_1_server(protos):
    game = Engine(seed=1, mods=[], starting_chunks=1, factorio_version="2.1")
    raw = game.prototypes.raw["radar"]["radar"]
    assert float(run(game, f"p({E('radar')}.energy_per_nearby_scan)")) == parse_energy(raw["energy_per_nearby_scan"])
    assert float(run(game, f"p({E('radar')}.energy_per_sector)")) == parse_energy(raw["energy_per_sector"])


def test_electric_energy_source_prototype(engine, protos):
    source = protos.raw["accumulator"]["accumulator"]["energy_source"]
    reply = run(engine, f"local s = {E('accumulator')}.electric_energy_source_prototype "
                "p(s.buffer_capacity, s.get_input_flow_limit(), s.get_output_flow_limit(), s.usage_priority, "
                f"s == {E('accumulator')}.electric_energy_source_prototype)")
    capacity, inflow, outflow, priority, same = reply.split("\t")
    assert float(capacity) == parse_energy(source["buffer_capacity"])  # accumulator.energy_source.buffer_capacity
    assert float(inflow) == pytest.approx(parse_energy(source["input_flow_limit"]) / 60)  # joules per tick
    assert float(outflow) == pytest.approx(parse_energy(source["output_flow_limit"]) / 60)
    assert (priority, same) == (source["usage_priority"], "true")
    assert run(engine, f"p({E('boiler')}.electric_energy_source_prototype)") == "nil"
    assert run(engine, f"p({E('lab')}.electric_energy_source_prototype.get_input_flow_limit())") == "nil"


def test_get_max_energy_production(engine, protos):
    panel = parse_energy(protos.raw["solar-panel"]["solar-panel"]["production"]) / 60  # solar-panel.production
    assert float(run(engine, f"p({E('solar-panel')}.get_max_energy_production())")) == pytest.approx(panel)
    assert float(run(engine, f"p({E('steam-engine')}.get_max_energy_production())")) * 60 == pytest.approx(900e3)
    assert run(engine, f"p({E('wooden-chest')}.get_max_energy_production())") == "0"
