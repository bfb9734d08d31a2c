"""LuaSettings (`settings`): startup, runtime-global and per-user default mod settings (engine/settings.py).

`settings.startup`, `settings.global` and `settings.player_default` are LuaCustomTables of ModSetting (`{value =
...}`): each read gives a fresh table with the current value, `pairs` lists the settings in definition order, an
unknown name reads nil. As the game documents, `global` and `player_default` are written by assigning a whole
ModSetting (`settings.global[name] = {value = 5}`); a mod may change only its own settings, the console (the level)
any. A change of a global setting raises `on_runtime_mod_setting_changed` at once.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.settings import ModSettingsError

__all__: list[str] = []

Settings = api_class("LuaSettings")

_MAKER = """local get, set, names = ...
return setmetatable({}, {
  __index = function(_, k)
    local found, value = get(k)
    if found then return {value = value} end
    return nil
  end,
  __newindex = function(_, k, v) set(k, v) end,
  __len = function() return #names() end,
  __pairs = function(t)
    local list, i = names(), 0
    return function()
      i = i + 1
      local k = list[i]
      if k == nil then return nil end
      return k, t[k]
    end, t, nil
  end,
})"""

_KINDS = {"startup": "startup", "global": "runtime-global", "player_default": "runtime-per-user"}


def _values(settings: Any, kind: str) -> dict[str, Any]:
    return {"startup": settings.startup, "runtime-global": settings.global_values,
            "runtime-per-user": settings.player_default}[kind]


def _table(state: Any, handle: Any, member: str) -> Any:
    """One custom table per state and member; its reads go to the engine's current values."""
    cache = state.__dict__.setdefault("_mod_settings_tables", {})
    table = cache.get(member)
    if table is not None:
        return table
    settings, kind = handle.settings, _KINDS[member]

    def get(name: Any) -> Any:
        values = _values(settings, kind)
        if not isinstance(name, str) or name not in values:
            return (False, None)
        value = values[name]
        return (True, state.to_lua(value) if isinstance(value, dict) else value)

    def set_(name: Any, given: Any) -> None:
        _write(state, settings, kind, member, name, given)

    def names() -> Any:
        return state.to_lua(list(_values(settings, kind)))

    table = state.compile(_MAKER, "=[engine settings]")(state.wrap(get), state.wrap(set_), state.wrap(names))
    cache[member] = table
    return table


def _write(state: Any, settings: Any, kind: str, member: str, name: Any, given: Any) -> None:
    if kind == "startup":
        raise ScriptError(f"settings.startup is read only: startup settings are fixed when the game starts "
                          f"(set {name!r} in mod-settings.json or Engine(mod_settings=...))")
    values = _values(settings, kind)
    proto = settings.prototypes.get(name) if isinstance(name, str) else None
    if proto is None or name not in values:
        raise ScriptError(f"settings.{member} has no setting {name!r}")
    writer = state.name
    if writer != "level" and writer != proto.mod:
        raise ScriptError(f"mod {writer} cannot change setting {name!r}: it belongs to mod {proto.mod}, and mods can "
                          "only change their own settings (the console can change any)")
    table = state.from_lua(given)
    if not isinstance(table, dict) or "value" not in table:
        raise ScriptError(f"settings.{member}[{name!r}] takes a ModSetting table {{value = ...}}, got {table!r}")
    try:
        value = proto.effective(proto.check(table["value"], f"the value of setting {name!r} ({proto.type})"))
    except ModSettingsError as e:
        raise ScriptError(str(e)) from None
    values[name] = value
    if kind == "runtime-global":
        state.engine.events.raise_event(
            "on_runtime_mod_setting_changed", {"setting": name, "setting_type": "runtime-global"})


@Settings.getter("startup")
def _startup(state, handle):
    return _table(state, handle, "startup")


@Settings.getter("global")
def _global(state, handle):
    return _table(state, handle, "global")


@Settings.getter("player_default")
def _player_default(state, handle):
    return _table(state, handle, "player_default")


@Settings.method("get_player_settings")
def _get_player_settings(state, handle, player):
    # A headless game has no players (game.players is empty), so no PlayerIdentification names one.
    raise ScriptError(f"get_player_settings: player {player!r} doesn't exist (this headless game has no players)")
