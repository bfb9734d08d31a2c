"""The Engine object: ticks, the order of work in a tick, and a mod's runtime errors that must not stop the game."""

from __future__ import annotations

import re

import pytest

from factoryverse.engine import engine as engine_module
from factoryverse.engine.engine import TICKS_PER_SECOND, Engine
from factoryverse.engine.errors import EngineError

from .lua.modkit import write_mod


def test_public_api_is_pinned():
    assert engine_module.__all__ == ["Engine", "TICKS_PER_SECOND"]


def test_sixty_ticks_per_second():
    assert TICKS_PER_SECOND == 60


def test_step_and_run_ticks_advance_game_tick():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    assert engine.tick == 0
    engine.step()
    engine.run_ticks(9)
    assert engine.tick == 10
    assert engine.execute_command("/sc rcon.print(game.tick)") == "10"


def test_run_until_stops_when_the_condition_holds_and_fails_past_the_budget():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    assert engine.run_until(lambda: engine.tick >= 5, max_ticks=10) == 5
    with pytest.raises(EngineError, match="within 3 ticks"):
        engine.run_until(lambda: False, max_ticks=3)


_FAULTY = """script.on_event(defines.events.on_tick, function(event)
  storage.ticks = (storage.ticks or 0) + 1
  if event.tick == 4 then
    local missing = nil
    return missing.field
  end
end)
remote.add_interface("faulty", {ticks = function() return storage.ticks end})
"""


def test_handler_error_is_recorded_with_its_traceback_and_the_game_keeps_ticking(tmp_path):
    write_mod(tmp_path, "faulty", {"control.lua": _FAULTY})
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    engine.run_ticks(10)
    assert engine.tick == 10
    assert len(engine.mod_errors) == 1
    error = engine.mod_errors[0]
    assert error.startswith("Error in faulty while running event on_tick: ")
    # The Lua traceback names the mod's file and the failing line (line 5 of control.lua).
    assert "__faulty__/control.lua:5: attempt to index local 'missing'" in error
    assert "stack traceback" in error
    assert re.search(r"__faulty__/control\.lua:\d+: in function", error)
    assert error in engine.log_lines
    # The handler stays registered and runs on every later tick.
    assert engine.execute_command("/sc rcon.print(remote.call('faulty', 'ticks'))") == "10"


def test_on_init_error_is_recorded(tmp_path):
    write_mod(tmp_path, "badinit", {"control.lua": "script.on_init(function() error('init broke') end)"})
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    assert len(engine.mod_errors) == 1
    assert "badinit while running on_init" in engine.mod_errors[0]
    assert "__badinit__/control.lua:1: init broke" in engine.mod_errors[0]


def test_script_on_tick_runs_before_entities_update(tmp_path):
    # Factorio raises on_tick, then updates entities, then the tick counter moves on.
    write_mod(
        tmp_path,
        "order",
        {
            "control.lua": """
script.on_event(defines.events.on_tick, function(e)
  storage.seen = storage.seen or {}
  storage.seen[#storage.seen + 1] = e.tick .. '=' .. game.tick
end)
remote.add_interface("order", {seen = function() return table.concat(storage.seen, ',') end})
"""
        },
    )
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    engine.run_ticks(3)
    assert engine.execute_command("/sc rcon.print(remote.call('order', 'seen'))") == "0=0,1=1,2=2"


def test_close_is_idempotent(tmp_path):
    engine = Engine(seed=1, mods=[], starting_chunks=1, script_output=tmp_path)
    engine.execute_command("/sc helpers.send_udp(9, 'x')")
    engine.close()
    engine.close()
