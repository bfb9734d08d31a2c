"""The character's crafting queue: exact craft ticks from `energy_required` and the speed modifiers, intermediates
first, ingredients reserved when queued and returned on cancel, and the game's answers to bad input."""

from __future__ import annotations

import pytest

from .conftest import clear_land, lua, ticks_of_changes


def _ticks_per_craft(protos, recipe: str, speed: float = 1.0) -> int:
    # A recipe without `energy_required` takes the prototype default of 0.5 s (RecipePrototype docs).
    seconds = float(protos.recipes[recipe].get("energy_required", 0.5))
    ticks = seconds * 60 / speed
    assert ticks == int(ticks), f"{recipe}.energy_required gives a fractional tick count {ticks}"
    return int(ticks)


def _count(engine, item: str) -> int:
    return int(lua(engine, f"rcon.print(storage.c.get_item_count('{item}'))"))


def _value(engine, expr: str) -> str:
    return lua(engine, f"rcon.print(tostring({expr}))")


def _enable(engine, *recipes: str) -> None:
    for r in recipes:
        engine.world.forces["player"].recipes_enabled[r] = True


@pytest.fixture
def crafter(engine):
    clear_land(engine, -10, -10, 10, 10)
    lua(engine, "storage.c = s.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'}")
    return engine


def test_main_inventory_has_the_prototypes_slots_and_stack_sizes(crafter, protos):
    size = int(protos.raw["character"]["character"]["inventory_size"])
    stack = int(protos.items["iron-plate"]["stack_size"])
    assert _value(crafter, "#storage.c.get_main_inventory()") == str(size), "character.inventory_size"
    lua(crafter, f"storage.n = storage.c.insert{{name = 'iron-plate', count = {size * stack + 5}}}")
    assert _value(crafter, "storage.n") == str(size * stack), "iron-plate.stack_size fills every slot, no more"


def test_gears_come_every_energy_required_seconds(crafter, protos):
    period = _ticks_per_craft(protos, "iron-gear-wheel")
    plates = int(protos.recipes["iron-gear-wheel"]["ingredients"][0]["amount"])
    lua(crafter, f"storage.c.insert{{name = 'iron-plate', count = {plates * 3}}}")
    assert _value(crafter, "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 3}") == "3"
    assert _count(crafter, "iron-plate") == 0, "the ingredients are reserved when queued"
    start = crafter.tick
    ticks = ticks_of_changes(crafter, lambda: _count(crafter, "iron-gear-wheel"), changes=3, max_ticks=period * 4)
    assert [t - start for t in ticks] == [period, 2 * period, 3 * period], "iron-gear-wheel.energy_required * 60"
    assert _value(crafter, "storage.c.crafting_queue") == "nil"
    assert _value(crafter, "storage.c.crafting_queue_size") == "0"


def test_a_minute_of_gears_at_the_recipe_rate(crafter, protos):
    period = _ticks_per_craft(protos, "iron-gear-wheel")
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 1000}")
    lua(crafter, "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 400}")
    crafter.run_ticks(3600)
    made = _count(crafter, "iron-gear-wheel")
    assert made == 3600 // period, "iron-gear-wheel.energy_required: 60 s / 0.5 s"
    assert made == pytest.approx(60 / (period / 60), rel=0.01)
    stats = crafter.world.item_statistics(crafter.world.forces["player"], crafter.world.surfaces["nauvis"])
    assert stats.input_counts.get("iron-gear-wheel") == made  # handcrafted products count as produced


def test_speed_modifiers_of_force_and_character_add_up(crafter, protos):
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 100}")
    lua(crafter, "storage.c.force.manual_crafting_speed_modifier = 1 storage.c.character_crafting_speed_modifier = 0.5")
    assert _value(crafter, "storage.c.force.manual_crafting_speed_modifier") == "1"
    assert _value(crafter, "storage.c.character_crafting_speed_modifier") == "0.5"
    period = _ticks_per_craft(protos, "iron-gear-wheel", speed=1 + 1 + 0.5)
    lua(crafter, "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 3}")
    start = crafter.tick
    ticks = ticks_of_changes(crafter, lambda: _count(crafter, "iron-gear-wheel"), changes=3, max_ticks=100)
    assert [t - start for t in ticks] == [period, 2 * period, 3 * period]


def test_changing_the_speed_mid_craft_moves_its_end(crafter, protos):
    period = _ticks_per_craft(protos, "iron-gear-wheel")
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 10} storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 1}")
    start = crafter.tick
    crafter.run_ticks(period // 2)  # half done at speed 1
    lua(crafter, "storage.c.force.manual_crafting_speed_modifier = 1")  # the other half at speed 2
    ticks = ticks_of_changes(crafter, lambda: _count(crafter, "iron-gear-wheel"), changes=1, max_ticks=period)
    half = period // 2
    assert ticks[0] - start == half + -(-(period - half) // 2)  # the rest at twice the speed, to the next whole tick


def test_crafting_queue_progress_reads_and_writes(crafter, protos):
    period = _ticks_per_craft(protos, "iron-gear-wheel")
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 10} storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 2}")
    crafter.run_ticks(period // 2)
    assert float(_value(crafter, "storage.c.crafting_queue_progress")) == pytest.approx(0.5)
    lua(crafter, "storage.c.crafting_queue_progress = 0.9")
    start = crafter.tick
    ticks = ticks_of_changes(crafter, lambda: _count(crafter, "iron-gear-wheel"), changes=1, max_ticks=period)
    assert ticks[0] - start == round(period * 0.1)


def test_electronic_circuit_follows_the_data_and_crafts_its_cable_first(crafter, protos):
    circuit, cable = protos.recipes["electronic-circuit"], protos.recipes["copper-cable"]
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 10} storage.c.insert{name = 'copper-plate', count = 10}")
    if not circuit.get("enabled", True):  # disabled until the `electronics` technology in this version's data
        reply = lua(crafter, "rcon.print(select(2, pcall(storage.c.begin_crafting, {recipe = 'electronic-circuit', count = 1})))")
        assert "not enabled" in reply
        assert _count(crafter, "iron-plate") == 10
        _enable(crafter, "electronic-circuit", "copper-cable")
    cables_needed = next(i["amount"] for i in circuit["ingredients"] if i["name"] == "copper-cable")
    per_craft = cable["results"][0]["amount"]
    cable_crafts = -(-cables_needed // per_craft)
    assert _value(crafter, "storage.c.begin_crafting{recipe = 'electronic-circuit', count = 1}") == "1"
    queue = lua(crafter, "for _, q in ipairs(storage.c.crafting_queue) do rcon.print(q.index .. ' ' .. q.recipe .. ' ' .. q.count .. ' ' .. tostring(q.prerequisite)) end")
    assert queue.splitlines() == [f"1 copper-cable {cable_crafts} true", "2 electronic-circuit 1 false"]
    start = crafter.tick
    done = cable_crafts * _ticks_per_craft(protos, "copper-cable") + _ticks_per_craft(protos, "electronic-circuit")
    ticks = ticks_of_changes(crafter, lambda: _count(crafter, "electronic-circuit"), changes=1, max_ticks=done + 10)
    assert ticks[0] - start == done, "copper-cable then electronic-circuit energy_required"
    assert _count(crafter, "copper-cable") == cable_crafts * per_craft - cables_needed  # the surplus cable
    assert _count(crafter, "copper-plate") == 10 - cable_crafts


def test_get_craftable_count_counts_intermediates(crafter, protos):
    _enable(crafter, "electronic-circuit", "copper-cable")
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 10} storage.c.insert{name = 'copper-plate', count = 3}")
    # 3 copper plates make 6 cables: two circuits of three cables each.
    assert _value(crafter, "storage.c.get_craftable_count('electronic-circuit')") == "2"
    assert _value(crafter, "storage.c.get_craftable_count('iron-gear-wheel')") == "5"
    assert _value(crafter, "storage.c.get_craftable_count('iron-plate')") == "0"  # smelting


def test_cancel_returns_ingredients_and_starves_what_depends_on_it(crafter, protos):
    _enable(crafter, "electronic-circuit", "copper-cable")
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 10} storage.c.insert{name = 'copper-plate', count = 10}")
    lua(crafter, "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 3}")
    assert _count(crafter, "iron-plate") == 4
    lua(crafter, "storage.c.cancel_crafting{index = 1, count = 2}")
    assert _count(crafter, "iron-plate") == 8
    assert _value(crafter, "storage.c.crafting_queue[1].count") == "1"
    lua(crafter, "storage.c.cancel_crafting{index = 1, count = 1}")
    assert _count(crafter, "iron-plate") == 10 and _value(crafter, "storage.c.crafting_queue") == "nil"
    # Cancelling every cable cancels the circuit that needs it, and all plates come back.
    lua(crafter, "storage.c.begin_crafting{recipe = 'electronic-circuit', count = 2}")
    lua(crafter, "storage.c.cancel_crafting{index = 1, count = 3}")
    assert _value(crafter, "storage.c.crafting_queue") == "nil"
    assert (_count(crafter, "iron-plate"), _count(crafter, "copper-plate")) == (10, 10)
    crafter.run_ticks(200)
    assert _count(crafter, "electronic-circuit") == 0


def test_cancelling_the_craft_in_progress_restarts_the_next(crafter, protos):
    period = _ticks_per_craft(protos, "iron-gear-wheel")
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 10} storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 1}")
    crafter.run_ticks(period - 5)
    lua(crafter, "storage.c.cancel_crafting{index = 1, count = 1}")
    assert _value(crafter, "storage.c.crafting_queue_progress") == "0"
    crafter.run_ticks(period)
    assert _count(crafter, "iron-gear-wheel") == 0 and _count(crafter, "iron-plate") == 10


def test_not_enough_ingredients_queues_what_it_can(crafter):
    assert _value(crafter, "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 2}") == "0"
    lua(crafter, "storage.c.insert{name = 'iron-plate', count = 5}")
    assert _value(crafter, "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 4, silent = true}") == "2"
    assert _count(crafter, "iron-plate") == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("storage.c.begin_crafting{recipe = 'no-such-recipe', count = 1}", "Unknown recipe name: no-such-recipe"),
        ("storage.c.begin_crafting{recipe = 'iron-plate', count = 1}", "can't be crafted by hand"),
        ("storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = -1}", "uint32"),
        ("storage.c.begin_crafting{count = 1}", "value for required field 'recipe' is missing"),
        ("storage.c.cancel_crafting{index = 1, count = 1}", "Invalid crafting queue index"),
        ("storage.c.get_craftable_count('no-such-recipe')", "Unknown recipe name"),
        ("storage.chest.begin_crafting{recipe = 'iron-gear-wheel', count = 1}", "Entity is not a character."),
        ("storage.chest.crafting_queue_size", "Entity is not a character."),
    ],
)
def test_bad_input_gets_an_error_and_changes_nothing(crafter, call, message):
    lua(crafter, "storage.chest = s.create_entity{name = 'wooden-chest', position = {4.5, 4.5}, force = 'player'} "
                 "storage.c.insert{name = 'iron-plate', count = 10}")
    reply = lua(crafter, f"local ok, err = pcall(function() return {call} end) rcon.print(tostring(ok) .. ' ' .. tostring(err))")
    assert reply.startswith("false") and message in reply, reply
    assert _count(crafter, "iron-plate") == 10 and _value(crafter, "storage.c.crafting_queue_size") == "0"


def test_products_that_dont_fit_spill_on_the_ground(crafter, protos):
    size = int(protos.raw["character"]["character"]["inventory_size"])
    lua(crafter, f"storage.c.insert{{name = 'iron-plate', count = 2}} storage.c.insert{{name = 'wood', count = {size * 100}}}")
    lua(crafter, "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 1}")
    lua(crafter, "storage.c.insert{name = 'stone', count = 50}")  # the slot the plates left is taken again
    crafter.run_ticks(_ticks_per_craft(protos, "iron-gear-wheel"))
    surface = crafter.world.surfaces["nauvis"]
    on_ground = [e.stack for e in surface.all_entities() if e.stack is not None and e.stack.name == "iron-gear-wheel"]
    assert [s.count for s in on_ground] == [1]
