"""The Lua host: Factorio's sandbox, text-only `load`, the instruction limit, and errors carrying tracebacks."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import LuaRuntimeError
from factoryverse.engine.lua.runtime import LuaState
from factoryverse.engine.api import REGISTRY

from .modkit import write_mod

# Small enough that an endless loop fails in milliseconds, large enough for every honest command below.
_LIMIT = 2_000_000


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1, instruction_limit=_LIMIT)


def sc(engine: Engine, code: str) -> str:
    return engine.execute_command("/sc " + code)


@pytest.mark.parametrize("name", ["io", "os", "loadfile", "dofile", "python", "package", "module", "loadstring", "coroutine"])
def test_sandbox_removes_global(engine, name):
    assert sc(engine, f"rcon.print(type({name}))") == "nil"


def test_no_coroutine_can_escape_the_instruction_limit(engine):
    # Regression: Lua hooks are per thread, so a loop inside a coroutine ran without a limit and hung the engine.
    # Factorio has no coroutines at all; the engine now matches it.
    assert "attempt to index global 'coroutine'" in sc(engine, "coroutine.wrap(function() while true do end end)()")


def test_python_objects_are_unreachable_through_api_proxies(engine):
    reply = sc(engine, "local ok, err = pcall(function() return game.__class__ end) rcon.print(tostring(ok) .. ' ' .. err)")
    assert reply.startswith("false ")
    assert "LuaGameScript doesn't contain key __class__." in reply


def test_debug_library_is_reduced(engine):
    reply = sc(
        engine,
        "rcon.print(type(debug.sethook) .. ' ' .. type(debug.getupvalue) .. ' ' .. type(debug.traceback)"
        " .. ' ' .. type(debug.getinfo))",
    )
    assert reply == "nil nil function function"


def test_debug_sethook_unavailable_to_mods(tmp_path):
    write_mod(tmp_path, "hooker", {"control.lua": "log('sethook=' .. type(debug.sethook))"})
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    assert "hooker: sethook=nil" in engine.log_lines


def test_load_accepts_text(engine):
    assert sc(engine, "rcon.print(load('return 6 * 7')())") == "42"


@pytest.mark.parametrize(
    "call",
    [
        "load(chunk)",
        "load(chunk, 'x', 'b')",
        "load(chunk, 'x', 'bt', {})",
        "load('\\27Lua' .. chunk:sub(5))",
    ],
)
def test_load_rejects_bytecode(engine, call):
    reply = sc(
        engine,
        f"local chunk = string.dump(function() return 1 end) local f, err = {call} "
        "rcon.print(tostring(f) .. '|' .. tostring(err))",
    )
    fn, err = reply.split("|", 1)
    assert fn == "nil"
    assert "binary chunk" in err


def test_serpent_is_present_and_deterministic(engine):
    # Factorio's serpent has comments off by default: no table addresses in the output.
    assert sc(engine, "rcon.print(serpent.line({b = 2, a = {1, 2}}))") == "{a = {1, 2}, b = 2}"
    assert "--[[" not in sc(engine, "rcon.print(serpent.block({x = {y = 1}}))")
    assert sc(engine, "rcon.print(serpent.line({1}, {comment = true}))").startswith("{1} --[[table: ")
    assert sc(engine, "local ok, t = serpent.load(serpent.dump({k = 'v'})) rcon.print(t.k)") == "v"


def test_table_size_counts_every_key(engine):
    assert sc(engine, "rcon.print(table_size({1, 2, a = 3, [10] = 4}))") == "4"


def test_log_and_localised_print_reach_the_log(engine):
    sc(engine, "log('hello from the console') localised_print({'', 'con', 'cat'})")
    lines = list(engine.log_lines)
    assert "level: hello from the console" in lines
    assert "concat" in lines


def test_runtime_error_comes_back_with_traceback(engine):
    reply = sc(engine, "local x = nil\nlocal y = x.field")
    assert reply.startswith("Cannot execute command. Error: ")
    assert "attempt to index local 'x'" in reply
    assert ":2:" in reply
    assert "stack traceback" in reply


def test_endless_loop_hits_the_instruction_limit_and_next_command_works(engine):
    reply = sc(engine, "while true do end")
    assert f"Instruction limit of {_LIMIT} exceeded" in reply
    assert sc(engine, "rcon.print(1 + 1)") == "2"


@pytest.mark.parametrize(
    "code",
    [
        "while true do pcall(function() while true do end end) end",
        "while true do pcall(function() while true do pcall(function() while true do end end) end end) end",
        "local function f() return pcall(f) end while true do f() end",
        # The handler of an error raised by the limit itself would run with hooks off.
        "while true do xpcall(function() while true do end end, function(m) while true do end end) end",
    ],
)
def test_catching_the_limit_error_does_not_escape_it(engine, code):
    # Regression: pcall caught the limit's error and the loop around it ran forever.
    assert f"Instruction limit of {_LIMIT} exceeded" in sc(engine, code)
    assert sc(engine, "rcon.print('next')") == "next"


def test_xpcall_handlers_still_run_for_ordinary_errors(engine):
    reply = sc(engine, "local ok, m = xpcall(function() error('x', 0) end, function(m) return 'handled ' .. m end) rcon.print(m)")
    assert reply == "handled x"


def test_gc_finalizers_never_run(engine):
    # Regression: a __gc finalizer runs with hooks off, so an endless loop in one hung the engine.
    reply = sc(
        engine,
        "local mt = {__gc = function() FINALIZED = true end} local t = setmetatable({}, mt) t = nil "
        "local junk = {} for i = 1, 200000 do junk[i] = {} end "
        "rcon.print(tostring(FINALIZED) .. ' ' .. type(rawget(mt, '__gc')))",
    )
    assert reply == "nil function"


def test_clobbered_globals_do_not_break_the_console():
    # Regression: `table = nil` broke the engine's own call wrapper, and every later command with it.
    engine = Engine(seed=1, mods=[], starting_chunks=1, instruction_limit=_LIMIT)
    assert sc(engine, "table = nil math = nil xpcall = nil load = nil pairs = nil") == ""
    assert sc(engine, "rcon.print('still ' .. table_size({1, 2}))") == "still 2"


def test_endless_loop_in_a_handler_is_recorded_and_the_game_goes_on(tmp_path):
    write_mod(
        tmp_path,
        "spinner",
        {
            "control.lua": """
script.on_event(defines.events.on_tick, function(e)
  if e.tick == 3 then while true do end end
  storage.last = e.tick
end)
remote.add_interface("spinner", {last = function() return storage.last end})
"""
        },
    )
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1, instruction_limit=_LIMIT)
    engine.run_ticks(6)
    assert len(engine.mod_errors) == 1
    assert "Instruction limit" in engine.mod_errors[0]
    assert engine.execute_command("/sc rcon.print(remote.call('spinner', 'last'))") == "5"


def test_limit_is_per_call_not_cumulative(engine):
    # Each command gets the whole budget again: many honest commands in a row never trip it.
    for _ in range(50):
        assert sc(engine, "local n = 0 for i = 1, 10000 do n = n + i end rcon.print(n)") == "50005000"


def test_state_call_raises_typed_error():
    state = LuaState("t", REGISTRY, instruction_limit=_LIMIT)
    fn = state.compile("error('bad thing')", "=probe")
    with pytest.raises(LuaRuntimeError, match="probe:1: bad thing") as info:
        state.call("probe", fn)
    assert info.value.where == "probe"


def test_compile_reports_syntax_errors():
    state = LuaState("t", REGISTRY, instruction_limit=_LIMIT)
    with pytest.raises(LuaRuntimeError, match="broken:1: <name> expected"):
        state.compile("local = 1", "=broken")


def test_to_lua_and_back_round_trips_plain_values():
    state = LuaState("t", REGISTRY, instruction_limit=_LIMIT)
    value = {"a": [1, 2, 3], "b": {"c": "d"}, "e": True, "f": 1.5}
    assert state.from_lua(state.to_lua(value)) == value


def test_real_but_unimplemented_member_says_the_engine_lacks_it(engine):
    """Regression: reading a real Factorio member the engine doesn't implement (LuaEntity.rotatable) gave the same
    "doesn't contain key" as a typo, telling the mod author the game has no such member."""
    from factoryverse.engine.api.members import load_members

    members = load_members()
    assert members.has("LuaEntity", "rotatable") and "rotatable" not in REGISTRY.classes["LuaEntity"].getters
    assert members.member("LuaEntity", "no_such_member") is None
    make = "local e = game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {0.5, 0.5}} "
    missing = sc(engine, make + "local ok, err = pcall(function() return e.rotatable end) rcon.print(err)")
    assert missing.endswith(
        "LuaEntity::rotatable is a Factorio API member this engine does not implement yet (see docs/known-differences.md)"
    )
    typo = sc(engine, make + "local ok, err = pcall(function() return e.no_such_member end) rcon.print(err)")
    assert typo.endswith("LuaEntity doesn't contain key no_such_member.")
    written = sc(engine, make + "local ok, err = pcall(function() e.no_such_member = 1 end) rcon.print(err)")
    assert written.endswith("LuaEntity doesn't contain key no_such_member.")
    assert sc(engine, make + "local ok, err = pcall(function() e.rotatable = false end) rcon.print(err)").endswith(
        "LuaEntity::rotatable is a Factorio API member this engine does not implement yet (see docs/known-differences.md)"
    )
    # A read-only member stays "read only" whether or not the engine implements it.
    assert members.member("LuaEntity", "belt_shape").readonly
    read_only = sc(engine, make + "local ok, err = pcall(function() e.belt_shape = 'straight' end) rcon.print(err)")
    assert read_only.endswith("LuaEntity::belt_shape is read only.")
