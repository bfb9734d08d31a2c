"""LuaSurface.set_tiles: tiles by name and position, entities in the way of the new tile's collision mask removed,
kept, or the whole call aborted, as `remove_colliding_entities` says; bad input refused with nothing changed."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine

from ._lua_print import fails, run

S = "local s = game.surfaces[1] "


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def _tile(engine: Engine, x: int, y: int) -> str:
    return run(engine, S + f"p(s.get_tile({x}, {y}).name)")


def test_sets_tiles_at_floored_positions(engine):
    run(engine, S + "s.set_tiles({{name = 'lab-dark-1', position = {x = 3.7, y = -2.2}}, {name = 'lab-white', position = {4, -3}}})")
    assert _tile(engine, 3, -3) == "lab-dark-1"
    assert _tile(engine, 4, -3) == "lab-white"


def test_colliding_entities_removed_by_default(engine):
    run(engine, S + "storage.c = s.create_entity{name = 'wooden-chest', position = {3.5, 3.5}, force = 'player'} "
        "s.set_tiles({{name = 'water', position = {3, 3}}})")
    assert _tile(engine, 3, 3) == "water"
    assert run(engine, "p(storage.c.valid)") == "false"


def test_colliding_entities_kept_when_asked(engine):
    run(engine, S + "storage.c = s.create_entity{name = 'wooden-chest', position = {3.5, 3.5}, force = 'player'} "
        "s.set_tiles({{name = 'water', position = {3, 3}}}, true, false)")
    assert _tile(engine, 3, 3) == "water"
    assert run(engine, "p(storage.c.valid)") == "true"


def test_abort_on_collision_changes_nothing(engine):
    before = _tile(engine, 4, 3)
    run(engine, S + "storage.c = s.create_entity{name = 'wooden-chest', position = {3.5, 3.5}, force = 'player'} "
        "s.set_tiles({{name = 'water', position = {4, 3}}, {name = 'water', position = {3, 3}}}, true, 'abort_on_collision')")
    assert _tile(engine, 4, 3) == before
    assert run(engine, "p(storage.c.valid)") == "true"


def test_a_ground_tile_does_not_remove_buildings(engine):
    run(engine, S + "storage.c = s.create_entity{name = 'wooden-chest', position = {3.5, 3.5}, force = 'player'} "
        "s.set_tiles({{name = 'lab-dark-1', position = {3, 3}}})")
    assert _tile(engine, 3, 3) == "lab-dark-1"
    assert run(engine, "p(storage.c.valid)") == "true"


def test_raise_event(engine):
    run(engine, "storage.seen = {} script.on_event(defines.events.script_raised_set_tiles, function(e) "
        "storage.seen[#storage.seen + 1] = e.surface_index .. ':' .. e.tiles[1].name .. '@' .. e.tiles[1].position.x end)")
    run(engine, S + "s.set_tiles({{name = 'lab-dark-1', position = {7, 1}}}, true, true, true, true) "
        "s.set_tiles({{name = 'lab-dark-2', position = {8, 1}}})")
    assert run(engine, "p(table.concat(storage.seen, ','))") == "1:lab-dark-1@7"


@pytest.mark.parametrize(("call", "message"), [
    ("s.set_tiles({{name = 'no-such-tile', position = {0, 0}}, {name = 'water', position = {1, 1}}})", "Unknown tile name: no-such-tile"),
    ("s.set_tiles({{name = 'water', position = {1, 1}}, {name = 'water'}})", "value for required field 'position' is missing"),
    ("s.set_tiles({{position = {1, 1}}})", "value for required field 'name' is missing"),
    ("s.set_tiles({}, true, 'sometimes')", "remove_colliding_entities"),
    ("s.set_tiles({{name = 'water', position = {1, 1}}}, true, true, true, false, 'someone')", "no players"),
])
def test_bad_input_changes_nothing(engine, call, message):
    before = _tile(engine, 1, 1)
    assert message in fails(engine, S + call)
    assert _tile(engine, 1, 1) == before
