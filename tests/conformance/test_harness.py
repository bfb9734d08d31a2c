"""The harness itself, against whichever server the session has: exact ticks, Lua errors, cleared areas."""

from __future__ import annotations

import pytest

from .harness import STORE, GameLuaError


def test_run_ticks_runs_exactly_and_stays_paused(game):
    start = game.tick
    assert game.run_ticks(7) == start + 7
    assert game.tick == start + 7  # nothing ran while we looked
    assert game.lua("rcon.print(tostring(game.tick_paused))") == "true"
    assert game.run_ticks(0) == start + 7


def test_lua_errors_raise(game):
    with pytest.raises(GameLuaError, match="no_such_global"):
        game.lua("no_such_global.x = 1")


def test_prepare_area_clears_and_paves(game, area):
    s = "local s = game.surfaces[1] "
    game.lua(s + f"s.create_entity{{name = 'wooden-chest', position = {area.pos(3.5, 3.5)}, force = 'player'}} "
             f"s.create_entity{{name = 'iron-ore', position = {area.pos(5.5, 5.5)}, amount = 10}} {STORE}.x = 1")
    game.prepare_area(area)
    box = f"{{{area.pos(0, 0)}, {area.pos(area.size, area.size)}}}"
    assert game.lua(s + f"rcon.print(s.count_entities_filtered{{area = {box}}})") == "0"
    assert game.lua(s + f"rcon.print(#s.find_tiles_filtered{{area = {box}, name = 'lab-dark-1'}})") == str(area.size ** 2)
    assert game.lua(f"rcon.print(tostring({STORE}.x))") == "nil"
