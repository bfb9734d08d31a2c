"""LuaEntity from Lua: mining resources and buildings, inventories, moving, rotating and destroying."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import PrototypeData, load_prototypes

from .test_surface_api import clear_land


@pytest.fixture(scope="module")
def protos() -> PrototypeData:
    return load_prototypes()


def character_engine() -> Engine:
    """A one-chunk map without mods, cleared around the origin, with a character in `storage.c`."""
    e = Engine(seed=1, mods=[], starting_chunks=1)
    clear_land(e, -10, -10, 10, 10)
    e.execute_command(
        "/sc storage.c = game.surfaces.nauvis.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'}"
    )
    return e


@pytest.fixture
def engine() -> Engine:
    return character_engine()


def sc(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s, c = game.surfaces.nauvis, storage.c " + code)
    return reply


def test_mine_a_resource_gives_one_unit_and_decrements_amount(engine, protos):
    result = protos.raw["resource"]["iron-ore"]["minable"]
    reply = sc(
        engine,
        "local ore = s.create_entity{name = 'iron-ore', position = {2.5, 0.5}, amount = 10} "
        "local ok = ore.mine{inventory = c.get_main_inventory()} "
        "rcon.print(tostring(ok) .. ' ' .. ore.amount .. ' ' .. c.get_item_count('iron-ore'))",
    )
    assert reply == f"true 9 {result.get('count', 1)}", "iron-ore.minable.result"


def test_mine_a_placed_entity_returns_its_item(engine):
    reply = sc(
        engine,
        "local f = s.create_entity{name = 'stone-furnace', position = {3, 3}, force = 'player'} "
        "f.insert{name = 'coal', count = 4} f.insert{name = 'iron-ore', count = 2} "
        "local ok = f.mine{inventory = c.get_main_inventory()} "
        "rcon.print(tostring(ok) .. ' ' .. tostring(f.valid) .. ' ' .. c.get_item_count('stone-furnace') .. ' ' "
        ".. c.get_item_count('coal') .. ' ' .. c.get_item_count('iron-ore'))",
    )
    # The building comes back as its item (stone-furnace.minable.result), with what it held.
    assert reply == "true false 1 4 2"


def test_mine_the_last_unit_removes_the_resource_and_raises_on_resource_depleted(engine):
    sc(
        engine,
        "storage.depleted = {} "
        "script.on_event(defines.events.on_resource_depleted, function(e) "
        "storage.depleted[#storage.depleted + 1] = e.entity.name .. '@' .. e.entity.position.x .. ',' .. e.entity.position.y end)",
    )
    reply = sc(
        engine,
        "local ore = s.create_entity{name = 'stone', position = {2.5, 2.5}, amount = 1} "
        "ore.mine{inventory = c.get_main_inventory()} "
        "rcon.print(tostring(ore.valid) .. ' ' .. s.count_entities_filtered{position = {2.5, 2.5}, type = 'resource'} "
        ".. ' ' .. c.get_item_count('stone'))",
    )
    assert reply == "false 0 1"
    assert sc(engine, "rcon.print(table.concat(storage.depleted, ';'))") == "stone@2.5,2.5"


def test_mine_into_a_full_inventory_fails_without_force(engine, protos):
    size = int(protos.raw["character"]["character"]["inventory_size"])
    stack = int(protos.items["wooden-chest"]["stack_size"])
    reply = sc(
        engine,
        f"c.get_main_inventory().insert{{name = 'wooden-chest', count = {size * stack}}} "
        "local ore = s.create_entity{name = 'iron-ore', position = {2.5, 0.5}, amount = 10} "
        "rcon.print(tostring(ore.mine{inventory = c.get_main_inventory()}) .. ' ' .. ore.amount)",
    )
    assert reply == "false 10"


def test_insert_remove_and_count(engine):
    reply = sc(
        engine,
        "local a = c.insert{name = 'iron-plate', count = 150} "
        "local r = c.remove_item{name = 'iron-plate', count = 40} "
        "rcon.print(a .. ' ' .. r .. ' ' .. c.get_item_count('iron-plate') .. ' ' .. c.get_item_count() .. ' ' .. "
        "tostring(c.can_insert{name = 'coal', count = 1}))",
    )
    assert reply == "150 40 110 110 true"
    assert "Unknown item name: unobtainium" in sc(engine, "c.insert{name = 'unobtainium', count = 1}")


def test_get_inventory_by_define(engine):
    reply = sc(
        engine,
        "local chest = s.create_entity{name = 'wooden-chest', position = {4.5, 4.5}, force = 'player'} "
        "chest.insert{name = 'coal', count = 7} "
        "local inv = chest.get_inventory(defines.inventory.chest) "
        "rcon.print(#c.get_main_inventory() .. ' ' .. inv.get_item_count('coal') .. ' ' .. tostring(inv.index == defines.inventory.chest) "
        ".. ' ' .. tostring(inv.entity_owner == chest) .. ' ' .. tostring(chest.get_inventory(defines.inventory.fuel)))",
    )
    assert reply.split()[1:] == ["7", "true", "true", "nil"]


def test_inventory_length_is_its_slot_count(engine, protos):
    size = protos.raw["character"]["character"]["inventory_size"]
    assert sc(engine, "rcon.print(#c.get_main_inventory())") == str(size), "character.inventory_size"
    reply = sc(engine, "local inv = c.get_main_inventory() c.destroy() local ok, err = pcall(function() return #inv end) rcon.print(err)")
    assert "LuaInventory API call when LuaInventory was invalid." in reply


def test_teleport_and_position(engine):
    assert sc(engine, "c.teleport({7.25, -3.5}) rcon.print(c.position.x .. ',' .. c.position.y)") == "7.25,-3.5"
    assert sc(engine, "c.teleport(1, 1) rcon.print(c.position.x .. ',' .. c.position.y)") == "8.25,-2.5"


def test_direction_rotates_the_collision_box(engine):
    reply = sc(
        engine,
        "local d = s.create_entity{name = 'burner-mining-drill', position = {0, 4}, force = 'player'} "
        "d.direction = defines.direction.east "
        "rcon.print(d.direction .. ' ' .. tostring(d.direction == defines.direction.east))",
    )
    assert reply == "4 true"
    assert "Invalid direction" in sc(engine, "local d = s.create_entity{name = 'wooden-chest', position = {5.5, 5.5}} d.direction = 99")


def test_destroy_invalidates_and_raises_on_request(engine):
    sc(engine, "script.on_event(defines.events.script_raised_destroy, function(e) storage.gone = e.entity.name end)")
    reply = sc(
        engine,
        "local e = s.create_entity{name = 'wooden-chest', position = {5.5, 5.5}, force = 'player'} "
        "local ok = e.destroy{raise_destroy = true} rcon.print(tostring(ok) .. ' ' .. tostring(e.valid) .. ' ' .. storage.gone)",
    )
    assert reply == "true false wooden-chest"


def test_unit_numbers_are_unique_and_prototype_is_reachable(engine, protos):
    reply = sc(
        engine,
        "local a = s.create_entity{name = 'wooden-chest', position = {5.5, 5.5}, force = 'player'} "
        "local b = s.create_entity{name = 'wooden-chest', position = {6.5, 5.5}, force = 'player'} "
        "rcon.print(tostring(a.unit_number ~= b.unit_number) .. ' ' .. a.prototype.name .. ' ' .. "
        "tostring(game.get_entity_by_unit_number(b.unit_number) == b) .. ' ' .. a.health)",
    )
    assert reply == f"true wooden-chest true {protos.entities['wooden-chest']['max_health']}"


def test_character_reach_from_prototype(engine, protos):
    char = protos.raw["character"]["character"]
    reply = sc(engine, "rcon.print(c.reach_distance .. ' ' .. c.build_distance .. ' ' .. c.resource_reach_distance)")
    assert [float(v) for v in reply.split()] == [
        float(char["reach_distance"]),
        float(char["build_distance"]),
        float(char["reach_resource_distance"]),
    ], "character.reach_distance, build_distance, reach_resource_distance"


def test_amount_on_a_non_resource_is_an_error(engine):
    assert "Entity is not resource." in sc(engine, "rcon.print(c.amount)")


def test_mine_without_force_fails_when_products_and_contents_do_not_all_fit(engine, protos):
    """Regression: mine{force = false} checked only the chest's own item against the target inventory and then
    spilled its contents on the ground; the game refuses the whole operation when everything doesn't fit."""
    size = int(protos.raw["character"]["character"]["inventory_size"])
    stone = int(protos.items["stone"]["stack_size"])
    plate = int(protos.items["iron-plate"]["stack_size"])
    # Two free slots: the chest item fits, its two stacks of plates need two more.
    reply = sc(
        engine,
        f"local inv = c.get_main_inventory() inv.insert{{name = 'stone', count = {(size - 2) * stone}}} "
        "local chest = s.create_entity{name = 'wooden-chest', position = {2.5, 0.5}, force = 'player'} "
        f"chest.insert{{name = 'iron-plate', count = {2 * plate}}} "
        "local ok = chest.mine{inventory = inv, force = false} "
        "rcon.print(tostring(ok) .. ' ' .. tostring(chest.valid) .. ' ' .. chest.get_item_count('iron-plate') .. ' ' "
        ".. inv.get_item_count('iron-plate') .. ' ' .. inv.get_item_count('wooden-chest') .. ' ' "
        ".. s.count_entities_filtered{name = 'item-on-ground'})",
    )
    assert reply == f"false true {2 * plate} 0 0 0"


def test_mine_without_force_succeeds_when_everything_fits_exactly(engine, protos):
    size = int(protos.raw["character"]["character"]["inventory_size"])
    stone = int(protos.items["stone"]["stack_size"])
    plate = int(protos.items["iron-plate"]["stack_size"])
    reply = sc(
        engine,
        f"local inv = c.get_main_inventory() inv.insert{{name = 'stone', count = {(size - 3) * stone}}} "
        "local chest = s.create_entity{name = 'wooden-chest', position = {2.5, 0.5}, force = 'player'} "
        f"chest.insert{{name = 'iron-plate', count = {2 * plate}}} "
        "local ok = chest.mine{inventory = inv} "
        "rcon.print(tostring(ok) .. ' ' .. tostring(chest.valid) .. ' ' .. inv.get_item_count('iron-plate') .. ' ' "
        ".. inv.get_item_count('wooden-chest') .. ' ' .. tostring(inv.is_empty()))",
    )
    assert reply == f"true false {2 * plate} 1 false"


def test_mine_with_force_spills_what_does_not_fit(engine, protos):
    size = int(protos.raw["character"]["character"]["inventory_size"])
    stone = int(protos.items["stone"]["stack_size"])
    plate = int(protos.items["iron-plate"]["stack_size"])
    reply = sc(
        engine,
        f"local inv = c.get_main_inventory() inv.insert{{name = 'stone', count = {(size - 1) * stone}}} "
        "local chest = s.create_entity{name = 'wooden-chest', position = {2.5, 0.5}, force = 'player'} "
        f"chest.insert{{name = 'iron-plate', count = {2 * plate}}} "
        "local ok = chest.mine{inventory = inv, force = true} "
        "rcon.print(tostring(ok) .. ' ' .. tostring(chest.valid) .. ' ' .. inv.get_item_count('wooden-chest') .. ' ' "
        ".. s.count_entities_filtered{name = 'item-on-ground'})",
    )
    # The chest takes the last slot; both stacks of plates land on the ground.
    assert reply == "true false 1 2"


def test_teleport_snaps_grid_entities_and_takes_the_documented_forms(engine):
    """Regression: teleport left a chest at {60.3, 60.3}, off the tile grid (the game snaps it unless
    snap_to_grid = false), and the one-number form teleport(4) was rejected."""
    where = "rcon.print(e.position.x .. ',' .. e.position.y)"
    make = "local e = s.create_entity{name = 'wooden-chest', position = {5.5, 5.5}, force = 'player'} "
    assert sc(engine, make + "e.teleport({8.3, 6.9}) " + where) == "8.5,6.5"
    assert sc(engine, make + "e.teleport({x = 8.3, y = 6.9}, nil, false, false) " + where) == "8.3,6.9"
    assert sc(engine, make + "e.teleport(2) " + where) == "7.5,5.5"
    furnace = "local e = s.create_entity{name = 'stone-furnace', position = {-5, -5}, force = 'player'} "
    assert sc(engine, furnace + "e.teleport({-7.6, -2.2}) " + where) == "-8,-2"
    # Characters are placed anywhere, as before.
    assert sc(engine, "c.teleport(4) rcon.print(c.position.x .. ',' .. c.position.y)") == "4.5,0.5"
    assert sc(engine, "c.teleport({1.3, 2.7}) rcon.print(c.position.x .. ',' .. c.position.y)") == "1.3,2.7"


def test_teleport_raises_script_raised_teleported_on_request(engine):
    sc(
        engine,
        "script.on_event(defines.events.script_raised_teleported, function(e) "
        "storage.tp = e.entity.name .. ' ' .. e.old_surface_index .. ' ' .. e.old_position.x .. ',' .. e.old_position.y end)",
    )
    assert sc(engine, "c.teleport({3.5, 0.5}) rcon.print(tostring(storage.tp))") == "nil"
    assert sc(engine, "c.teleport({5.5, 0.5}, nil, true) rcon.print(tostring(storage.tp))") == "character 1 3.5,0.5"


def test_teleport_to_another_surface_is_a_clear_error(engine):
    from factoryverse.engine.world.mapgen import MapGenerator
    from factoryverse.engine.world.surface import Surface

    engine.world.surfaces["other"] = Surface("other", 2, MapGenerator(2), engine.prototypes.tiles, engine.world.oids)
    assert sc(engine, "rcon.print(tostring(c.teleport({2.5, 0.5}, 'nauvis')))") == "true"
    reply = sc(engine, "c.teleport({1.5, 0.5}, 'other')")
    assert "teleport to another surface is not supported by this engine yet" in reply
    assert sc(engine, "rcon.print(c.position.x .. ' ' .. c.surface.name)") == "2.5 nauvis"

