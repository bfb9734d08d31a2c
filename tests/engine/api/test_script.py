"""The control stage: `script` (on_init, on_event, on_nth_tick, custom events), `storage`, `remote` and `commands`."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine

from ..lua.modkit import write_mod

_EVENTS_MOD = """
storage.log = storage.log or {}
local function note(text) storage.log[#storage.log + 1] = text end

script.on_init(function()
  storage.init_runs = (storage.init_runs or 0) + 1
  storage.counter = 0
end)

script.on_event(defines.events.on_tick, function(event)
  storage.counter = storage.counter + 1
  if event.tick < 3 then
    note("tick " .. event.tick .. " game " .. game.tick .. " name " .. tostring(event.name == defines.events.on_tick))
  end
end)

script.on_nth_tick(7, function(event) note("nth " .. event.tick .. "/" .. event.nth_tick) end)

local custom = script.generate_event_name()
script.on_event(custom, function(event)
  note("custom " .. event.payload.word .. " " .. event.number .. " " .. tostring(event.name == custom) .. " " .. event.tick)
end)

remote.add_interface("events", {
  log = function() return table.concat(storage.log, ";") end,
  init_runs = function() return storage.init_runs end,
  counter = function() return storage.counter end,
  fire = function(word) script.raise_event(custom, {payload = {word = word}, number = 7}) end,
  clear = function() storage.log = {} end,
})
"""


@pytest.fixture
def events(tmp_path) -> Engine:
    write_mod(tmp_path, "events", {"control.lua": _EVENTS_MOD})
    return Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def _call(engine: Engine, interface: str, fn: str, *args: str) -> str:
    extra = "".join(", " + a for a in args)
    return engine.execute_command(f"/sc rcon.print(remote.call('{interface}', '{fn}'{extra}))")


def test_on_init_runs_once_at_start(events):
    assert _call(events, "events", "init_runs") == "1"
    events.run_ticks(30)
    assert _call(events, "events", "init_runs") == "1"


def test_on_tick_handler_gets_the_tick_and_event_name(events):
    events.run_ticks(3)
    log = _call(events, "events", "log").split(";")
    assert [entry for entry in log if entry.startswith("tick")] == [
        "tick 0 game 0 name true",
        "tick 1 game 1 name true",
        "tick 2 game 2 name true",
    ]


def test_on_nth_tick_fires_every_n_ticks(events):
    events.run_ticks(30)
    log = _call(events, "events", "log").split(";")
    assert [entry for entry in log if entry.startswith("nth")] == ["nth 0/7", "nth 7/7", "nth 14/7", "nth 21/7", "nth 28/7"]


def test_storage_persists_across_ticks(events):
    events.run_ticks(25)
    assert _call(events, "events", "counter") == "25"
    events.run_ticks(5)
    assert _call(events, "events", "counter") == "30"


def test_raise_event_delivers_custom_data(events):
    events.run_ticks(2)
    _call(events, "events", "clear")
    events.execute_command("/sc remote.call('events', 'fire', 'hello')")
    assert _call(events, "events", "log") == "custom hello 7 true 2"


def test_raise_event_only_allows_custom_and_raiseable_events(events):
    """Regression: script.raise_event raised any event, on_tick included, which the game refuses (only ids from
    generate_event_name and its RaiseableEvents list may be raised), and it left out `mod_name`."""
    reply = events.execute_command("/sc script.raise_event(defines.events.on_tick, {})")
    assert "Event on_tick can't be raised with script.raise_event" in reply
    assert "script_raised_built" in reply  # the message names what can be raised
    assert "can't be raised" in events.execute_command("/sc script.raise_event('on_built_entity', {})")
    events.execute_command(
        "/sc script.on_event(defines.events.script_raised_built, function(e) "
        "storage.built = e.mod_name .. ' ' .. e.entity.name .. ' ' .. tostring(e.name == defines.events.script_raised_built) end)"
    )
    reply = events.execute_command(
        "/sc local chest = game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {8.5, 8.5}} "
        "script.raise_event(defines.events.script_raised_built, {entity = chest}) rcon.print(storage.built)"
    )
    assert reply == "level wooden-chest true"
    events.run_ticks(2)
    _call(events, "events", "clear")
    events.execute_command("/sc remote.call('events', 'fire', 'from-mod')")
    assert _call(events, "events", "log").startswith("custom from-mod 7 true")
    assert events.mod_errors == []


def test_raise_event_tells_the_handler_which_mod_raised_it(tmp_path):
    write_mod(
        tmp_path,
        "raiser",
        {"control.lua": """
local id = script.generate_event_name()
script.on_event(id, function(e) storage.seen = e.mod_name end)
remote.add_interface("raiser", {
  fire = function() script.raise_event(id, {}) return storage.seen end,
  fire_with_invalid = function()
    storage.seen = nil
    local chest = game.surfaces.nauvis.create_entity{name = "wooden-chest", position = {9.5, 9.5}}
    chest.destroy()
    script.raise_event(id, {entity = chest})
    return tostring(storage.seen)
  end,
})
"""},
    )
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    assert _call(engine, "raiser", "fire") == "raiser"
    # Data holding an invalid LuaObject silently stops the event, as documented for raise_event.
    assert _call(engine, "raiser", "fire_with_invalid") == "nil"


def test_on_event_with_filters_is_a_clear_error_not_silently_ignored():
    """Regression: on_event accepted `filters` and dropped them, so a filtered handler got every event."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command(
        "/sc script.on_event(defines.events.on_built_entity, function() end, {{filter = 'type', type = 'furnace'}})"
    )
    assert "event filters are not implemented by this engine yet" in reply
    assert engine.execute_command("/sc rcon.print(tostring(script.get_event_handler(defines.events.on_built_entity)))") == "nil"


def test_generate_event_name_gives_fresh_ids():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command(
        "/sc local a, b = script.generate_event_name(), script.generate_event_name() "
        "local known = false for _, id in pairs(defines.events) do if id == a or id == b then known = true end end "
        "rcon.print(tostring(a ~= b) .. ' ' .. tostring(known))"
    )
    assert reply == "true false"


def test_on_event_rejects_unknown_event_ids():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command("/sc script.on_event(999999, function() end)")
    assert "Invalid event id: 999999" in reply


def test_level_script_can_register_handlers_from_the_console():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    engine.execute_command("/sc script.on_nth_tick(2, function(e) storage.hits = (storage.hits or 0) + 1 end)")
    engine.run_ticks(6)
    assert engine.execute_command("/sc rcon.print(storage.hits)") == "3"
    engine.execute_command("/sc script.on_nth_tick(nil)")
    engine.run_ticks(6)
    assert engine.execute_command("/sc rcon.print(storage.hits)") == "3"


# -- remote ---------------------------------------------------------------------------------------------------

_PROVIDER = """
remote.add_interface("provider", {
  mutate = function(t) t.added = "by provider"; t.inner.n = t.inner.n + 1; return t end,
  describe = function(entity) return entity.name .. "#" .. entity.unit_number end,
  same = function(entity) return entity end,
  remove = function(entity) entity.destroy() end,
  pair = function(a, b) return a + b, a * b end,
  fail = function() error("provider failed") end,
})
"""

_CONSUMER = """
remote.add_interface("consumer", {
  run = function()
    local out = {}
    local t = {inner = {n = 1}}
    local r = remote.call("provider", "mutate", t)
    out[#out + 1] = "caller table untouched " .. tostring(t.added == nil and t.inner.n == 1)
    out[#out + 1] = "copy returned " .. tostring(r ~= t and r.added == "by provider" and r.inner.n == 2)
    local chest = game.surfaces.nauvis.create_entity{name = "wooden-chest", position = {3.5, 3.5}, force = "player"}
    out[#out + 1] = "describe " .. remote.call("provider", "describe", chest)
    out[#out + 1] = "same entity " .. tostring(remote.call("provider", "same", chest) == chest)
    local s, p = remote.call("provider", "pair", 3, 4)
    out[#out + 1] = "first result only " .. tostring(s) .. " " .. tostring(p)
    remote.call("provider", "remove", chest)
    out[#out + 1] = "destroyed there, invalid here " .. tostring(chest.valid)
    return table.concat(out, ";")
  end,
})
"""


@pytest.fixture
def remote_pair(tmp_path) -> Engine:
    write_mod(tmp_path, "provider", {"control.lua": _PROVIDER})
    write_mod(tmp_path, "consumer", {"control.lua": _CONSUMER}, dependencies=("base", "provider"))
    return Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def test_remote_call_across_two_mods(remote_pair):
    reply = _call(remote_pair, "consumer", "run").split(";")
    chest_unit = reply[2].split("#")[1]
    assert reply == [
        "caller table untouched true",
        "copy returned true",
        f"describe wooden-chest#{chest_unit}",
        "same entity true",
        "first result only 7 nil",
        "destroyed there, invalid here false",
    ]


def test_remote_interfaces_lists_functions(remote_pair):
    reply = remote_pair.execute_command(
        "/sc local names = {} for k in pairs(remote.interfaces.provider) do names[#names + 1] = k end "
        "table.sort(names) rcon.print(table.concat(names, ','))"
    )
    assert reply == "describe,fail,mutate,pair,remove,same"


def test_unknown_interface_and_function_are_errors(remote_pair):
    assert "Unknown interface: nowhere" in remote_pair.execute_command("/sc remote.call('nowhere', 'f')")
    assert "provider.nothing" in remote_pair.execute_command("/sc remote.call('provider', 'nothing')")


def test_error_inside_a_remote_function_reaches_the_caller(remote_pair):
    reply = remote_pair.execute_command("/sc remote.call('provider', 'fail')")
    assert reply.startswith("Cannot execute command. Error: ")
    assert "Error when running interface function provider.fail: __provider__/control.lua:8: provider failed" in reply


def test_duplicate_interface_is_rejected(remote_pair):
    reply = remote_pair.execute_command("/sc remote.add_interface('provider', {})")
    assert "An interface already exists under with name: provider" in reply


def test_passing_a_function_through_remote_call_is_a_clear_error(remote_pair):
    """Regression: a function argument failed inside lupa ("cannot mix objects from different Lua runtimes")."""
    reply = remote_pair.execute_command("/sc remote.call('provider', 'mutate', {inner = {n = 1}, f = function() end})")
    assert "functions can't be passed between mods" in reply
    assert "different Lua runtimes" not in reply


def test_remove_interface(remote_pair):
    assert remote_pair.execute_command("/sc rcon.print(remote.remove_interface('provider'))") == "true"
    assert remote_pair.execute_command("/sc rcon.print(remote.remove_interface('provider'))") == "false"
    assert "Unknown interface: provider" in remote_pair.execute_command("/sc remote.call('provider', 'pair', 1, 2)")


# -- commands -------------------------------------------------------------------------------------------------

_COMMANDS_MOD = """
commands.add_command("fv_echo", "Echoes its parameter back.", function(command)
  rcon.print("name=" .. command.name .. " parameter=" .. tostring(command.parameter) .. " tick=" .. command.tick)
end)
commands.add_command("fv_fail", "Always fails.", function() error("command failed") end)
"""


@pytest.fixture
def with_commands(tmp_path) -> Engine:
    write_mod(tmp_path, "cmds", {"control.lua": _COMMANDS_MOD})
    return Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def test_custom_command_gets_its_parameter(with_commands):
    with_commands.run_ticks(4)
    assert with_commands.execute_command("/fv_echo hello  world") == "name=fv_echo parameter=hello  world tick=4"


def test_custom_command_without_parameter(with_commands):
    assert with_commands.execute_command("/fv_echo") == "name=fv_echo parameter=nil tick=0"


def test_help_lists_custom_commands(with_commands):
    lines = with_commands.execute_command("/help").splitlines()
    assert lines[0] == "Available commands:"
    assert "/fv_echo - Echoes its parameter back." in lines
    assert "/silent-command - Executes a Lua command without printing it to the console." in lines
    assert with_commands.execute_command("/help fv_fail") == "/fv_fail - Always fails."


def test_commands_table_lists_mod_commands(with_commands):
    reply = with_commands.execute_command("/sc rcon.print(commands.commands.fv_echo ~= nil and commands.game_commands.help ~= nil)")
    assert reply == "true"


def test_unknown_command(with_commands):
    assert with_commands.execute_command("/no_such_thing arg") == 'Unknown command "no_such_thing". Type /help for a list of commands.'


def test_failing_command_reports_and_server_goes_on(with_commands):
    reply = with_commands.execute_command("/fv_fail")
    assert "Error while running command /fv_fail" in reply
    assert "command failed" in reply
    assert with_commands.execute_command("/fv_echo ok").startswith("name=fv_echo parameter=ok")


def test_duplicate_command_is_rejected(with_commands):
    reply = with_commands.execute_command("/sc commands.add_command('fv_echo', '', function() end)")
    assert 'Command with name "fv_echo" already exists.' in reply
    reply = with_commands.execute_command("/sc commands.add_command('help', '', function() end)")
    assert 'Command with name "help" already exists.' in reply


def test_chat_line_is_logged_not_run(with_commands):
    assert with_commands.execute_command("hello everyone") == ""
    assert "[CHAT] <server>: hello everyone" in with_commands.log_lines
