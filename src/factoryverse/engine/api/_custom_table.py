"""LuaCustomTable for game.surfaces / game.forces: keyed by name, also indexable by number; pairs() gives names."""

from __future__ import annotations

from typing import Any

__all__ = ["custom_table"]

_MAKER = """function(by_name, by_index)
  return setmetatable(by_name, {
    __index = function(_, k) return by_index[k] end,
    __newindex = function() error("LuaCustomTable is read only.", 2) end,
  })
end"""


def custom_table(state: Any, objects: list[Any]) -> Any:
    maker = state.__dict__.get("_custom_table_maker")
    if maker is None:
        maker = state.lua.eval(_MAKER)
        state._custom_table_maker = maker
    by_name = state.to_lua({o.name: o for o in objects})
    by_index = state.to_lua({o.index: o for o in objects})
    return maker(by_name, by_index)
