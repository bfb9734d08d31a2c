"""script.register_metatable: tables in `storage` keep a registered metatable across save/load and fork, linked
by name and looked up again in the registry control.lua rebuilds (LuaBootstrap::register_metatable); other
metatables are dropped, as the game drops them."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.save.storage_codec import MetatableNotRegisteredError

from ..lua.modkit import write_mod

CLASS = """
local Counter = {}
Counter.__index = Counter
function Counter.bump(self) self.n = self.n + 1 return self.n end
script.register_metatable("NAME", Counter)
local Plain = {__index = {bump = function() return 'plain' end}}
script.on_init(function()
  storage.counter = setmetatable({n = 0}, Counter)
  storage.shared = {a = storage.counter, b = storage.counter}
  storage.plain = setmetatable({}, Plain)
end)
remote.add_interface("counter", {
  bump = function() return storage.counter:bump() end,
  same = function() return tostring(storage.shared.a == storage.counter and getmetatable(storage.shared.b) == Counter) end,
  plain = function() return tostring(getmetatable(storage.plain) ~= nil) end,
})
"""


def _game(tmp_path, name: str = "Counter") -> Engine:
    mods = tmp_path / f"mods-{name}"
    write_mod(mods, "counter", {"control.lua": CLASS.replace("NAME", name)})
    return Engine(seed=1, mods_dir=mods, starting_chunks=1)


def _ask(engine: Engine, fn: str) -> str:
    return engine.execute_command(f"/sc rcon.print(remote.call('counter', '{fn}'))")


def test_a_registered_metatable_survives_save_and_load(tmp_path):
    game = _game(tmp_path)
    assert _ask(game, "bump") == "1"
    path = game.save(tmp_path / "saves", "mt")
    loaded = Engine.load(path, mods_dir=tmp_path / "mods-Counter", starting_chunks=1)
    assert _ask(loaded, "bump") == "2"
    assert _ask(loaded, "same") == "true"
    assert loaded.mod_errors == []


def test_a_fork_keeps_registered_metatables(tmp_path):
    game = _game(tmp_path)
    _ask(game, "bump")
    fork = game.fork()
    assert _ask(fork, "bump") == "2"
    assert _ask(game, "bump") == "2"  # the fork's storage is its own


def test_an_unregistered_metatable_is_dropped_by_a_save(tmp_path):
    game = _game(tmp_path)
    assert _ask(game, "plain") == "true"
    loaded = Engine.load(game.save(tmp_path / "saves", "mt"), mods_dir=tmp_path / "mods-Counter", starting_chunks=1)
    assert _ask(loaded, "plain") == "false"


def test_a_name_control_lua_no_longer_registers_stops_the_load(tmp_path):
    game = _game(tmp_path, "Counter")
    path = game.save(tmp_path / "saves", "mt")
    _game(tmp_path, "Renamed")  # the same mod, registering its metatable under another name
    with pytest.raises(MetatableNotRegisteredError, match="registered as 'Counter'"):
        Engine.load(path, mods_dir=tmp_path / "mods-Renamed", starting_chunks=1)


@pytest.mark.parametrize("call, message", [
    ("script.register_metatable(1, {})", "Invalid argument #1 (name) to 'register_metatable': expected string, got number"),
    ("script.register_metatable('x')", "Arguments count error for 'register_metatable': Expected 2 arguments but 1 was given"),
    ("script.register_metatable('x', 5)", "Invalid argument #2 (metatable) to 'register_metatable': expected table, got number"),
])
def test_bad_arguments(call, message):
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    assert engine.execute_command(f"/sc rcon.print(select(2, pcall(function() {call} end)))").endswith("]:1: " + message)


def test_registering_the_same_table_twice_is_allowed_and_another_table_under_that_name_is_not():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command(
        "/sc local mt = {} script.register_metatable('m', mt) script.register_metatable('m', mt) "
        "rcon.print(select(2, pcall(script.register_metatable, 'm', {})))")
    assert reply == "The metatable name 'm' is already registered with another table"
