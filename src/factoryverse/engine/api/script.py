"""LuaBootstrap (`script`), LuaRemote (`remote`) and LuaCommandProcessor (`commands`)."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import LuaRuntimeError, ScriptError

__all__ = ["RemoteHandle", "CommandsHandle", "RAISEABLE_EVENTS"]

Bootstrap = api_class("LuaBootstrap")
Remote = api_class("LuaRemote")
Commands = api_class("LuaCommandProcessor")

Bootstrap.attributes(mod_name="name")
# In Lua: the registry keeps the metatables themselves (lua/metatables.lua); saves link storage tables to them by name.
Bootstrap.lua_method("register_metatable", "metatables.lua")


def _engine(state: Any) -> Any:
    return state.engine


def _fn_or_nil(value: Any, what: str) -> Any:
    if value is None:
        return None
    if not callable(value):
        raise ScriptError(f"{what}: expected a function or nil")
    return value


@Bootstrap.getter("active_mods")
def _active_mods(state, mod):
    engine = _engine(state)
    base = engine.factorio.base  # the version of the base game data the server runs
    return {"base": base, "core": base, **{m.name: m.info.version for m in engine.mods}}


@Bootstrap.method("on_init")
def _on_init(state, mod, fn=None):
    mod.on_init = _fn_or_nil(fn, "script.on_init")


@Bootstrap.method("on_load")
def _on_load(state, mod, fn=None):
    mod.on_load = _fn_or_nil(fn, "script.on_load")


@Bootstrap.method("on_configuration_changed")
def _on_configuration_changed(state, mod, fn=None):
    mod.on_configuration_changed = _fn_or_nil(fn, "script.on_configuration_changed")


@Bootstrap.method("on_event")
def _on_event(state, mod, event, fn=None, filters=None):
    if filters is not None:
        # Ignoring them would hand the mod events it asked not to get; our mods register without filters.
        raise ScriptError(
            "script.on_event: event filters are not implemented by this engine yet (see docs/known-differences.md); "
            "register without filters and check the event's entity in the handler"
        )
    bus = _engine(state).events
    events = event if isinstance(event, list) else [event]
    for e in events:
        eid = bus.id_of(e)
        if fn is None:
            mod.handlers.pop(eid, None)
        else:
            mod.handlers[eid] = _fn_or_nil(fn, "script.on_event")


@Bootstrap.method("on_nth_tick")
def _on_nth_tick(state, mod, tick=None, fn=None):
    if tick is None:
        mod.nth_tick.clear()
        return
    ticks = tick if isinstance(tick, list) else [tick]
    for n in ticks:
        if not isinstance(n, (int, float)) or int(n) != n or n < 1:
            raise ScriptError(f"script.on_nth_tick: tick must be a positive integer, got {n!r}")
        if fn is None:
            mod.nth_tick.pop(int(n), None)
        else:
            mod.nth_tick[int(n)] = _fn_or_nil(fn, "script.on_nth_tick")


@Bootstrap.method("generate_event_name")
def _generate_event_name(state, mod, name=None):
    return _engine(state).events.generate_event_name(name)


@Bootstrap.method("get_event_id")
def _get_event_id(state, mod, event):
    return _engine(state).events.id_of(event)


@Bootstrap.method("get_event_handler")
def _get_event_handler(state, mod, event):
    return mod.handlers.get(_engine(state).events.id_of(event))


# LuaBootstrap::raise_event: besides ids from generate_event_name, only these game events may be raised by a mod
# (RaiseableEvents, the same in 2.0 and 2.1).
RAISEABLE_EVENTS = frozenset({
    "on_console_chat", "on_player_crafted_item", "on_player_fast_transferred", "on_biter_base_built",
    "on_market_item_purchased", "script_raised_built", "script_raised_destroy", "script_raised_revive",
    "script_raised_teleported", "script_raised_set_tiles",
})


@Bootstrap.method("raise_event")
def _raise_event(state, mod, event, data=None):
    bus = _engine(state).events
    eid = bus.id_of(event)
    builtin = bus.ids.get(bus.names.get(eid, "")) == eid
    if builtin and bus.names[eid] not in RAISEABLE_EVENTS:
        raise ScriptError(
            f"Event {bus.names[eid]} can't be raised with script.raise_event: only events made by "
            "script.generate_event_name and " + ", ".join(sorted(RAISEABLE_EVENTS)) + " can be raised"
        )
    if isinstance(data, list):
        data = dict(enumerate(data, 1))
    if data is not None and not isinstance(data, dict):
        raise ScriptError(f"script.raise_event: data must be a table, got {data!r}")
    payload = dict(data or {})
    if _holds_invalid_object(payload):
        return  # the game silently drops an event whose data holds an invalid LuaObject
    payload["mod_name"] = mod.name
    bus.raise_event(eid, payload)


def _holds_invalid_object(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_invalid_object(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_invalid_object(v) for v in value)
    return getattr(value, "lua_class", None) is not None and not getattr(value, "valid", True)


# -- remote ---------------------------------------------------------------------------------------------------


class RemoteHandle:
    """What `remote` refers to in one Lua state: the owner that registers interfaces through it."""

    lua_class = "LuaRemote"

    def __init__(self, owner: Any, oid: int):
        self.owner = owner
        self.oid = oid
        self.valid = True


@Remote.method("add_interface")
def _add_interface(state, handle, name, functions):
    engine = _engine(state)
    if not isinstance(name, str):
        raise ScriptError("remote.add_interface: the interface name must be a string")
    if name in engine.remote_interfaces:
        raise ScriptError(f"An interface already exists under with name: {name}")  # the game's wording
    if not isinstance(functions, dict):
        raise ScriptError("remote.add_interface: functions must be a table of name -> function")
    engine.remote_interfaces[name] = (handle.owner, {k: v for k, v in functions.items() if callable(v)})


@Remote.method("remove_interface")
def _remove_interface(state, handle, name):
    return _engine(state).remote_interfaces.pop(name, None) is not None


@Remote.getter("interfaces")
def _interfaces(state, handle):
    engine = _engine(state)
    return {name: {fname: True for fname in fns} for name, (_, fns) in engine.remote_interfaces.items()}


def _no_functions(value, where: str) -> None:
    """Functions cannot cross between Lua states (in Factorio either); say so instead of failing deep inside."""
    if isinstance(value, (list, tuple)):
        for v in value:
            _no_functions(v, where)
    elif isinstance(value, dict):
        for v in value.values():
            _no_functions(v, where)
    elif callable(value) and getattr(value, "lua_class", None) is None:
        raise ScriptError(f"{where}: functions can't be passed between mods; pass data (tables, strings, numbers) instead")


@Remote.method("call")
def _call(state, handle, interface, function, *args):
    engine = _engine(state)
    entry = engine.remote_interfaces.get(interface)
    if entry is None:
        raise ScriptError(f"Unknown interface: {interface}")
    owner, functions = entry
    fn = functions.get(function)
    if fn is None:
        raise ScriptError(f"No such function: {interface}.{function}")
    target = owner.state
    _no_functions(args, f"remote.call({interface!r}, {function!r})")
    # Values cross Lua states by copy, as between Factorio's mod states; API objects stay references.
    lua_args = [target.to_lua(a) for a in args]
    try:
        result = target.call(f"remote.call {interface}.{function}", fn, *lua_args)
    except LuaRuntimeError as e:
        raise ScriptError(f"Error when running interface function {interface}.{function}: {e}") from e
    if isinstance(result, tuple):
        # remote.call returns one value (`Any?`); further results are dropped, as in the game.
        result = result[0] if result else None
    return target.from_lua(result)


# -- commands -------------------------------------------------------------------------------------------------


class CommandsHandle:
    lua_class = "LuaCommandProcessor"

    def __init__(self, owner: Any, oid: int):
        self.owner = owner
        self.oid = oid
        self.valid = True


@Commands.method("add_command")
def _add_command(state, handle, name, help_text, fn):
    engine = _engine(state)
    if not isinstance(name, str) or not name:
        raise ScriptError("commands.add_command: name must be a non-empty string")
    if name in engine.console.custom or name in engine.console.builtin:
        raise ScriptError(f"Command with name \"{name}\" already exists.")
    engine.console.custom[name] = (handle.owner, help_text, _fn_or_nil(fn, "commands.add_command"))


@Commands.method("remove_command")
def _remove_command(state, handle, name):
    return _engine(state).console.custom.pop(name, None) is not None


@Commands.getter("commands")
def _commands(state, handle):
    return {name: engine_help for name, (_, engine_help, _) in _engine(state).console.custom.items()}


@Commands.getter("game_commands")
def _game_commands(state, handle):
    return dict(_engine(state).console.builtin)
