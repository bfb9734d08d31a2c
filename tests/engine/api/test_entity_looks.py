"""LuaEntity.color, name_tag, orientation and selection_box; LuaForce.get_spawn_position and set_spawn_position.

Prototype fields checked: `inserter.selection_box`, `boiler.selection_box`, `locomotive.color`, `train-stop.color`.
"""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import load_prototypes
from factoryverse.engine.state_hash import state_hash
from tests.engine.mechanics.conftest import clear_land


@pytest.fixture
def protos():
    return load_prototypes()


@pytest.fixture
def engine():
    game = Engine(seed=1, mods=[], starting_chunks=1)
    clear_land(game, -20, -20, 20, 20)
    return game


# P prints its arguments separated by spaces (rcon.print takes one).
_PRELUDE = ("/sc local s = game.surfaces.nauvis local function P(...) local t = {...} "
            "for i = 1, select('#', ...) do t[i] = tostring(t[i]) end rcon.print(table.concat(t, ' ')) end ")


def run(engine: Engine, code: str) -> str:
    return engine.execute_command(_PRELUDE + code)


def ok(engine: Engine, code: str) -> str:
    reply = run(engine, code)
    assert not reply.startswith("Cannot execute command"), reply
    return reply


def _box(reply: str) -> list[float]:
    return [float(v) for v in reply.split()]


BOX = "local b = e.selection_box P(b.left_top.x, b.left_top.y, b.right_bottom.x, b.right_bottom.y)"


# -- selection_box -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("direction", [0, 4, 8, 12])
def test_selection_box_is_the_prototypes_turned_and_placed(engine, protos, direction):
    (l, t), (r, b) = protos.raw["inserter"]["inserter"]["selection_box"]
    # A quarter turn clockwise takes (x, y) to (-y, x).
    turned = {0: (l, t, r, b), 4: (-b, l, -t, r), 8: (-r, -b, -l, -t), 12: (t, -r, b, -l)}[direction]
    got = _box(ok(engine, f"local e = s.create_entity{{name = 'inserter', position = {{2.5, 3.5}}, direction = {direction}}} "
                          + BOX))
    assert got == pytest.approx([2.5 + turned[0], 3.5 + turned[1], 2.5 + turned[2], 3.5 + turned[3]])


def test_selection_box_of_a_two_by_three_entity_follows_its_direction(engine, protos):
    (l, t), (r, b) = protos.raw["boiler"]["boiler"]["selection_box"]
    got = _box(ok(engine, "local e = s.create_entity{name = 'boiler', position = {0, 0.5}, direction = defines.direction.east} "
                          + BOX))
    ex, ey = (float(v) for v in ok(engine, "local e = s.find_entities_filtered{name = 'boiler'}[1] "
                                           "P(e.position.x, e.position.y)").split())
    assert got == pytest.approx([ex - b, ey + l, ex - t, ey + r])


# -- orientation -------------------------------------------------------------------------------------------------


def test_orientation_of_an_entity_is_its_direction_as_a_fraction_of_a_turn(engine):
    reply = ok(engine, "local out = {} for _, d in pairs({0, 4, 8, 12}) do "
                       "local e = s.create_entity{name = 'inserter', position = {d + 0.5, 0.5}, direction = d} "
                       "out[#out + 1] = e.orientation end P(table.concat(out, ' '))")
    assert [float(v) for v in reply.split()] == [0, 0.25, 0.5, 0.75]


def test_a_vehicles_orientation_is_smooth_and_wraps_to_one_turn(engine):
    assert ok(engine, "storage.car = s.create_entity{name = 'car', position = {0, 0}, force = 'player'} "
                      "storage.car.orientation = 0.3 P(storage.car.orientation)") == "0.3"
    assert ok(engine, "storage.car.orientation = 1.25 P(storage.car.orientation)") == "0.25"


def test_orientation_cannot_be_written_on_a_non_vehicle_nor_to_a_non_number(engine):
    reply = run(engine, "local e = s.create_entity{name = 'inserter', position = {0.5, 0.5}} e.orientation = 0.25")
    assert "is not a vehicle" in reply
    assert ok(engine, "P(s.find_entities_filtered{name = 'inserter'}[1].orientation)") == "0"
    reply = run(engine, "local e = s.create_entity{name = 'car', position = {4, 4}} e.orientation = 'north'")
    assert "Invalid RealOrientation" in reply


# -- color -------------------------------------------------------------------------------------------------------


def test_color_reads_the_prototypes_and_takes_a_scripts(engine, protos):
    c = protos.raw["locomotive"]["locomotive"]["color"]
    reply = ok(engine, "storage.l = s.create_entity{name = 'locomotive', position = {0, 0}, force = 'player'} "
                       "local c = storage.l.color P(c.r, c.g, c.b, c.a)")
    assert [float(v) for v in reply.split()] == pytest.approx([c["r"], c["g"], c["b"], c.get("a", 1)])
    # 0-255 values are scaled as the game does; a missing alpha is opaque.
    reply = ok(engine, "storage.l.color = {255, 0, 51} local c = storage.l.color P(c.r, c.g, c.b, c.a)")
    assert [float(v) for v in reply.split()] == pytest.approx([1, 0, 0.2, 1])
    reply = ok(engine, "storage.l.color = {r = 0.5, g = 0.25} local c = storage.l.color P(c.r, c.g, c.b, c.a)")
    assert [float(v) for v in reply.split()] == pytest.approx([0.5, 0.25, 0, 1])
    # nil gives the prototype's back.
    reply = ok(engine, "storage.l.color = nil local c = storage.l.color P(c.r)")
    assert float(reply) == pytest.approx(c["r"])


def test_color_is_nil_where_the_entity_has_none_and_cannot_be_set_there(engine):
    assert ok(engine, "storage.c = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}} "
                      "P(storage.c.color == nil)") == "true"
    reply = run(engine, "storage.c.color = {1, 0, 0}")
    assert "has no color that can be set" in reply
    assert ok(engine, "P(storage.c.color == nil)") == "true"
    assert ok(engine, "storage.ch = s.create_entity{name = 'character', position = {4, 4}, force = 'player'} "
                      "P(storage.ch.color == nil)") == "true"
    reply = run(engine, "storage.ch.color = 'red'")
    assert "Invalid Color" in reply
    assert ok(engine, "storage.ch.color = {0, 1, 0} P(storage.ch.color.g)") == "1"


# -- name_tag ----------------------------------------------------------------------------------------------------


def test_name_tag_is_nil_until_set_and_takes_only_strings(engine):
    assert ok(engine, "storage.e = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}} "
                      "P(storage.e.name_tag == nil)") == "true"
    assert ok(engine, "storage.e.name_tag = 'depot' P(storage.e.name_tag)") == "depot"
    assert "Invalid name_tag" in run(engine, "storage.e.name_tag = {}")
    assert ok(engine, "P(storage.e.name_tag)") == "depot"
    assert ok(engine, "storage.e.name_tag = nil P(storage.e.name_tag == nil)") == "true"


# -- LuaForce spawn position ---------------------------------------------------------------------------------------


def test_spawn_position_is_the_origin_until_set_per_surface(engine):
    f = "local f = game.forces.player "
    assert ok(engine, f + "local p = f.get_spawn_position('nauvis') P(p.x, p.y)") == "0 0"
    ok(engine, f + "f.set_spawn_position({x = 12.5, y = -3}, s)")
    assert ok(engine, f + "local p = f.get_spawn_position(1) P(p.x, p.y)") == "12.5 -3"
    assert ok(engine, "local p = game.forces.enemy.get_spawn_position(s) P(p.x, p.y)") == "0 0"


def test_spawn_position_rejects_a_bad_position_or_surface_and_keeps_the_old_one(engine):
    f = "local f = game.forces.player "
    ok(engine, f + "f.set_spawn_position({1, 2}, s)")
    assert "Invalid MapPosition" in run(engine, f + "f.set_spawn_position({x = 'a'}, s)")
    assert "Unknown surface" in run(engine, f + "f.set_spawn_position({5, 5}, 'nowhere')")
    assert "Unknown surface" in run(engine, f + "f.get_spawn_position('nowhere')")
    assert ok(engine, f + "local p = f.get_spawn_position(s) P(p.x, p.y)") == "1 2"


# -- saved with the game -----------------------------------------------------------------------------------------


def test_looks_and_spawn_positions_survive_save_load_and_fork(engine, tmp_path):
    ok(engine, "storage.l = s.create_entity{name = 'locomotive', position = {0, 0}, force = 'player'} "
               "storage.l.color = {0.1, 0.2, 0.3} storage.l.name_tag = 'blue' "
               "storage.car = s.create_entity{name = 'car', position = {8, 8}, force = 'player'} storage.car.orientation = 0.4 "
               "game.forces.player.set_spawn_position({7, 8}, s)")
    read = ("local c = storage.l.color P(c.r, c.g, c.b, storage.l.name_tag, storage.car.orientation, "
            "game.forces.player.get_spawn_position(s).x)")
    want = ok(engine, read)
    assert want == "0.1 0.2 0.3 blue 0.4 7"
    loaded = Engine.load(engine.save(tmp_path, "looks"), mods=[])
    forked = engine.fork()
    assert state_hash(loaded) == state_hash(engine) == state_hash(forked)
    for other in (loaded, forked):
        assert ok(other, read) == want
    # A change shows in the hash.
    before = state_hash(engine)
    ok(engine, "storage.l.name_tag = 'red'")
    assert state_hash(engine) != before
