"""LuaCustomTables: game.surfaces / game.forces (keyed by name, also indexable by number; pairs() gives names), and
read-only tables by name whose values are made on first read (prototypes.*, force.recipes, force.technologies).

One Lua table per state and content: reading `game.surfaces` again gives the same table until a surface or force
is created, removed or renamed, when the next read builds a new one (the cache key is every object's id, name and
index, so no event has to reach this module).
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["custom_table", "lazy_named_table"]

# `#` is the number of objects, as the game's length operator gives (a table keyed by name has no sequence).
_MAKER = """function(by_name, by_index)
  local count = 0
  for _ in next, by_name do count = count + 1 end
  return setmetatable(by_name, {
    __index = function(_, k) return by_index[k] end,
    __newindex = function() error("LuaCustomTable is read only.", 2) end,
    __len = function() return count end,
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


_LAZY_MAKER = """function(lookup, names)
  local t = {}
  return setmetatable(t, {
    __index = function(_, k) local v = lookup(k); if v ~= nil then rawset(t, k, v) end; return v end,
    __newindex = function() error("LuaCustomTable is read only.", 2) end,
    __pairs = function()
      local i = 0
      return function()
        i = i + 1
        local n = names[i]
        if n == nil then return nil end
        return n, t[n]
      end, t, nil
    end,
  })
end"""


def lazy_named_table(state: Any, names: list[str], make: Callable[[str], Any]) -> Any:
    """A read-only LuaCustomTable of `names` (pairs in that order) whose value for a name is `make(name)` (a Python
    object pushed into Lua), made when first read and kept; any other key reads nil."""
    known = set(names)
    maker = state.__dict__.get("_lazy_table_maker")
    if maker is None:
        maker = state._lazy_table_maker = state.lua.eval(_LAZY_MAKER)

    def lookup(name: Any) -> Any:
        return state.to_lua(make(name)) if isinstance(name, str) and name in known else None

    return maker(state.wrap(lookup), state.to_lua(list(names)))
