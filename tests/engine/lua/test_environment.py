"""The control stage's globals: `require` (where it looks, what it returns, each file once, only while control.lua
is parsed) and the deterministic `math.random`."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ModLoadError

from .modkit import write_mod


def _engine(tmp_path) -> Engine:
    return Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def _ask(engine: Engine, interface: str, fn: str) -> str:
    return engine.execute_command(f"/sc rcon.print(remote.call('{interface}', '{fn}'))")


@pytest.fixture
def required(tmp_path) -> Engine:
    write_mod(
        tmp_path,
        "req",
        {
            "control.lua": """
local a = require("lib.helper")
local b = require("lib/helper")
local c = require("__req__/lib/helper")
local d = require("lib.helper.lua")
local root = require("at_root")
local util = require("util")
local handler = require("event_handler")
local other = require("__other__/shared")
remote.add_interface("req", {
  same = function() return tostring(a == b and b == c and c == d) end,
  runs = function() return HELPER_RUNS end,
  sibling = function() return a.sibling end,
  root = function() return root end,
  nested_root = function() return a.from_root end,
  util = function() return type(util.table.deepcopy) end,
  handler = function() return type(handler.add_lib) end,
  other = function() return other end,
})
""",
            "lib/helper.lua": """
HELPER_RUNS = (HELPER_RUNS or 0) + 1
return {sibling = require("sibling"), from_root = require("at_root")}
""",
            "lib/sibling.lua": "return 'next to helper'",
            "at_root.lua": "return 'mod root'",
        },
    )
    write_mod(tmp_path, "other", {"shared.lua": "return 'from other mod'"})
    return _engine(tmp_path)


def test_dotted_slashed_and_mod_paths_give_the_same_module(required):
    assert _ask(required, "req", "same") == "true"


def test_each_file_runs_once(required):
    assert _ask(required, "req", "runs") == "1"


def test_require_is_relative_to_the_requiring_file(required):
    assert _ask(required, "req", "sibling") == "next to helper"


def test_require_falls_back_to_the_mod_root(required):
    assert _ask(required, "req", "root") == "mod root"
    assert _ask(required, "req", "nested_root") == "mod root"


def test_core_lualib_util_and_event_handler(required):
    assert _ask(required, "req", "util") == "function"
    assert _ask(required, "req", "handler") == "function"


def test_another_mods_file_by_mod_path(required):
    assert _ask(required, "req", "other") == "from other mod"


def test_missing_module_fails_the_mod_load_with_its_name(tmp_path):
    write_mod(tmp_path, "broken", {"control.lua": "local x = require('no.such.module')"})
    with pytest.raises(ModLoadError) as info:
        _engine(tmp_path)
    text = str(info.value)
    assert "broken" in text
    assert "no.such.module" in text
    assert "not found" in text


def test_missing_module_while_parsing_is_a_catchable_lua_error(tmp_path):
    write_mod(
        tmp_path,
        "probe",
        {"control.lua": "local ok, err = pcall(require, 'definitely_missing') "
                        "remote.add_interface('probe', {err = function() return err end})"},
    )
    reply = _ask(_engine(tmp_path), "probe", "err")
    assert "module definitely_missing not found" in reply


def test_require_after_control_lua_parsing_fails_with_the_games_message(tmp_path):
    """Regression: require worked from the console, event handlers and remote calls long after control.lua had run,
    so code that only works in the engine passed its tests; Factorio refuses it with this exact message."""
    write_mod(
        tmp_path,
        "late",
        {"control.lua": """
local early = require("util")
script.on_event(defines.events.on_tick, function()
  if storage.late == nil then storage.late = select(2, pcall(require, "util")) end
end)
remote.add_interface("late", {
  early = function() return type(early) end,
  in_handler = function() return storage.late end,
  in_remote = function() return select(2, pcall(require, "util")) end,
})
"""},
    )
    engine = _engine(tmp_path)
    engine.run_ticks(1)
    message = "Require can't be used outside of control.lua parsing."
    assert _ask(engine, "late", "early") == "table"
    assert message in _ask(engine, "late", "in_handler")
    assert message in _ask(engine, "late", "in_remote")
    reply = engine.execute_command("/sc require('util')")
    assert reply.startswith("Cannot execute command. Error: ")
    assert message in reply
    assert engine.mod_errors == []


def test_syntax_error_in_a_required_file_names_the_file(tmp_path):
    write_mod(tmp_path, "typo", {"control.lua": "require('bad')", "bad.lua": "local = 1"})
    with pytest.raises(ModLoadError, match=r"__typo__/bad.lua"):
        _engine(tmp_path)


def test_error_in_control_lua_names_file_and_line(tmp_path):
    write_mod(tmp_path, "thrower", {"control.lua": "local a = 1\nerror('load failed here')"})
    with pytest.raises(ModLoadError) as info:
        _engine(tmp_path)
    assert "__thrower__/control.lua:2: load failed here" in str(info.value)


def test_non_string_module_name_is_rejected(tmp_path):
    write_mod(
        tmp_path,
        "probe",
        {"control.lua": "local ok, err = pcall(require, 42) remote.add_interface('probe', {err = function() return err end})"},
    )
    assert "require expects a string" in _ask(_engine(tmp_path), "probe", "err")


def _draws(engine: Engine, n: int = 8) -> list[str]:
    reply = engine.execute_command(
        f"/sc local out = {{}} for i = 1, {n} do out[i] = string.format('%.17g', math.random()) end "
        "rcon.print(table.concat(out, ' '))"
    )
    return reply.split()


def test_math_random_is_deterministic_per_map_seed():
    """Regression: math.random was Lua's C rand(), one generator for the whole process, so a run's numbers depended on
    what any other engine had drawn before; Factorio draws them from the map's seeded generator."""
    first = Engine(seed=7, mods=[], starting_chunks=1)
    expected = _draws(first)
    second = Engine(seed=7, mods=[], starting_chunks=1)
    other = Engine(seed=8, mods=[], starting_chunks=1)
    interleaved = _draws(second, 4)
    assert _draws(other, 50) != expected[:50]
    interleaved += _draws(second, 4)
    assert interleaved == expected
    assert all(0 <= float(v) < 1 for v in expected)


def test_math_random_is_shared_by_all_states_of_an_engine(tmp_path):
    write_mod(tmp_path, "dice", {"control.lua": "remote.add_interface('dice', {roll = function() return math.random() end})"})
    mixed = Engine(seed=3, mods_dir=tmp_path, starting_chunks=1)
    plain = Engine(seed=3, mods=[], starting_chunks=1)
    a = _draws(mixed, 1)
    b = mixed.execute_command("/sc rcon.print(string.format('%.17g', remote.call('dice', 'roll')))")
    assert [*a, b] == _draws(plain, 2)


def test_math_randomseed_does_nothing():
    seeded = Engine(seed=5, mods=[], starting_chunks=1)
    seeded.execute_command("/sc math.randomseed(12345)")
    assert _draws(seeded) == _draws(Engine(seed=5, mods=[], starting_chunks=1))


def test_math_random_ranges_and_errors_follow_lua_5_2():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command(
        "/sc local ok = true for i = 1, 500 do "
        "local a, b, c = math.random(3), math.random(-2, 2), math.random('4') "
        "ok = ok and a >= 1 and a <= 3 and a % 1 == 0 and b >= -2 and b <= 2 and b % 1 == 0 and c >= 1 and c <= 4 end "
        "rcon.print(tostring(ok) .. ' ' .. math.random(5, 5))"
    )
    assert reply == "true 5"
    for call, message in [
        ("math.random(0)", "bad argument #1 to 'random' (interval is empty)"),
        ("math.random(3, 2)", "bad argument #2 to 'random' (interval is empty)"),
        ("math.random(1, 2, 3)", "wrong number of arguments"),
        ("math.random({})", "bad argument #1 to 'random' (number expected, got table)"),
        ("math.random(1, nil)", "bad argument #2 to 'random' (number expected, got nil)"),
    ]:
        reply = engine.execute_command(f"/sc local ok, err = pcall(function() local v = {call} return v end) rcon.print(err)")
        assert message in reply, call
