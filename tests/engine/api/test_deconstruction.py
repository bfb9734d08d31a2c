"""Deconstruction orders: LuaEntity.order_deconstruction / cancel_deconstruction / to_be_deconstructed, their
events, LuaSurface.deconstruct_area / cancel_deconstruct_area and the `to_be_deconstructed` search filter."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash
from tests.engine.mechanics.conftest import clear_land, lua

_EVENTS = (
    "storage.ev = {} "
    "script.on_event(defines.events.on_marked_for_deconstruction, function(e) "
    "storage.ev[#storage.ev + 1] = 'marked ' .. e.entity.name .. ' ' .. tostring(e.player_index) end) "
    "script.on_event(defines.events.on_cancelled_deconstruction, function(e) "
    "storage.ev[#storage.ev + 1] = 'cancelled ' .. e.entity.name end) "
    "script.on_event(defines.events.on_pre_ghost_deconstructed, function(e) "
    "storage.ev[#storage.ev + 1] = 'ghost ' .. e.ghost.ghost_name .. ' ' .. tostring(e.ghost.valid) end) "
)


@pytest.fixture
def engine() -> Engine:
    e = Engine(seed=1, mods=[], starting_chunks=2)
    clear_land(e, -40, -10, 40, 10)
    lua(e, _EVENTS)
    return e


def _events(engine: Engine) -> str:
    return lua(engine, "rcon.print(table.concat(storage.ev, ';')) storage.ev = {}")


def _err(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    assert reply.startswith("Cannot execute command"), reply
    return reply


def test_marking_and_cancelling_raise_the_games_events_once(engine):
    lua(engine, "storage.c = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'}")
    assert lua(engine, "rcon.print(storage.c.to_be_deconstructed())") == "false"
    assert lua(engine, "rcon.print(storage.c.order_deconstruction('player'))") == "true"
    assert lua(engine, "rcon.print(storage.c.to_be_deconstructed())") == "true"
    assert lua(engine, "rcon.print(storage.c.order_deconstruction(game.forces.player))") == "true"  # already marked
    assert _events(engine) == "marked wooden-chest nil"
    lua(engine, "storage.c.cancel_deconstruction('enemy')")  # not that force's order: nothing happens
    assert lua(engine, "rcon.print(storage.c.to_be_deconstructed())") == "true"
    lua(engine, "storage.c.cancel_deconstruction('player')")
    lua(engine, "storage.c.cancel_deconstruction('player')")  # nothing scheduled: does nothing
    assert lua(engine, "rcon.print(storage.c.to_be_deconstructed())") == "false"
    assert _events(engine) == "cancelled wooden-chest"


def test_what_can_be_marked(engine):
    lua(engine, "storage.ore = s.create_entity{name = 'iron-ore', position = {3.5, 0.5}, amount = 10} "
        "storage.tree = s.create_entity{name = 'tree-01', position = {5.5, 0.5}} "
        "storage.item = s.create_entity{name = 'item-on-ground', position = {7.5, 0.5}, stack = 'coal'} "
        "storage.ch = s.create_entity{name = 'character', position = {9.5, 0.5}, force = 'player'}")
    reply = lua(engine, "rcon.print(serpent.line{storage.ore.order_deconstruction('player'), "
                "storage.tree.order_deconstruction('player'), storage.item.order_deconstruction('player'), "
                "storage.ch.order_deconstruction('player')})")
    # Resources are mined by drills, never deconstructed; a character has no `minable`.
    assert reply == "{false, true, true, false}"
    assert _events(engine) == "marked tree-01 nil;marked item-on-ground nil"


def test_marking_a_ghost_removes_it(engine):
    lua(engine, "storage.g = s.create_entity{name = 'entity-ghost', inner_name = 'wooden-chest', position = {0.5, 0.5}, "
        "force = 'player'}")
    assert lua(engine, "rcon.print(serpent.line{storage.g.order_deconstruction('player'), storage.g.valid})") == "{true, false}"
    assert _events(engine) == "ghost wooden-chest true"


def test_bad_arguments_get_errors_and_change_nothing(engine):
    lua(engine, "storage.c = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'}")
    assert "unknown force 'nobody'" in _err(engine, "storage.c.order_deconstruction('nobody')")
    assert "Arguments count error for 'order_deconstruction'" in _err(engine, "storage.c.order_deconstruction()")
    assert "this headless game has no players" in _err(engine, "storage.c.order_deconstruction('player', 1)")
    assert "value for required field 'force' is missing" in _err(engine, "s.deconstruct_area{area = {{0, 0}, {1, 1}}}")
    assert lua(engine, "rcon.print(storage.c.to_be_deconstructed())") == "false"
    assert _events(engine) == ""


def test_the_filter_finds_marked_entities_in_scan_order_and_follows_them(engine):
    lua(engine, "storage.cs = {} for i = 0, 5 do storage.cs[i] = s.create_entity{name = 'wooden-chest', "
        "position = {-30.5 + 12 * i, 0.5}, force = 'player'} end "
        "storage.cs[4].order_deconstruction('player') storage.cs[1].order_deconstruction('player') "
        "storage.cs[2].order_deconstruction('player')")
    xs = ("local out = {} for _, e in pairs(s.find_entities_filtered{FILTER}) do out[#out + 1] = e.position.x end "
          "rcon.print(serpent.line(out))")
    assert lua(engine, xs.replace("FILTER", "to_be_deconstructed = true")) == "{-18.5, -6.5, 17.5}"
    assert lua(engine, xs.replace("FILTER", "to_be_deconstructed = true, limit = 1")) == "{-18.5}"
    assert lua(engine, xs.replace("FILTER", "area = {{-20, -5}, {0, 5}}, to_be_deconstructed = true")) == "{-18.5, -6.5}"
    assert lua(engine, xs.replace("FILTER", "name = 'wooden-chest', to_be_deconstructed = false")) == "{-30.5, 5.5, 29.5}"
    assert lua(engine, "rcon.print(s.count_entities_filtered{name = 'wooden-chest', to_be_deconstructed = true, "
               "invert = true})") != "0"
    # A marked entity teleported into another chunk is found there, and a destroyed one is gone.
    lua(engine, "storage.cs[1].teleport({33.5, 3.5}) storage.cs[2].destroy()")
    assert lua(engine, xs.replace("FILTER", "to_be_deconstructed = true")) == "{17.5, 33.5}"
    assert "must be a boolean" in _err(engine, "s.find_entities_filtered{to_be_deconstructed = 1}")


def test_deconstruct_area_marks_the_forces_and_neutral_entities(engine):
    lua(engine, "s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'} "
        "s.create_entity{name = 'wooden-chest', position = {2.5, 0.5}, force = 'enemy'} "
        "s.create_entity{name = 'tree-01', position = {4.5, 0.5}, force = 'neutral'} "
        "s.create_entity{name = 'iron-ore', position = {6.5, 0.5}} "
        "s.create_entity{name = 'entity-ghost', inner_name = 'iron-chest', position = {8.5, 0.5}, force = 'player'} "
        "s.create_entity{name = 'wooden-chest', position = {20.5, 0.5}, force = 'player'}")
    lua(engine, "s.deconstruct_area{area = {{0, 0}, {10, 1}}, force = 'player'}")
    assert _events(engine) == "marked wooden-chest nil;marked tree-01 nil;ghost iron-chest true"
    count = "rcon.print(s.count_entities_filtered{to_be_deconstructed = true})"
    assert lua(engine, count) == "2"
    lua(engine, "s.cancel_deconstruct_area{area = {{0, 0}, {3, 1}}, force = 'player'}")
    assert _events(engine) == "cancelled wooden-chest"
    assert lua(engine, count) == "1"


def test_marks_are_saved_forked_and_hashed(tmp_path):
    game = Engine(seed=3, mods=[], starting_chunks=1)
    clear_land(game, -8, -8, 8, 8)
    lua(game, "storage.a = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'} "
        "storage.b = s.create_entity{name = 'wooden-chest', position = {2.5, 0.5}, force = 'player'}")
    unmarked = state_hash(game)
    lua(game, "storage.a.order_deconstruction('player')")
    marked = state_hash(game)
    assert marked != unmarked
    loaded = Engine.load(game.save(tmp_path, "marks"), mods=[])
    forked = game.fork()
    assert state_hash(loaded) == state_hash(forked) == marked
    for g in (game, loaded, forked):
        assert lua(g, "rcon.print(serpent.line{storage.a.to_be_deconstructed(), storage.b.to_be_deconstructed(), "
                   "s.count_entities_filtered{to_be_deconstructed = true}})") == "{true, false, 1}"
        g.run_ticks(60)
        lua(g, "storage.b.order_deconstruction('player') storage.a.cancel_deconstruction('player')")
        g.run_ticks(60)
    assert state_hash(loaded) == state_hash(game) == state_hash(forked)
    assert lua(loaded, "rcon.print(s.find_entities_filtered{to_be_deconstructed = true}[1].position.x)") == "2.5"
