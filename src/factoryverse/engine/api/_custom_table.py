"""LuaCustomTable for game.surfaces / game.forces: keyed by name, also indexable by number; pairs() gives names.

One Lua table per state and content: reading `game.surfaces` again gives the same table until a surface or force
is created, removed or renamed, when the next read builds a new one (the cache key is every object's id, name and
index, so no event has to reach this module).
"""

from __future__ import annotations

from typing import Any

__all__ = ["custom_table"]

_MAKER = """function(by_name, by_index)
  return setmetatable(by_name, {
    __index = function(_, k) return by_index[k] end,
    __newindex = function() error("LuaCustomTable is read only.", 2) end,
  })
end"""

# Tables kept per state: game.surfaces and game.forces, with room for the odd one just replaced.
_KEEP = 8


def custom_table(state: Any, objects: list[Any]) -> Any:
    key = tuple((o.oid, o.name, o.index) for o in objects)
    cache: dict[tuple[Any, ...], Any] | None = state.__dict__.get("_custom_tables")
    if cache is None:
        cache = state._custom_tables = {}
    table = cache.get(key)
    if table is None:
        maker = state.__dict__.get("_custom_table_maker")
        if maker is None:
            maker = state.lua.eval(_MAKER)
            state._custom_table_maker = maker
        by_name = state.to_lua({o.name: o for o in objects})
        by_index = state.to_lua({o.index: o for o in objects})
        table = maker(by_name, by_index)
        if len(cache) >= _KEEP:
            cache.clear()
        cache[key] = table
    return table
