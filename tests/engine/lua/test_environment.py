"""Factorio's `require` in the control stage: where it looks, what it returns, and that each file runs once."""

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


def test_missing_module_at_the_console_is_a_lua_error():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command("/sc require('definitely_missing')")
    assert reply.startswith("Cannot execute command. Error: ")
    assert "module definitely_missing not found" in reply


def test_syntax_error_in_a_required_file_names_the_file(tmp_path):
    write_mod(tmp_path, "typo", {"control.lua": "require('bad')", "bad.lua": "local = 1"})
    with pytest.raises(ModLoadError, match=r"__typo__/bad.lua"):
        _engine(tmp_path)


def test_error_in_control_lua_names_file_and_line(tmp_path):
    write_mod(tmp_path, "thrower", {"control.lua": "local a = 1\nerror('load failed here')"})
    with pytest.raises(ModLoadError) as info:
        _engine(tmp_path)
    assert "__thrower__/control.lua:2: load failed here" in str(info.value)


def test_non_string_module_name_is_rejected():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    assert "require expects a string" in engine.execute_command("/sc require(42)")
