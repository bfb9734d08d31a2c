"""LuaSurface from Lua: placing and finding entities, placement checks against water and other entities, tiles."""

from __future__ import annotations

import pytest

from factoryverse.engine.api import _search
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


def _chunks(engine: Engine) -> set[tuple[int, int]]:
    return set(engine.world.surfaces["nauvis"].chunks)


# -- create_entity arguments ----------------------------------------------------------------------------------


def test_create_entity_default_force_is_enemy(engine):
    """Regression: create_entity without `force` put buildings on "player"; the API documents "default is enemy"."""
    reply = sc(
        engine,
        "local c = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}} "
        "local r = s.create_entity{name = 'big-rock', position = {3, 3}} "
        "rcon.print(c.force.name .. ' ' .. r.force.name)",
    )
    assert reply == "enemy enemy"


@pytest.mark.parametrize("direction", ["16", "-1", "1.5", "'north'", "true"])
def test_create_entity_direction_must_be_a_direction_value(engine, direction):
    """Regression: any direction was truncated with int() (1.5 became 1, 'north' raised a Python error)."""
    reply = sc(engine, f"s.create_entity{{name = 'wooden-chest', position = {{0.5, 0.5}}, force = 'player', direction = {direction}}}")
    assert "create_entity: direction must be a defines.direction value (an integer 0 to 15)" in reply
    assert sc(engine, "rcon.print(s.count_entities_filtered{name = 'wooden-chest'})") == "0"


@pytest.mark.parametrize(
    "bad",
    [
        "position = {0/0, 0}, force = 'player'",
        "position = {1/0, 0}, force = 'player'",
        "position = {0.5, 0.5}, force = 'player', direction = 99",
        "position = {0.5, 0.5}, force = 'nobody'",
    ],
)
def test_a_refused_create_entity_uses_no_unit_number(engine, bad):
    """Regression: create_entity{name = 'character', position = {0/0, 0}} took a unit_number before failing, so the
    numbers of later entities skipped one."""
    made = "rcon.print(s.create_entity{name = 'character', position = {%s}, force = 'player'}.unit_number)"
    first = int(sc(engine, made % "2.5, 2.5"))
    assert sc(engine, f"s.create_entity{{name = 'character', {bad}}}").startswith("Cannot execute command")
    assert int(sc(engine, made % "4.5, 4.5")) == first + 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("s.find_entity('wooden-chest', {0/0, 0})", "Invalid MapPosition for find_entity: x and y must be finite numbers"),
        ("s.find_entities_filtered{area = {{0, 0}, {1/0, 1}}}", "x and y must be finite numbers"),
        ("s.find_entities_filtered{position = {0, 0}, radius = 0/0}", "Invalid radius: expected a finite number >= 0"),
        ("s.find_tiles_filtered{position = {0, 0}, radius = -1/0}", "Invalid radius: expected a finite number >= 0"),
        ("s.can_place_entity{name = 'wooden-chest', position = {-1/0, 0}}", "x and y must be finite numbers"),
    ],
)
def test_non_finite_numbers_are_rejected(engine, call, message):
    """Regression: NaN passed every bound check (NaN compares false), so NaN positions and radii were accepted."""
    reply = sc(engine, call)
    assert reply.startswith("Cannot execute command") and message in reply


# -- read-only queries do not generate chunks -----------------------------------------------------------------


def test_get_tile_on_ungenerated_land_is_out_of_map(engine):
    """Regression: get_tile(5000, 5000).name generated that chunk; Factorio reports an out-of-map tile there."""
    before = _chunks(engine)
    assert sc(engine, "rcon.print(s.get_tile(5000, 5000).name .. ' ' .. tostring(s.get_tile(5000, 5000).collides_with('player')))") == "out-of-map true"
    assert _chunks(engine) == before


def test_can_place_entity_on_ungenerated_land_is_false_and_generates_nothing(engine):
    """Regression: can_place_entity generated the chunks under the entity; an out-of-map tile blocks placement."""
    before = _chunks(engine)
    assert sc(engine, "rcon.print(s.can_place_entity{name = 'wooden-chest', position = {5000.5, 5000.5}})") == "false"
    assert _chunks(engine) == before
    # create_entity still makes the land it builds on, as before.
    sc(engine, "s.create_entity{name = 'wooden-chest', position = {5000.5, 5000.5}, force = 'player'}")
    assert (5000 // 32, 5000 // 32) in _chunks(engine)


def test_find_tiles_filtered_searches_generated_chunks_only(engine):
    """Regression: an area over ungenerated land generated every chunk in it (a 512x512 search took seconds);
    find_tiles_filtered now reads generated chunks only and also takes position+radius or no area at all."""
    surface = engine.world.surfaces["nauvis"]
    for x, y in [(-64, -64), (63, 63), (10, 10), (11, 10)]:
        surface.set_tile(x, y, "lab-dark-1")
    before = _chunks(engine)

    def found(filters: str) -> str:
        return sc(engine, "local out = {} for _, t in ipairs(s.find_tiles_filtered{" + filters + "}) do "
                          "out[#out + 1] = t.position.x .. ',' .. t.position.y end rcon.print(table.concat(out, ' '))")

    assert found("area = {{1000, 1000}, {1512, 1512}}") == ""
    assert found("name = 'lab-dark-1'") == "-64,-64 10,10 11,10 63,63"
    assert found("area = {{0, 0}, {2000, 2000}}, name = 'lab-dark-1'") == "10,10 11,10 63,63"
    # Tile centres within the radius: (10.5, 10.5) is 0.5 away, (11.5, 10.5) is 1.5 away.
    assert found("position = {10, 10.5}, radius = 1, name = 'lab-dark-1'") == "10,10"
    assert found("position = {10, 10.5}, radius = 2, name = 'lab-dark-1'") == "10,10 11,10"
    assert sc(engine, "rcon.print(#s.find_tiles_filtered{name = 'lab-dark-1', invert = true, limit = 5})") == "5"
    assert _chunks(engine) == before


# -- find_entities_filtered filters ---------------------------------------------------------------------------


def _count(engine: Engine, filters: str) -> str:
    return sc(engine, f"rcon.print(s.count_entities_filtered{{{filters}}})")


def test_position_has_precedence_over_area(engine):
    """Regression: with both `area` and `position`, the area won; the API documents that position has precedence."""
    sc(engine, "s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'}")
    assert _count(engine, "area = {{-5, -5}, {5, 5}}, position = {1000, 1000}, name = 'wooden-chest'") == "0"
    assert _count(engine, "area = {{100, 100}, {105, 105}}, position = {0.5, 0.5}, name = 'wooden-chest'") == "1"


def test_collision_mask_direction_and_ghost_filters(engine):
    """Regression: collision_mask, direction and ghost_name were ignored, so every entity in the area matched."""
    sc(
        engine,
        "s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'} "
        "s.create_entity{name = 'burner-mining-drill', position = {4, 4}, force = 'player', direction = defines.direction.east} "
        "s.create_entity{name = 'iron-ore', position = {-3.5, -3.5}, amount = 5}",
    )
    area = "area = {{-10, -10}, {10, 10}}"
    assert _count(engine, area) == "3"
    assert _count(engine, area + ", collision_mask = 'resource'") == "1"
    assert _count(engine, area + ", collision_mask = {'resource', 'object'}") == "3"
    assert _count(engine, area + ", collision_mask = 'resource', invert = true") == "2"
    assert _count(engine, area + ", direction = defines.direction.east") == "1"
    assert _count(engine, area + ", direction = {defines.direction.north, defines.direction.east}") == "3"
    assert _count(engine, area + ", ghost_name = 'wooden-chest'") == "0"
    assert _count(engine, area + ", ghost_type = {'container'}") == "0"
    assert _count(engine, area + ", quality = 'normal'") == "3"


@pytest.mark.parametrize(
    "key", ["to_be_upgraded = false", "is_military_target = true", "has_item_inside = 'coal'", "quality = 'rare'"]
)
def test_unimplemented_filters_are_refused_not_ignored(engine, key):
    """Regression: filters the engine cannot honour were silently ignored, so the search answered as without them."""
    reply = sc(engine, f"s.find_entities_filtered{{area = {{{{-5, -5}}, {{5, 5}}}}, {key}}}")
    name = key.split(" ")[0]
    assert f"find_entities_filtered: the '{name}' filter is not implemented by this engine yet" in reply


# -- find_non_colliding_position bounds -----------------------------------------------------------------------


def test_find_non_colliding_position_gives_up_after_a_bounded_search(engine, monkeypatch):
    """Regression: a fine precision over a blocked area checked millions of spots (minutes on the game thread);
    the search now stops after MAX_PLACEMENT_CHECKS and says what to change."""
    assert _search.MAX_PLACEMENT_CHECKS == 20_000
    monkeypatch.setattr(_search, "MAX_PLACEMENT_CHECKS", 2_000)  # the same path, a tenth of the work
    sc(engine, "for x = -6, 6 do for y = -6, 6 do s.create_entity{name = 'wooden-chest', position = {x + 0.5, y + 0.5}, force = 'player'} end end")
    reply = sc(engine, "s.find_non_colliding_position('character', {0.5, 0.5}, 4, 0.01)")
    assert "find_non_colliding_position: searched 2000 positions for 'character'" in reply
    assert "use a larger precision or smaller radius" in reply
    # A grid-snapped entity visits each spot once, so a fine precision still finds room.
    reply = sc(engine, "local p = s.find_non_colliding_position('stone-furnace', {0.5, 0.5}, 10, 0.01) "
                       "rcon.print(tostring(s.can_place_entity{name = 'stone-furnace', position = p}))")
    assert reply == "true"


def test_find_non_colliding_position_radius_zero_searches_generated_land(engine):
    """Regression: radius 0 (unbounded in Factorio) searched a fixed 100 tiles, generating chunks as it went."""
    before = _chunks(engine)
    reply = sc(engine, "local p = s.find_non_colliding_position('wooden-chest', {200.5, 0.5}, 0, 1) "
                       "rcon.print(p.x .. ' ' .. tostring(s.can_place_entity{name = 'wooden-chest', position = p}))")
    x, ok = reply.split()
    # The nearest generated land is the starting area, which ends at x = 64.
    assert float(x) < 64 and ok == "true"
    assert _chunks(engine) == before
