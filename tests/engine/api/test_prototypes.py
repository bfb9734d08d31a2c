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
