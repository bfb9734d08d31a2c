"""LuaSurface from Lua: placing and finding entities, placement checks against water and other entities, tiles."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.world.geometry import BBox


def clear_land(engine: Engine, x0: int, y0: int, x1: int, y1: int) -> None:
    """Dry grass and no entities on [x0, x1) x [y0, y1), so each test places only what it checks."""
    world = engine.world
    surface = world.surfaces["nauvis"]
    for y in range(y0, y1):
        for x in range(x0, x1):
            surface.set_tile(x, y, "grass-1")
    area = BBox(x0, y0, x1, y1)
    for e in list(surface.entities_near(area)):
        if e.bbox().overlaps(area) or area.contains(e.x, e.y):
            world.destroy_entity(e)


@pytest.fixture
def engine() -> Engine:
    e = Engine(seed=1, mods=[], starting_chunks=2)
    clear_land(e, -10, -10, 10, 10)
    return e


def sc(engine: Engine, code: str) -> str:
    return engine.execute_command("/sc local s = game.surfaces.nauvis " + code)


def test_create_entity_returns_a_placed_entity(engine):
    reply = sc(
        engine,
        "local e = s.create_entity{name = 'stone-furnace', position = {2.3, 3.7}, force = 'player'} "
        "rcon.print(e.name .. ' ' .. e.type .. ' ' .. e.position.x .. ',' .. e.position.y .. ' ' .. e.force.name "
        ".. ' ' .. tostring(e.unit_number ~= nil) .. ' ' .. e.surface.name)",
    )
    # A 2x2 building snaps to the tile corners nearest the asked position.
    assert reply == "stone-furnace furnace 2,4 player true nauvis"


def test_create_entity_resource_amount_and_neutral_force(engine):
    reply = sc(
        engine,
        "local e = s.create_entity{name = 'iron-ore', position = {1, 1}, amount = 50} "
        "rcon.print(e.amount .. ' ' .. e.force.name .. ' ' .. tostring(e.unit_number))",
    )
    assert reply == "50 neutral nil"


def test_create_entity_unknown_name(engine):
    assert "Unknown entity name: not-a-thing" in sc(engine, "s.create_entity{name = 'not-a-thing', position = {0, 0}}")


def test_create_entity_raise_built(engine):
    sc(engine, "script.on_event(defines.events.script_raised_built, function(e) storage.built = e.entity.name end)")
    sc(engine, "s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player', raise_built = true}")
    assert sc(engine, "rcon.print(storage.built)") == "wooden-chest"


def test_can_place_entity_on_free_land(engine):
    assert sc(engine, "rcon.print(s.can_place_entity{name = 'stone-furnace', position = {0, 0}})") == "true"


def test_can_place_entity_over_another_entity_is_false(engine):
    sc(engine, "s.create_entity{name = 'stone-furnace', position = {0, 0}, force = 'player'}")
    assert sc(engine, "rcon.print(s.can_place_entity{name = 'stone-furnace', position = {1, 1}})") == "false"
    assert sc(engine, "rcon.print(s.can_place_entity{name = 'wooden-chest', position = {-0.5, -0.5}})") == "false"
    # Right next to it (edges touching) is free.
    assert sc(engine, "rcon.print(s.can_place_entity{name = 'stone-furnace', position = {2, 0}})") == "true"


def test_can_place_entity_on_water_is_false(engine):
    reply = sc(
        engine,
        "local t = s.find_tiles_filtered{area = {{-64, -64}, {64, 64}}, name = 'water', limit = 1}[1] "
        "rcon.print(t.name .. ' ' .. tostring(s.can_place_entity{name = 'wooden-chest', "
        "position = {t.position.x + 0.5, t.position.y + 0.5}}))",
    )
    assert reply == "water false"


def test_can_place_a_drill_on_ore(engine):
    sc(engine, "for x = -1, 0 do for y = -1, 0 do s.create_entity{name = 'iron-ore', position = {x + 0.5, y + 0.5}, amount = 10} end end")
    assert sc(engine, "rcon.print(s.can_place_entity{name = 'burner-mining-drill', position = {0, 0}})") == "true"


def test_find_entities_filtered(engine):
    sc(
        engine,
        "s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'} "
        "s.create_entity{name = 'wooden-chest', position = {3.5, 0.5}, force = 'enemy'} "
        "s.create_entity{name = 'stone-furnace', position = {0, 4}, force = 'player'}",
    )
    area = "area = {{-5, -5}, {5, 5}}"

    def count(filters: str) -> int:
        return int(sc(engine, f"rcon.print(#s.find_entities_filtered{{{area}, {filters}}})"))

    assert count("name = 'wooden-chest'") == 2
    assert count("type = 'furnace'") == 1
    assert count("force = 'player'") == 2
    assert count("name = {'wooden-chest', 'stone-furnace'}") == 3
    assert count("name = 'wooden-chest', force = 'enemy'") == 1
    assert count("name = 'wooden-chest', invert = true") == 1
    assert count("name = 'wooden-chest', limit = 1") == 1
    near = sc(engine, "rcon.print(#s.find_entities_filtered{position = {0.5, 0.5}, radius = 1})")
    assert near == "1"
    assert sc(engine, f"rcon.print(s.count_entities_filtered{{{area}}})") == "3"


def test_find_entity_by_name_and_position(engine):
    sc(engine, "storage.c = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'}")
    assert sc(engine, "rcon.print(s.find_entity('wooden-chest', {0.5, 0.5}) == storage.c)") == "true"
    assert sc(engine, "rcon.print(s.find_entity('wooden-chest', {4.5, 4.5}))") == "nil"


def test_get_tile_and_find_tiles(engine):
    engine.world.surfaces["nauvis"].set_tile(3, -2, "water")
    assert sc(engine, "rcon.print(s.get_tile(3, -2).name .. ' ' .. s.get_tile({3.9, -1.1}).name)") == "water water"
    reply = sc(engine, "local t = s.find_tiles_filtered{area = {{0, -5}, {5, 0}}, name = 'water'} rcon.print(#t .. ' ' .. t[1].position.x .. ',' .. t[1].position.y)")
    assert reply == "1 3,-2"
    assert sc(engine, "rcon.print(s.get_tile(3, -2).collides_with('water_tile'))") == "true"


def test_find_non_colliding_position_avoids_entities(engine):
    sc(engine, "s.create_entity{name = 'stone-furnace', position = {0, 0}, force = 'player'}")
    reply = sc(
        engine,
        "local p = s.find_non_colliding_position('wooden-chest', {0.5, 0.5}, 5, 0.5) "
        "rcon.print(tostring(s.can_place_entity{name = 'wooden-chest', position = p}) .. ' ' .. "
        "tostring(math.abs(p.x - 0.5) <= 5 and math.abs(p.y - 0.5) <= 5))",
    )
    assert reply == "true true"


def test_surfaces_by_name_and_index(engine):
    assert sc(engine, "rcon.print(game.surfaces[1].name .. ' ' .. game.get_surface('nauvis').index .. ' ' .. tostring(game.get_surface('moon')))") == "nauvis 1 nil"


def test_get_chunks_iterates_generated_chunks(engine):
    assert sc(engine, "local n = 0 for c in s.get_chunks() do n = n + 1 end rcon.print(n)") == "16"


def test_create_item_on_ground_holds_its_stack(engine):
    # Regression: the `stack` parameter was ignored, so the item on the ground held nothing.
    reply = sc(
        engine,
        "local item = s.create_entity{name = 'item-on-ground', position = {1.5, 1.5}, stack = {name = 'iron-plate', count = 5}} "
        "local c = s.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'} "
        "rcon.print(item.type .. ' ' .. tostring(item.mine{inventory = c.get_main_inventory()}) .. ' ' .. c.get_item_count('iron-plate'))",
    )
    assert reply == "item-entity true 5"
    assert "needs a 'stack'" in sc(engine, "s.create_entity{name = 'item-on-ground', position = {2.5, 2.5}}")
    assert "invalid stack" in sc(engine, "s.create_entity{name = 'item-on-ground', position = {2.5, 2.5}, stack = 'unobtainium'}")
