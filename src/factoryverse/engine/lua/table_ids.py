"""Numbering Lua tables by first visit, for walks that must see shared references and cycles (save, state hash)."""

from __future__ import annotations

from typing import Any

__all__ = ["table_numberer"]

# Weak keys: the numbering must not keep a mod's tables alive after the walk.
_TABLE_IDS = """function()
  local ids, n = setmetatable({}, { __mode = "k" }), 0
  return function(t)
    local i = ids[t]
    if not i then n = n + 1; ids[t] = n; i = n end
    return i
  end
end"""


def table_numberer(state: Any) -> Any:
    """A Lua function of `state` giving each table a number, 1.. in the order the walk first meets it."""
    return state.lua.eval(_TABLE_IDS)()
