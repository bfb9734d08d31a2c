"""`rendering` and LuaRenderObject: objects are game state (read, changed, destroyed, expiring at their
time_to_live, saved, forked and hashed); nothing is drawn on a headless server."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash

from ..lua.modkit import write_mod


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def sc(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + code)
    assert not reply.startswith("Cannot execute command"), reply
    return reply


DRAWS = {
    "text": "text = 'hi', target = {1, 2}, color = {1, 0, 0}",
    "line": "color = {0, 1, 0}, width = 2, from = {0, 0}, to = {3, 4}",
    "circle": "color = {0, 0, 1}, radius = 2, target = {0, 0}",
    "rectangle": "color = {1, 1, 1}, left_top = {0, 0}, right_bottom = {2, 2}",
    "arc": "color = {1, 1, 1}, max_radius = 3, min_radius = 1, start_angle = 0, angle = 1.5, target = {0, 0}",
    "polygon": "color = {1, 1, 1}, vertices = {{0, 0}, {1, 0}, {0, 1}}",
    "sprite": "sprite = 'item/iron-plate', target = {5, 5}",
    "light": "sprite = 'utility/light_medium', target = {5, 5}",
    "animation": "animation = 'some-animation', target = {5, 5}",
}


@pytest.mark.parametrize("kind", DRAWS)
def test_every_draw_returns_an_object_of_its_type(engine, kind):
    reply = sc(engine, f"local o = rendering.draw_{kind}{{surface = 'nauvis', {DRAWS[kind]}}} "
                       "rcon.print(o.type .. ' ' .. o.id .. ' ' .. tostring(o.valid) .. ' ' .. o.surface.name .. ' ' .. o.object_name)")
    assert reply == f"{kind} 1 true nauvis LuaRenderObject"


def test_read_change_and_destroy(engine):
    sc(engine, "storage.t = rendering.draw_text{surface = 1, text = 'a', target = {1, 2}, color = {255, 0, 0}}")
    assert sc(engine, "rcon.print(serpent.line({storage.t.text, storage.t.color, storage.t.target, storage.t.scale, "
                      "storage.t.visible, storage.t.time_to_live, storage.t.alignment}))") == \
        '{"a", {a = 1, b = 0, g = 0, r = 1}, {position = {x = 1, y = 2}}, 1, true, 0, "left"}'
    sc(engine, "local t = storage.t t.text = 'b' t.color = {0, 1, 0, 0.5} t.visible = false t.target = {x = 3, y = 4}")
    assert sc(engine, "rcon.print(serpent.line({storage.t.text, storage.t.color, storage.t.visible, storage.t.target}))") == \
        '{"b", {a = 0.5, b = 0, g = 1, r = 0}, false, {position = {x = 3, y = 4}}}'
    sc(engine, "storage.t.destroy()")
    assert sc(engine, "rcon.print(tostring(storage.t.valid) .. ' ' .. #rendering.get_all_objects())") == "false 0"
    assert "invalid" in engine.execute_command("/sc rcon.print(storage.t.text)").lower()


def test_a_property_of_another_type_is_an_error(engine):
    sc(engine, f"storage.c = rendering.draw_circle{{surface = 1, {DRAWS['circle']}}}")
    reply = engine.execute_command("/sc rcon.print(storage.c.text)")
    assert "LuaRenderObject::text is not available for a circle object" in reply


def test_a_missing_required_field_is_the_games_error(engine):
    reply = engine.execute_command("/sc rendering.draw_line{surface = 1, color = {1, 1, 1}, from = {0, 0}, to = {1, 1}}")
    assert "value for required field 'width' is missing" in reply
    assert sc(engine, "rcon.print(#rendering.get_all_objects())") == "0"


def test_time_to_live_expires_on_its_tick(engine):
    # Made between ticks at tick T with time_to_live N: valid through tick T+N-1, gone at T+N.
    start = engine.tick
    sc(engine, f"storage.o = rendering.draw_circle{{surface = 1, time_to_live = 30, {DRAWS['circle']}}}")
    engine.run_ticks(29)
    assert engine.tick == start + 29
    assert sc(engine, "rcon.print(tostring(storage.o.valid) .. ' ' .. storage.o.time_to_live)") == "true 1"
    engine.run_ticks(1)
    assert sc(engine, "rcon.print(tostring(storage.o.valid) .. ' ' .. #rendering.get_all_objects())") == "false 0"


def test_setting_time_to_live_restarts_it_and_zero_keeps_it_forever(engine):
    sc(engine, f"storage.o = rendering.draw_circle{{surface = 1, time_to_live = 5, {DRAWS['circle']}}}")
    engine.run_ticks(4)
    sc(engine, "storage.o.time_to_live = 10")
    engine.run_ticks(9)
    assert sc(engine, "rcon.print(storage.o.time_to_live)") == "1"
    sc(engine, "storage.o.time_to_live = 0")
    engine.run_ticks(100)
    assert sc(engine, "rcon.print(tostring(storage.o.valid))") == "true"


def test_get_by_id_all_objects_clear_and_order(engine, tmp_path):
    write_mod(tmp_path, "painter", {"control.lua": "remote.add_interface('painter', {draw = function() "
                                    "return rendering.draw_circle{surface = 1, color = {1, 1, 1}, radius = 1, target = {0, 0}}.id end})"})
    game = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    sc(game, "rendering.draw_circle{surface = 1, color = {1, 1, 1}, radius = 1, target = {0, 0}}")
    assert sc(game, "rcon.print(remote.call('painter', 'draw'))") == "2"
    sc(game, "rendering.draw_circle{surface = 1, color = {1, 1, 1}, radius = 3, target = {0, 0}}")
    ids = "local out = {} for _, o in pairs(rendering.get_all_objects(%s)) do out[#out + 1] = o.id end rcon.print(table.concat(out, ','))"
    assert sc(game, ids % "") == "1,2,3"
    assert sc(game, ids % "'painter'") == "2"
    assert sc(game, ids % "''") == "1,3"
    sc(game, "rendering.get_object_by_id(1).bring_to_front() rendering.get_object_by_id(3).move_to_back()")
    assert sc(game, ids % "") == "3,2,1"
    assert sc(game, "rcon.print(tostring(rendering.get_object_by_id(99)))") == "nil"
    sc(game, "rendering.clear('painter')")
    assert sc(game, ids % "") == "3,1"
    sc(game, "rendering.clear()")
    assert sc(game, ids % "") == ""


def test_an_object_attached_to_an_entity_goes_with_it(engine):
    sc(engine, "storage.chest = game.surfaces[1].create_entity{name = 'wooden-chest', position = {3, 3}} "
               "storage.o = rendering.draw_text{surface = 1, text = 'box', color = {1, 1, 1}, "
               "target = {entity = storage.chest, offset = {0, -1}}}")
    assert sc(engine, "rcon.print(serpent.line(storage.o.target.offset) .. ' ' .. storage.o.target.entity.name)") == \
        "{x = 0, y = -1} wooden-chest"
    sc(engine, "storage.chest.destroy()")
    assert sc(engine, "rcon.print(tostring(storage.o.valid) .. ' ' .. #rendering.get_all_objects())") == "false 0"


def test_rectangle_corners_and_line_dashes(engine):
    sc(engine, f"storage.r = rendering.draw_rectangle{{surface = 1, {DRAWS['rectangle']}}} "
               f"storage.l = rendering.draw_line{{surface = 1, {DRAWS['line']}}}")
    sc(engine, "storage.r.set_corners({1, 1}, {4, 5}) storage.l.set_dashes(0.5, 0.25)")
    assert sc(engine, "rcon.print(serpent.line({storage.r.left_top, storage.r.right_bottom, storage.l.dash_length, "
                      "storage.l.gap_length}))") == \
        "{{position = {x = 1, y = 1}}, {position = {x = 4, y = 5}}, 0.5, 0.25}"


def _painted(tmp_path) -> Engine:
    write_mod(tmp_path, "painter", {"control.lua": """
script.on_init(function()
  storage.objects = {}
  for i = 1, 5 do
    storage.objects[i] = rendering.draw_text{surface = 1, text = 'n' .. i, target = {i, 0}, color = {1, 1, 1},
                                             time_to_live = 20 * i}
  end
end)
script.on_nth_tick(7, function(e)
  local o = storage.objects[1]
  if o.valid then o.text = 'tick ' .. e.tick end
end)
"""})
    return Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def test_save_load_and_fork_continue_exactly(tmp_path):
    game = _painted(tmp_path / "mods")
    game.run_ticks(15)
    loaded = Engine.load(game.save(tmp_path / "saves", "paint"), mods_dir=tmp_path / "mods", starting_chunks=1)
    fork = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    for g in (game, loaded, fork):
        g.run_ticks(50)
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    assert sc(loaded, "rcon.print(#rendering.get_all_objects() .. ' ' .. tostring(remote == nil))") == "2 false"  # made at tick 0 living 20, 40, ..., 100 ticks; now tick 65
    assert loaded.mod_errors == [] and game.mod_errors == []


def test_render_objects_are_in_the_state_hash(engine):
    before = state_hash(engine)
    sc(engine, f"rendering.draw_circle{{surface = 1, {DRAWS['circle']}}}")
    drawn = state_hash(engine)
    assert drawn != before
    sc(engine, "rendering.get_object_by_id(1).radius = 5")
    assert state_hash(engine) != drawn
