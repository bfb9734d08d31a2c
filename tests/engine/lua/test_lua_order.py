"""pairs()/next() visit keys as Factorio's Lua does: integer keys 1..1024 in numeric order, then every other key in
insertion order (lua-api.factorio.com, Auxiliary Docs, "Libraries and functions"), the same in every process.

The order comes from lupa's Lua 5.2 built with tools/lua/lua52-factorio-order.patch (`make lupa`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import lupa.lua52 as lupa
import pytest

from factoryverse.engine.errors import UnpatchedLuaError
from factoryverse.engine.lua.traversal import check_traversal_order, traversal_order_problem

ROOT = Path(__file__).resolve().parents[3]

_KEYS = """
local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = type(k) == "table" and k.name or tostring(k) end
  return table.concat(out, " ")
end
"""


@pytest.fixture
def lua():
    return lupa.LuaRuntime(register_eval=False, register_builtins=False)


def _run(lua, body: str, *args) -> str:
    return lua.execute(_KEYS + body, *args)


def test_string_keys_come_in_insertion_order(lua):
    names = [f"key{(i * 7919) % 1000}" for i in range(300)]
    got = _run(lua, "local t = {} for _, n in ipairs(...) do t[n] = true end return keys(t)", lua.table_from(names))
    assert got.split() == names


def test_integer_keys_up_to_1024_come_first_in_numeric_order(lua):
    got = _run(
        lua,
        """local t = {}
        t.s = 1; t[2000] = 1; t[1024] = 1; t[0] = 1; t[1025] = 1; t[-3] = 1; t[7.5] = 1
        for i = 1000, 1, -1 do t[i] = 1 end
        return keys(t)""",
    )
    assert got.split() == [str(i) for i in range(1, 1001)] + ["1024", "s", "2000", "0", "1025", "-3", "7.5"]


def test_mixed_table_and_userdata_keys_come_in_insertion_order(lua):
    class Thing:  # a Python object reaches Lua as userdata, hashed by its address in stock Lua
        def __init__(self, name):
            self.name = name

    things = [Thing(f"u{i}") for i in range(20)]
    got = lua.execute(
        """local things = ...
        local t, names = {}, {}
        for i = 1, 20 do
          local k = {name = "t" .. i}
          t[k] = i; names[k] = k.name
          t[things[i]] = i; names[things[i]] = "u" .. (i - 1)
          t["s" .. i] = i; names["s" .. i] = "s" .. i
          t[true] = 1; names[true] = "true"
        end
        local out = {}
        for k in pairs(t) do out[#out + 1] = names[k] end
        return table.concat(out, " ")""",
        lua.table_from(things),
    )
    expected = []
    for i in range(1, 21):
        expected += [f"t{i}", f"u{i - 1}", f"s{i}"] + (["true"] if i == 1 else [])
    assert got.split() == expected


def test_growing_past_many_sizes_keeps_the_order(lua):
    # Every rehash rebuilds the hash part; the order must survive them, with removed keys among the live ones.
    got = _run(
        lua,
        """local t = {}
        for i = 1, 5000 do
          t["k" .. (5001 - i)] = i; t[-i] = i
          if i % 3 == 0 then t["k" .. (5001 - i + 1)] = nil end
        end
        return keys(t)""",
    ).split()
    expected = []
    for i in range(1, 5001):
        expected += [f"k{5001 - i}", str(-i)]
        if i % 3 == 0:
            expected.remove(f"k{5001 - i + 1}")
    assert got == expected


def test_a_removed_key_set_again_comes_last_and_a_changed_value_keeps_its_place(lua):
    got = _run(
        lua,
        """local t = {}
        t.a = 1; t.b = 1; t.c = 1; t[1500] = 1
        t.a = nil; t.a = 2       -- removed, then inserted again
        t.b = 3                  -- only a new value
        rawset(t, 1500, nil); rawset(t, 1500, 1)
        t.c = nil                -- removed for good
        return keys(t)""",
    )
    assert got == "b a 1500"


def test_keys_cleared_during_traversal_do_not_disturb_it(lua):
    # Lua lets a traversal clear fields (even twice); next() from a cleared key goes on where it was.
    got = _run(
        lua,
        """local t, seen = {}, {}
        for i = 1, 200 do t["k" .. i] = i; t[2000 + i] = i end
        for k, v in pairs(t) do
          seen[#seen + 1] = tostring(k)
          if v % 2 == 0 then t[k] = nil; t[k] = nil; collectgarbage() end
        end
        return table.concat(seen, " ") .. " | " .. keys(t)""",
    )
    seen, left = got.split(" | ")
    assert seen.split() == [key for i in range(1, 201) for key in (f"k{i}", str(2000 + i))]
    assert left.split() == [key for i in range(1, 201, 2) for key in (f"k{i}", str(2000 + i))]


def test_constructor_items_past_1024_come_in_written_order(lua):
    got = _run(
        lua,
        """local src = {} for i = 1, 3000 do src[i] = i end
        local t = load("return {" .. table.concat(src, ",") .. ", x = 1}")()
        return keys(t) .. " #" .. #t""",
    )
    assert got.split() == [str(i) for i in range(1, 3001)] + ["x", "#3000"]


def test_length_and_ipairs_are_unchanged(lua):
    got = lua.execute(
        """local t = {}
        for i = 1, 2000 do t[i] = i end
        local n = 0 for _ in ipairs(t) do n = n + 1 end
        return #{1, 2, 3} .. " " .. n .. " " .. #{n = 1} .. " " .. select("#", table.unpack({1, 2, 3}))"""
    )
    assert got == "3 2000 0 3"


_SCRIPT = r"""
import sys, tempfile
from factoryverse.engine.engine import Engine
with tempfile.TemporaryDirectory() as mods:
    engine = Engine(seed=1, mods_dir=mods, starting_chunks=1)
    print(engine.execute_command(sys.argv[1]))
"""

_COMMAND = (
    "/sc local t, o = {}, {} "
    "for i = 1, 60 do t['name' .. ((i * 37) % 61)] = {i, tag = 'x' .. i} end "
    "t[{}] = 1 t[{}] = 2 "
    "for k, v in pairs(t) do o[#o + 1] = type(k) == 'table' and ('{' .. v .. '}') or k end "
    "rcon.print(table.concat(o, ' ') .. '\\n' .. serpent.line(t, {sortkeys = false}) .. '\\n' .. serpent.block(t))"
)


def _in_process(extra_env: dict[str, str]) -> str:
    env = dict(os.environ, **extra_env)
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, _COMMAND], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_same_order_and_serpent_text_in_every_process():
    # Different environment sizes and hash seeds move the stack and heap (and ASLR moves everything), which is
    # what stock Lua's string hash seed and address hashing fed on.
    runs = [_in_process({"PYTHONHASHSEED": str(seed), "FV_PAD": "x" * pad}) for seed, pad in ((0, 1), (1, 5000))]
    assert runs[0] == runs[1]
    order = runs[0].splitlines()[0].split()
    assert order == [f"name{(i * 37) % 61}" for i in range(1, 61)] + ["{1}", "{2}"]


def test_the_engine_checks_the_build():
    assert traversal_order_problem() is None
    check_traversal_order()


class _StockOrder:
    """A real Lua runtime whose pairs() visits keys sorted by their text, as an unpatched build's differs from
    Factorio's: the check must see the difference and refuse with what to do."""

    @staticmethod
    def LuaRuntime(**kw):
        rt = lupa.LuaRuntime(**kw)
        rt.execute(
            """local next, sort, tostring = next, table.sort, tostring
            function pairs(t)
              local ks = {}
              for k in next, t do ks[#ks + 1] = k end
              sort(ks, function(a, b) return tostring(a) < tostring(b) end)
              local i = 0
              return function() i = i + 1; local k = ks[i]; if k ~= nil then return k, t[k] end end, t, nil
            end"""
        )
        return rt


def test_a_build_with_another_order_is_refused_with_what_to_do():
    problem = traversal_order_problem(_StockOrder)
    assert problem is not None and "make lupa" in problem and "stock Lua 5.2" in problem
    with pytest.raises(UnpatchedLuaError, match="make lupa"):
        check_traversal_order(_StockOrder)
