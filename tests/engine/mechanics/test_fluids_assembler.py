"""Assembling machines 2 and 3 with fluid-ingredient recipes: the fluid is taken from the pool of the machine's input
box when a craft starts; without it the machine waits (fluid_ingredient_shortage) and is woken on the tick enough
has arrived. Times from the prototype data: concrete.energy_required / assembling-machine-2.crafting_speed."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.mechanics.fluids import fluid_contents

from .conftest import clear_land, lua
from .power import power_surface


def _machine(engine, name="assembling-machine-2"):
    clear_land(engine, 0, 0, 20, 20)
    power_surface(engine)
    world = engine.world
    world.forces["player"].recipes_enabled["concrete"] = True
    s = world.surfaces["nauvis"]
    m = world.create_entity(s, name, 5.5, 5.5)
    lua(engine, f"s.find_entity('{name}', {{5.5, 5.5}}).set_recipe('concrete')")
    m.kind.insert(world, m, "stone-brick", 50)
    m.kind.insert(world, m, "iron-ore", 10)
    return m


@pytest.mark.parametrize("name", ["assembling-machine-2", "assembling-machine-3"])
def test_concrete_waits_for_water_then_crafts_on_the_exact_ticks(engine, protos, name):
    m = _machine(engine, name)
    recipe = protos.recipes["concrete"]
    water = next(i["amount"] for i in recipe["ingredients"] if i["type"] == "fluid")  # concrete.ingredients water
    period = math.ceil(recipe["energy_required"] * 60 / protos.raw["assembling-machine"][name]["crafting_speed"] - 1e-9)
    engine.run_ticks(30)
    assert lua(engine, f"rcon.print(s.find_entity('{name}', {{5.5, 5.5}}).status == defines.entity_status.fluid_ingredient_shortage)") == "true"
    assert m.state.products_finished == 0
    # A pump on the input box's connection: water arrives at pumping_speed per tick.
    s = engine.world.surfaces["nauvis"]
    for x in range(3, 8):
        s.set_tile(x, 1, "water")
    engine.world.create_entity(s, "pipe", 5.5, 3.5)
    speed = protos.raw["offshore-pump"]["offshore-pump"]["pumping_speed"]
    engine.world.create_entity(s, "offshore-pump", 5.5, 2.5)  # draws from (5, 1), pumps south into the pipe
    t0 = engine.tick
    # The pool holds `water` after ceil(water / speed) ticks of pumping, which wakes the machine for the next tick;
    # a craft started at tick T shows its products after the update of T + period - 1.
    start = t0 + math.ceil(water / speed)
    first = start + 1 + period
    done = []
    last = 0
    while len(done) < 2 and engine.tick < first + 2 * period + 10:
        engine.step()
        if m.state.products_finished != last:
            last = m.state.products_finished
            done.append(engine.tick)
    assert done[1] - done[0] == period
    assert done[0] == first
    stats = lua(engine, "rcon.print(game.forces.player.get_fluid_production_statistics(s).get_output_count('water'))")
    assert float(stats) == 2 * water  # the third craft starts with the next tick's update


def test_fluid_ingredient_from_a_script_wakes_the_machine(engine, protos):
    m = _machine(engine)
    engine.run_ticks(5)
    assert m.state.crafting is False
    lua(engine, "s.find_entity('assembling-machine-2', {5.5, 5.5}).insert_fluid{name='water', amount=1000}")
    engine.run_ticks(2)
    assert m.state.crafting is True
    assert fluid_contents(m, engine.tick)["water"] == pytest.approx(900)


def test_a_waiting_and_a_crafting_fluid_machine_continue_after_save_load_and_fork(tmp_path):
    from factoryverse.engine.engine import Engine
    from factoryverse.engine.state_hash import state_hash

    game = Engine(seed=1, mods=[], starting_chunks=2)
    m = _machine(game)
    game.run_ticks(3)
    lua(game, "s.find_entity('assembling-machine-2', {5.5, 5.5}).insert_fluid{name='water', amount=250}")
    game.run_ticks(500)  # mid-craft, with water for one more
    loaded = Engine.load(game.save(tmp_path, "fluid-machine"), mods=[])
    fork = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    for _ in range(3):
        for g in (game, loaded, fork):
            g.run_ticks(700)
        assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    counts = [g.world.by_unit_number[m.unit_number].state.products_finished for g in (game, loaded, fork)]
    per_craft = game.prototypes.recipes["concrete"]["results"][0]["amount"]
    assert counts[0] == counts[1] == counts[2] == 2 * per_craft  # two crafts: 250 water, 100 a craft
