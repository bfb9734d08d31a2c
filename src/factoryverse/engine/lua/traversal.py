"""The engine's Lua must traverse tables as Factorio's does; this checks that the installed lupa was built so.

Factorio's `next` (so `pairs`) visits the integer keys 1..1024 in numeric order, then every other key in insertion
order; stock Lua 5.2's order depends on addresses and a random hash seed and changes from run to run. `make lupa`
(tools/lua/build_lupa.py) builds lupa's Lua 5.2 with tools/lua/lua52-factorio-order.patch; the engine refuses to
start on any other build, so a run is never silently non-deterministic.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.errors import UnpatchedLuaError

__all__ = ["check_traversal_order", "traversal_order_problem"]

# Each part fails on stock Lua whatever its hash seed: the numbers above 1024 are inserted in descending order (stock
# hashes consecutive numbers to ascending nodes), 1..1024 are inserted in descending order with a string first, and
# a removed-then-set key must come last.
_PROBE = """
local t, out = {}, {}
t.first = true
for i = 2040, 2001, -1 do t[i] = true end
t[1.5] = true
for i = 1024, 1, -1 do t[i] = true end
local key = {}
t[key] = true
t.again = true
t.first = nil
t.first = true
for k in pairs(t) do
  out[#out + 1] = k == key and "{}" or tostring(k)
end
return table.concat(out, " ")
"""


def _expected() -> str:
    keys = [str(i) for i in range(1, 1025)] + [str(i) for i in range(2040, 2000, -1)] + ["1.5", "{}", "again", "first"]
    return " ".join(keys)


_PROBE_EXPECTED = _expected()

_checked = False


def traversal_order_problem(lua_module: Any = None) -> str | None:
    """None if `lua_module` (default: lupa.lua52) traverses tables as Factorio does, else what it does instead."""
    if lua_module is None:
        import lupa.lua52 as lua_module
    got = lua_module.LuaRuntime(register_eval=False, register_builtins=False).execute(_PROBE)
    if got == _PROBE_EXPECTED:
        return None
    return (
        f"the installed {_lupa_version()} runs stock Lua 5.2, whose pairs() order changes from run to run, not "
        "Factorio's (integer keys 1..1024 in order, then insertion order): run `make lupa` in the FactoryVerse "
        "checkout (`make test` and `make demo` do it) to build lupa's Lua 5.2 with "
        "tools/lua/lua52-factorio-order.patch and install it into this virtualenv"
    )


def _lupa_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return "lupa " + version("lupa")
    except PackageNotFoundError:  # pragma: no cover - lupa imported but not installed as a distribution
        return "lupa of unknown version"


def check_traversal_order(lua_module: Any = None) -> None:
    """Raise UnpatchedLuaError unless `lua_module` (default: lupa.lua52, checked once per process) traverses tables
    as Factorio does."""
    global _checked
    if lua_module is None and _checked:
        return
    problem = traversal_order_problem(lua_module)
    if problem is not None:
        raise UnpatchedLuaError(problem)
    if lua_module is None:
        _checked = True
