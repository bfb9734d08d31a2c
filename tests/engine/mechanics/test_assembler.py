"""Assembling machines: set_recipe / get_recipe with the game's checks, crafting at energy_required / crafting_speed,
inventories sized from the recipe, statuses, the inserters' overload limit, random products, item statistics, and
a working machine continuing exactly across save, load and fork."""

from __future__ import annotations

import math
import random

import pytest

from factoryverse.engine.api.defines import define_name
from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash

from .conftest import clear_land, lua, ticks_of_changes
from .power import demand_of, power_surface, set_production


@pytest.fixture
def am(engine):
    clear_land(engine, -8, -8, 8, 8)
    lua(engine, "storage.a = s.create_entity{name = 'assembling-machine-1', position = {0, 0}, force = 'player'}")
    return engine


def am_power(engine):
    """The electric energy interface the engine fixture placed (power.py)."""
    return next(e for e in engine.world.surfaces["nauvis"].all_entities() if e.name == "electric-energy-interface")


def _status(engine, var: str = "storage.a") -> str:
    value = int(lua(engine, f"rcon.print({var}.status)"))
    return define_name("entity_status", value) or str(value)


def _error(engine, code: str) -> str:
    """The message of the error `code` raises (it must raise)."""
    reply = lua(engine, f"local ok, err = pcall(function() {code} end) rcon.print(ok and 'no error' or err)")
    assert reply != "no error", code
    return reply


def _enable(engine, recipe: str) -> None:
    engine.world.forces["player"].recipes_enabled[recipe] = True


def _entity(engine, var: str = "storage.a"):
    unit = int(lua(engine, f"rcon.print({var}.unit_number)"))
    return engine.world.by_unit_number[unit]


def _put(engine, entity, name: str, count: int) -> int:
    """What an inserter's drop of `count` would put into `entity` (the put_at seam inserters call)."""
    return entity.kind.put_at(engine.world, entity, entity.x, entity.y, name, count, entity)


# -- recipes ------------------------------------------------------------------------------------------------------


def test_a_new_assembler_has_no_recipe_and_no_slots(am):
    assert _status(am) == "no_recipe"
    assert lua(am, "rcon.print(tostring(storage.a.get_recipe()))") == "nil"
    assert lua(am, "rcon.print(#storage.a.get_inventory(defines.inventory.crafter_input))") == "0"
    assert lua(am, "rcon.print(storage.a.insert{name = 'iron-plate', count = 10})") == "0"
    updates = am.world.entity_updates
    am.run_ticks(100)
    assert am.world.entity_updates == updates  # it sleeps until a recipe is set


def test_set_recipe_sizes_the_inventories_and_get_recipe_reads_it(am, protos):
    recipe = protos.recipes["iron-gear-wheel"]
    assert lua(am, "rcon.print(#storage.a.set_recipe('iron-gear-wheel'))") == "0"  # nothing to give back
    assert lua(am, "local r = storage.a.get_recipe() rcon.print(r.object_name .. ' ' .. r.name)") == "LuaRecipe iron-gear-wheel"
    # One slot per item ingredient and per item product, as the recipe lists them.
    assert lua(am, "rcon.print(#storage.a.get_inventory(defines.inventory.crafter_input))") == str(len(recipe["ingredients"]))
    assert lua(am, "rcon.print(#storage.a.get_output_inventory())") == str(len(recipe["results"]))
    am.step()
    assert _status(am) == "item_ingredient_shortage"


def test_set_recipe_accepts_a_recipe_object_and_nil(am):
    lua(am, "storage.a.set_recipe(game.forces.player.recipes['iron-gear-wheel'])")
    assert lua(am, "rcon.print(storage.a.get_recipe().name)") == "iron-gear-wheel"
    lua(am, "storage.a.set_recipe(prototypes.recipe['wooden-chest'])")
    assert lua(am, "rcon.print(storage.a.get_recipe().name)") == "wooden-chest"
    lua(am, "storage.a.set_recipe()")
    assert lua(am, "rcon.print(tostring(storage.a.get_recipe()))") == "nil"
    am.step()
    assert _status(am) == "no_recipe"


def test_changing_the_recipe_returns_what_the_machine_held(am, protos):
    # 10 plates in, one craft started (2 plates held by it), then the recipe changes: everything comes back out.
    period = 0.5 / float(protos.raw["assembling-machine"]["assembling-machine-1"]["crafting_speed"]) * 60
    lua(am, "storage.a.set_recipe('iron-gear-wheel') storage.a.insert{name = 'iron-plate', count = 10}")
    am.run_ticks(int(period) + int(period) // 2)  # one gear made, the second craft half done
    assert lua(am, "rcon.print(storage.a.get_item_count('iron-gear-wheel'))") == "1"
    removed = lua(am, "local t = {} for _, s in pairs(storage.a.set_recipe('wooden-chest')) do t[#t + 1] = s.name .. '=' .. s.count .. ':' .. s.quality end rcon.print(table.concat(t, ' '))")
    assert sorted(removed.split()) == ["iron-gear-wheel=1:normal", "iron-plate=8:normal"]
    assert lua(am, "rcon.print(storage.a.get_item_count())") == "0"
    assert lua(am, "rcon.print(tostring(storage.a.is_crafting()) .. ' ' .. storage.a.crafting_progress)") == "false 0"


def test_set_recipe_refuses_what_the_game_refuses(am, protos):
    # A recipe name the data doesn't have.
    assert "Unknown recipe name: no-such-recipe" in _error(am, "storage.a.set_recipe('no-such-recipe')")
    # A smelting recipe: not one of assembling-machine-1.crafting_categories.
    assert "smelting" in protos.recipes["iron-plate"]["category"]
    assert "can't be crafted in assembling-machine-1" in _error(am, "storage.a.set_recipe('iron-plate')")
    # A recipe the force hasn't enabled (electronic-circuit.enabled is false until research).
    assert protos.recipes["electronic-circuit"]["enabled"] is False
    assert "is not enabled for force player" in _error(am, "storage.a.set_recipe('electronic-circuit')")
    # A quality this engine doesn't have, and a furnace (furnaces choose their recipe from their input).
    assert "quality" in _error(am, "storage.a.set_recipe('iron-gear-wheel', 'legendary')")
    lua(am, "storage.f = s.create_entity{name = 'stone-furnace', position = {5, 5}, force = 'player'}")
    assert "not an assembling machine" in _error(am, "storage.f.set_recipe('iron-plate')")
    assert "not a crafting machine" in _error(am, "storage.chest = s.create_entity{name = 'wooden-chest', position = {-5, -5}} storage.chest.get_recipe()")
    # Nothing changed.
    assert lua(am, "rcon.print(tostring(storage.a.get_recipe()))") == "nil"


def test_a_furnace_reports_the_recipe_it_smelts(am):
    lua(am, "storage.f = s.create_entity{name = 'stone-furnace', position = {5, 5}, force = 'player'}")
    assert lua(am, "rcon.print(tostring(storage.f.get_recipe()))") == "nil"
    lua(am, "storage.f.insert{name = 'coal', count = 5} storage.f.insert{name = 'iron-ore', count = 5}")
    am.step()
    assert lua(am, "rcon.print(storage.f.get_recipe().name)") == "iron-plate"


# -- crafting -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("machine", ["assembling-machine-1", "assembling-machine-2", "assembling-machine-3"])
def test_one_gear_every_energy_required_over_crafting_speed(engine, protos, machine):
    clear_land(engine, -8, -8, 8, 8)
    speed = float(protos.raw["assembling-machine"][machine]["crafting_speed"])
    # iron-gear-wheel.energy_required: the data leaves it out, so the RecipePrototype default of 0.5 s applies.
    recipe = protos.recipes["iron-gear-wheel"]
    energy = float(recipe.get("energy_required", 0.5))
    period = energy / speed * 60
    assert period == int(period)
    plates = int(recipe["ingredients"][0]["amount"])
    lua(engine, f"storage.a = s.create_entity{{name = '{machine}', position = {{0, 0}}, force = 'player'}} "
        f"storage.a.set_recipe('iron-gear-wheel') storage.a.insert{{name = 'iron-plate', count = {plates * 3}}}")
    ticks = ticks_of_changes(engine, lambda: int(lua(engine, "rcon.print(storage.a.products_finished)")), 3, int(period) * 4)
    assert ticks == [int(period) * n for n in (1, 2, 3)], f"{machine}: energy_required / crafting_speed * 60 = {period}"
    assert lua(engine, "rcon.print(storage.a.get_item_count('iron-gear-wheel'))") == "3"
    assert lua(engine, "rcon.print(storage.a.get_item_count('iron-plate'))") == "0"


def test_progress_status_and_is_crafting_read_as_of_the_tick(am, protos):
    period = 0.5 / float(protos.raw["assembling-machine"]["assembling-machine-1"]["crafting_speed"]) * 60
    lua(am, "storage.a.set_recipe('iron-gear-wheel') storage.a.insert{name = 'iron-plate', count = 2}")
    am.run_ticks(int(period) // 4)
    assert float(lua(am, "rcon.print(storage.a.crafting_progress)")) == pytest.approx(0.25)
    assert lua(am, "rcon.print(tostring(storage.a.is_crafting()))") == "true"
    assert _status(am) == "working"
    am.run_ticks(int(period))
    assert lua(am, "rcon.print(tostring(storage.a.is_crafting()))") == "false"
    assert _status(am) == "item_ingredient_shortage"
    updates = am.world.entity_updates
    am.run_ticks(600)
    assert am.world.entity_updates == updates  # an idle assembler costs nothing per tick


def test_full_output_stops_the_machine_until_products_are_taken(am, protos):
    stack = int(protos.items["iron-gear-wheel"]["stack_size"])
    lua(am, "storage.a.set_recipe('iron-gear-wheel') storage.a.insert{name = 'iron-plate', count = 10} "
        f"storage.a.get_output_inventory().insert{{name = 'iron-gear-wheel', count = {stack}}}")
    am.run_ticks(5)
    assert _status(am) == "full_output"
    assert lua(am, "rcon.print(storage.a.get_item_count('iron-plate'))") == "10"  # nothing started
    lua(am, "storage.a.get_output_inventory().remove{name = 'iron-gear-wheel', count = 1}")
    am.run_ticks(2)
    assert _status(am) == "working"


def test_power_satisfaction_slows_the_craft_and_none_stops_it(am, protos):
    lua(am, "storage.a.set_recipe('iron-gear-wheel') storage.a.insert{name = 'iron-plate', count = 20}")
    entity = _entity(am)
    # assembling-machine-1.energy_usage plus its drain (1/30 of it), half supplied.
    set_production(am, am_power(am), 0.5 * demand_of(entity))
    period = 0.5 / float(protos.raw["assembling-machine"]["assembling-machine-1"]["crafting_speed"]) * 60
    ticks = ticks_of_changes(am, lambda: int(lua(am, "rcon.print(storage.a.products_finished)")), 1, int(period) * 3)
    assert ticks == [int(period) * 2]  # half power, half speed
    assert _status(am) == "low_power"
    set_production(am, am_power(am), 0.0)
    am.run_ticks(int(period) * 3)
    assert _status(am) == "no_power"
    assert lua(am, "rcon.print(storage.a.products_finished)") == "1"


# -- items in and out ---------------------------------------------------------------------------------------------


def test_insert_takes_only_the_recipes_ingredients_one_stack_each(am, protos):
    _enable(am, "electronic-circuit")
    lua(am, "storage.a.set_recipe('electronic-circuit')")
    # The game's return value for an item the machine doesn't accept: 0 inserted.
    assert lua(am, "rcon.print(storage.a.insert{name = 'coal', count = 5})") == "0"
    stack = int(protos.items["iron-plate"]["stack_size"])
    assert lua(am, f"rcon.print(storage.a.insert{{name = 'iron-plate', count = {stack * 3}}})") == str(stack)
    assert lua(am, "rcon.print(storage.a.insert{name = 'copper-cable', count = 7})") == "7"


@pytest.mark.parametrize(
    ("machine", "recipe", "held"),
    [
        # Factorio 2.1.20, measured with a hand of one into an unpowered machine (github.com/5thlayer/factoryworks,
        # scripts/factorio-overload-extract.py): what an inserter stops at.
        ("assembling-machine-1", "iron-gear-wheel", {"iron-plate": 6}),
        ("assembling-machine-3", "iron-gear-wheel", {"iron-plate": 8}),
        ("assembling-machine-3", "copper-cable", {"copper-plate": 4}),
        ("assembling-machine-2", "electronic-circuit", {"iron-plate": 3, "copper-cable": 9}),
        ("assembling-machine-2", "engine-unit", {"steel-plate": 2, "iron-gear-wheel": 2, "pipe": 4}),
    ],
)
def test_inserters_fill_up_to_the_overload_limit(engine, protos, machine, recipe, held):
    # The limit: amount * clamp(ceil(dynamic_recipe_overload_factor * crafting_speed / energy_required) + 1,
    # minimum_recipe_overload_multiplier, maximum_recipe_overload_multiplier) (utility-constants).
    clear_land(engine, -8, -8, 8, 8)
    _enable(engine, recipe)
    lua(engine, f"storage.a = s.create_entity{{name = '{machine}', position = {{0, 0}}, force = 'player'}} "
        f"storage.a.set_recipe('{recipe}')")
    entity = _entity(engine)
    for item, limit in held.items():
        taken = 0
        while _put(engine, entity, item, 1) == 1:
            taken += 1
            assert taken <= 100
        assert taken == limit, f"{machine} {recipe}: {item}"
    # Below the limit, a bigger hand goes in whole (overfilling past the limit); an item of no ingredient never does.
    item, limit = next(iter(held.items()))
    lua(engine, f"storage.a.remove_item{{name = '{item}', count = 1}}")
    assert _put(engine, entity, item, 5) == 5
    assert _put(engine, entity, "coal", 1) == 0


def test_inserters_fill_a_furnace_up_to_the_overload_limit(am, protos):
    # stone-furnace.crafting_speed 1, iron-plate.energy_required 3.2: ceil(1.166 * 1 / 3.2) + 1 = 2 -> 2 ore.
    lua(am, "storage.f = s.create_entity{name = 'stone-furnace', position = {5, 5}, force = 'player'}")
    furnace = _entity(am, "storage.f")
    c = protos.raw["utility-constants"]["default"]
    speed = float(protos.raw["furnace"]["stone-furnace"]["crafting_speed"])
    energy = float(protos.recipes["iron-plate"]["energy_required"])
    limit = max(int(c["minimum_recipe_overload_multiplier"]), math.ceil(float(c["dynamic_recipe_overload_factor"]) * speed / energy) + 1)
    assert [_put(am, furnace, "iron-ore", 1) for _ in range(limit + 1)] == [1] * limit + [0]
    assert _put(am, furnace, "coal", 3) == 3  # fuel goes to the fuel slot
    assert _put(am, furnace, "stone-brick", 1) == 0  # not smeltable


def test_take_at_takes_only_products(am):
    lua(am, "storage.a.set_recipe('iron-gear-wheel') storage.a.insert{name = 'iron-plate', count = 4}")
    entity = _entity(am)
    world = am.world
    assert entity.kind.take_at(world, entity, 0, 0, 10, lambda name: True, entity) is None  # plates stay in
    am.run_ticks(200)
    assert entity.kind.take_at(world, entity, 0, 0, 10, lambda name: True, entity) == ("iron-gear-wheel", 2)


# -- statistics and random products ---------------------------------------------------------------------------------


def test_crafts_count_in_the_item_statistics(am):
    lua(am, "storage.a.set_recipe('iron-gear-wheel') storage.a.insert{name = 'iron-plate', count = 6}")
    am.run_ticks(200)
    stats = am.world.item_statistics(am.world.forces["player"], am.world.surfaces["nauvis"])
    assert stats.input_counts.get("iron-gear-wheel") == 3
    assert stats.output_counts.get("iron-plate") == 6


def test_smelting_mining_and_burning_count_in_the_item_statistics(am, protos):
    # A burner drill on ore it mines into a stone furnace: ore mined counts as produced, ore smelted and coal burnt
    # as consumed, plates as produced, each when it happens.
    lua(am, "for x = -1, 0 do for y = -1, 0 do s.create_entity{name = 'iron-ore', position = {x + 4.5, y + 4.5}, amount = 100} end end "
        "storage.d = s.create_entity{name = 'burner-mining-drill', position = {4, 4}, force = 'player'} "
        "storage.d.insert{name = 'coal', count = 5} "
        "storage.f = s.create_entity{name = 'stone-furnace', position = storage.d.drop_position, force = 'player'} "
        "storage.f.insert{name = 'coal', count = 5}")
    am.run_ticks(3000)
    stats = am.world.item_statistics(am.world.forces["player"], am.world.surfaces["nauvis"])
    plates = int(lua(am, "rcon.print(storage.f.get_item_count('iron-plate'))"))
    ore_left = int(lua(am, "rcon.print(storage.f.get_item_count('iron-ore'))"))
    coal_left = int(lua(am, "rcon.print(storage.d.get_item_count('coal') + storage.f.get_item_count('coal'))"))
    smelting = int(lua(am, "rcon.print(storage.f.is_crafting() and 1 or 0)"))
    assert plates >= 5
    assert stats.input_counts.get("iron-plate") == plates
    # One ore per plate (iron-plate.ingredients), taken when a craft starts.
    assert stats.output_counts.get("iron-ore") == plates + smelting
    assert stats.input_counts.get("iron-ore") == plates + smelting + ore_left
    assert stats.output_counts.get("coal") == 10 - coal_left


def test_random_products_draw_from_the_map_generator_deterministically(protos):
    # uranium-processing: uranium-235 with probability 0.007, uranium-238 with 0.993 (the recipe's results).
    def run(seed: int) -> tuple[int, int, int]:
        game = Engine(seed=seed, mods=[], starting_chunks=1)
        power_surface(game)
        clear_land(game, -8, -8, 8, 8)
        _enable(game, "uranium-processing")
        lua(game, "storage.c = s.create_entity{name = 'centrifuge', position = {0, 0}, force = 'player'} "
            "storage.c.set_recipe('uranium-processing')")
        crafts = 0
        for _ in range(12):
            lua(game, "storage.c.insert{name = 'uranium-ore', count = 10}")
            before = int(lua(game, "rcon.print(storage.c.get_item_count('uranium-ore'))"))
            game.run_ticks(int(float(protos.recipes["uranium-processing"]["energy_required"]) * 60
                               / float(protos.raw["assembling-machine"]["centrifuge"]["crafting_speed"])) + 2)
            crafts += (before - int(lua(game, "rcon.print(storage.c.get_item_count('uranium-ore'))"))) // 10
        u235 = int(lua(game, "rcon.print(storage.c.get_item_count('uranium-235'))"))
        u238 = int(lua(game, "rcon.print(storage.c.get_item_count('uranium-238'))"))
        return crafts, u235, u238

    crafts, u235, u238 = run(7)
    assert crafts == 12
    assert run(7) == (crafts, u235, u238)
    # The same draws, in product order, from the map generator seeded with the map seed.
    rng = random.Random(7)
    results = protos.recipes["uranium-processing"]["results"]
    expected = [0, 0]
    for _ in range(crafts):
        for i, r in enumerate(results):
            if rng.random() < float(r["probability"]):
                expected[i] += int(r["amount"])
    names = [r["name"] for r in results]
    assert (u235, u238) == (expected[names.index("uranium-235")], expected[names.index("uranium-238")])


# -- saves ------------------------------------------------------------------------------------------------------


def test_a_working_assembler_continues_exactly_across_save_load_and_fork(tmp_path):
    # With it, a smelting steel furnace (the crafting code they share) and an electric energy interface.
    game = Engine(seed=3, mods=[], starting_chunks=1)
    power_surface(game)
    clear_land(game, -8, -8, 8, 8)
    lua(game, "storage.a = s.create_entity{name = 'assembling-machine-2', position = {0, 0}, force = 'player'} "
        "storage.a.set_recipe('iron-gear-wheel') storage.a.insert{name = 'iron-plate', count = 100} "
        "storage.f = s.create_entity{name = 'steel-furnace', position = {4, 4}, force = 'player'} "
        "storage.f.insert{name = 'coal', count = 3} storage.f.insert{name = 'iron-ore', count = 40} "
        "storage.i = s.create_entity{name = 'electric-energy-interface', position = {-4, 4}, force = 'player'} "
        "storage.i.power_production = 1234")
    game.run_ticks(97)  # mid-craft
    loaded = Engine.load(game.save(tmp_path, "asm"), mods=[])
    forked = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(forked)
    for _ in range(4):
        for g in (game, loaded, forked):
            g.run_ticks(250)
        assert state_hash(loaded) == state_hash(game) == state_hash(forked)
    for g in (loaded, forked):
        assert lua(g, "rcon.print(storage.a.products_finished .. ' ' .. storage.f.products_finished .. ' ' .. "
                   "storage.i.power_production)") == lua(game, "rcon.print(storage.a.products_finished .. ' ' .. "
                                                         "storage.f.products_finished .. ' ' .. storage.i.power_production)")
    # It really worked: one gear per iron-gear-wheel.energy_required (0.5 s default) / crafting_speed (0.75).
    assert int(lua(game, "rcon.print(storage.a.products_finished)")) == game.tick // 40


def test_create_entity_with_a_recipe_sets_it(engine):
    # Regression: create_entity's `recipe` parameter (an assembling machine's) was ignored.
    clear_land(engine, -6, -6, 6, 6)
    reply = lua(engine, "local a = s.create_entity{name = 'assembling-machine-1', position = {0.5, 0.5}, "
                "force = 'player', recipe = 'iron-gear-wheel'} rcon.print(a.get_recipe().name)")
    assert reply == "iron-gear-wheel"
    bad = engine.execute_command("/sc game.surfaces.nauvis.create_entity{name = 'assembling-machine-1', "
                                 "position = {4.5, 4.5}, force = 'player', recipe = 'iron-plate'}")
    assert "iron-plate" in bad and bad.startswith("Cannot execute command")
    assert lua(engine, "rcon.print(s.count_entities_filtered{name = 'assembling-machine-1'})") == "1"
