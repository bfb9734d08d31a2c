"""The bounded string and table functions (engine/lua/strings.lua): the Lua port of Lua 5.2's pattern matcher gives
the C matcher's results and errors; the wrappers keep the C library's results and messages for normal sizes; long
work (backtracking patterns, huge strings and tables) ends in the command that started it."""

from __future__ import annotations

import time

import lupa.lua52 as lupa
import pytest

from factoryverse.engine.api import REGISTRY
from factoryverse.engine.engine import Engine
from factoryverse.engine.lua.runtime import LuaState

_LIMIT = 2_000_000

# Runs inside a state: compares two implementations (C and port) over hand-picked and seeded random cases and returns
# the first mismatches. Seeded with its own generator so the cases are the same on every run.
_FIDELITY = r"""
local C, P, seed, count = ...
local out, mismatches, checked = {}, {}, 0
local function ser(...)
  local n = select('#', ...)
  local parts = {}
  for i = 1, n do
    local v = select(i, ...)
    parts[i] = type(v) .. ':' .. tostring(v)
  end
  return table.concat(parts, '|')
end
local function outcome(f, ...) return ser(pcall(f, ...)) end
local function iterate(g, s, p)
  local ok, it = pcall(g, s, p)
  if not ok then return 'E:' .. tostring(it) end
  local got = {}
  for _ = 1, 60 do
    local r = table.pack(pcall(it))
    if not r[1] then got[#got + 1] = 'E:' .. tostring(r[2]) break end
    if r.n == 1 or r[2] == nil then break end
    got[#got + 1] = ser(table.unpack(r, 2, r.n))
  end
  return table.concat(got, ';')
end
local function check(label, a, b)
  checked = checked + 1
  if a ~= b and #mismatches < 20 then mismatches[#mismatches + 1] = label .. '\n  C:    ' .. a .. '\n  port: ' .. b end
end

local repl_tables = { {a = 'A', ab = 'AB', ['1'] = 1.5, b = false}, setmetatable({}, {__index = function(_, k) return '<' .. k .. '>' end}) }
local repl_functions = {
  function(...) if select('#', ...) % 2 == 0 then return nil end return ser(...) end,
  function(x) if x == 'b' then return {} end return x end,
  function(x) return 7 end,
  function() return false end,
}
local repl_strings = { '<%0>', '%1', '%2-%1', '%%', 'x', '%', '%x', '', '%9', 12, 2.5 }
local inits = table.pack(nil, 1, 2, -1, -3, 0, 20, 2.5, '2', -100)
local maxes = table.pack(nil, 0, 1, 2, -1, 2.7)

local function compare(s, p)
  local q = string.format('%q %q', s, p)
  for k = 1, inits.n do
    local init = inits[k]
    check('find ' .. q .. ' ' .. tostring(init), outcome(C.find, s, p, init), outcome(P.find, s, p, init))
    check('find plain ' .. q, outcome(C.find, s, p, init, true), outcome(P.find, s, p, init, true))
    check('match ' .. q .. ' ' .. tostring(init), outcome(C.match, s, p, init), outcome(P.match, s, p, init))
  end
  check('gmatch ' .. q, iterate(C.gmatch, s, p), iterate(P.gmatch, s, p))
  for i, r in ipairs(repl_strings) do
    for k = 1, maxes.n do
      local m = maxes[k]
      check('gsub ' .. q .. ' ' .. tostring(r) .. ' ' .. tostring(m), outcome(C.gsub, s, p, r, m), outcome(P.gsub, s, p, r, m))
    end
  end
  for i, r in ipairs(repl_tables) do
    check('gsub table ' .. i .. ' ' .. q, outcome(C.gsub, s, p, r), outcome(P.gsub, s, p, r))
  end
  for i, r in ipairs(repl_functions) do
    check('gsub function ' .. i .. ' ' .. q, outcome(C.gsub, s, p, r), outcome(P.gsub, s, p, r))
  end
end

local fixed = {
  {'hello world', 'o w'}, {'hello world', '(o)(r)'}, {'  trim me  ', '^%s*(.-)%s*$'}, {'key = value', '(%w+)%s*=%s*(%w+)'},
  {'THE (quick) fox', '%f[%a]%a+'}, {'THE (quick) fox', '%b()'}, {'f(a(b)c)d', '%b()'}, {'abc', '()b()'},
  {'aaa', 'a-'}, {'aaa', 'a-$'}, {'aaab', 'a*b'}, {'aaab', 'a+?b'}, {'abab', '(ab)%1'}, {'abab', '(a)(b)%2'},
  {'abc', '%'}, {'abc', '[a'}, {'abc', '[]'}, {'abc', '[]]'}, {'a]c', '[]]'}, {'abc', '[^]]'}, {'abc', '(a'}, {'abc', 'a)'},
  {'abc', '%1'}, {'abc', '(a%1)'}, {'abc', '%b'}, {'abc', '%ba'}, {'abc', '%f'}, {'abc', '%fa'}, {'abc', '^'}, {'abc', '$'},
  {'abc', '^$'}, {'', ''}, {'', '.*'}, {'', '^$'}, {'abc', ''}, {'a.b', '.'}, {'a.b', '%.'}, {'a-b', '[a-]'}, {'a-b', '[%a-]'},
  {'x\0y', '%z'}, {'x\0y', '\0'}, {'x\0y', '[\0]'}, {'^a', '^^a'}, {'a$', 'a$$'}, {'$', '$'}, {'a b', '%s'}, {'123abc', '%d+'},
  {'abc', '[%w_]+'}, {'ABC def', '%u+'}, {'ABC def', '%L+'}, {'aaa', '(a*(.))%2'}, {'abc', '((a)(b))'}, {'abc', '()'},
  {string.rep('a', 250), string.rep('a?', 250)}, {'abc', string.rep('(a)', 33)}, {'aaa', '(()a)'}, {'hello', '(h)(e)(l)(l)(o)'},
  {'one two  three', '%s*'}, {'abc', 'b*'}, {'abc', '.-'}, {'a,b,,c', '([^,]*)'}, {'a,b,,c', '(.-),'},
}
for _, case in ipairs(fixed) do compare(case[1], case[2]) end

-- Seeded random patterns and subjects over a small alphabet, so that matches, backtracking and errors all occur.
local state = seed
local function rand(n)
  state = (state * 1103515245 + 12345) % 2147483648
  return state % n + 1
end
local atoms = { 'a', 'b', '.', '%a', '%d', '%s', '[ab]', '[^a]', '[a-c]', '%.', '%%', 'x', '(', ')', '()', '%b()', '%f[%a]',
  '%f[^%a]', '%1', '%2', '$', '^', '[]', '%', '[%a-]', '%z', '[%]]', '-', '%A', '%W', '[b-]', '(a)', '(.-)' }
local quantifiers = { '', '', '', '*', '+', '-', '?' }
local chars = { 'a', 'b', 'c', '(', ')', ' ', '1', '2', '.', '%', 'x', '\0', 'A', '-', ']' }
for _ = 1, count do
  local p = {}
  if rand(4) == 1 then p[1] = '^' end
  local quantified = 0
  for _ = 1, rand(6) do
    local atom = atoms[rand(#atoms)]
    local q = quantifiers[rand(#quantifiers)]
    if q ~= '' and quantified < 3 then quantified = quantified + 1 else q = '' end
    p[#p + 1] = atom .. q
  end
  if rand(5) == 1 then p[#p + 1] = '$' end
  local s = {}
  for _ = 1, rand(12) - 1 do s[#s + 1] = chars[rand(#chars)] end
  compare(table.concat(s), table.concat(p))
end
return checked, table.concat(mismatches, '\n')
"""


@pytest.fixture(scope="module")
def state() -> LuaState:
    return LuaState("t", REGISTRY, instruction_limit=10**12, watchdog=None)


def test_port_matches_the_c_matcher_on_hand_picked_and_random_cases(state):
    # The port must give the C functions' results (captures, positions, gsub counts) and their error messages.
    harness = state.lua.execute("return function(...) " + _FIDELITY + " end")
    checked, mismatches = harness(state.strings.c, state.strings.port, 20240607, 1500)
    assert mismatches == ""
    assert checked > 100_000


# Each is called as mod code calls library functions (not as a tail call, which no Lua function can tell its caller
# apart from: there the engine names the function "string.find" and reports the position one frame up).
_CALLS = [
    "return string.find('hello', 'l+')",
    "return ('hello'):find('l', 1, true)",
    "return string.match('key=val', '(%w+)=(%w+)')",
    "return string.gsub('hello world', '(o)', '[%1]')",
    "return string.gsub('abc', '%w', {a = 1})",
    "return string.gsub('abc', '%w', function(c) return c:upper() end, 2)",
    "local t = {} for k in string.gmatch('a1b2', '%a%d') do t[#t + 1] = k end return table.concat(t, ',')",
    "return string.rep('ab', 3, '-')",
    "return table.concat({1, 'b', 3}, ', ', 2, 3)",
    'local t = {3, 1, 2} table.sort(t) return table.concat(t)',
    'return string.find(nil)',
    "return ('x'):find(nil)",
    "return ('x'):find()",
    "local f = string.find local r = table.pack(f('a', {})) return r[1]",
    "return string.find('a', 'a', {})",
    "return string.find('abc', '%')",
    "return string.match('abc', '(')",
    "return string.gsub('abc', 'b', true)",
    "return string.gsub('abc', 'b', '%2')",
    "return string.gsub('abc', 'b', '%')",
    "return string.gsub('abc', 'b', function() return {} end)",
    "return ('x'):rep()",
    'return string.rep()',
    "return string.rep('x', 'y')",
    'return table.concat({1, {}, 3})',
    'return table.concat(nil)',
    'return table.concat({}, {})',
    "return table.sort({1, 'a', 2})",
    'return table.sort(5)',
    'return table.sort({}, 5)',
    "return select('#', pcall(string.gmatch))",
]


def _outcomes(lua_runtime) -> list[str]:
    # The same calls made from one named chunk, so error positions and names are comparable across runtimes.
    lines = ["local out = {}"]
    for body in _CALLS:
        if body.startswith("return "):
            body = "local r = table.pack(" + body[len("return "):] + ") return table.unpack(r, 1, r.n)"
        lines.append(
            "do local r = table.pack(pcall(function() " + body + " end)) "
            "for i = 1, r.n do r[i] = tostring(r[i]) end out[#out + 1] = table.concat(r, '|', 1, r.n) end"
        )
    lines.append("return table.concat(out, '\\n')")
    return lua_runtime.execute("return load(...)", "\n".join(lines), "@probe.lua")().split("\n")


def test_wrappers_keep_the_c_library_results_and_error_messages(state):
    plain = lupa.LuaRuntime()
    expected = _outcomes(plain)
    got = _outcomes(state.lua)
    assert got == expected


def test_backtracking_find_over_400_characters_ends_in_its_command(tmp_path):
    """Regression: string.find(string.rep('a', 400), '.-.-.-b') ran 9.8 s inside the C matcher, where the
    instruction hook never fires. Now the port runs it under the hook and the budget stops it."""
    engine = Engine(seed=1, mods=[], starting_chunks=1, instruction_limit=_LIMIT, watchdog_seconds=30)
    started = time.monotonic()
    reply = engine.execute_command("/sc rcon.print(string.find(string.rep('a', 400), '.-.-.-b'))")
    assert time.monotonic() - started < 5  # generous: the budget of 2M instructions ends it in milliseconds
    assert f"Instruction limit of {_LIMIT} exceeded" in reply
    assert engine.execute_command("/sc rcon.print('still answering')") == "still answering"


def test_normal_sized_pattern_calls_use_the_c_matcher(state):
    # Below the cost bound the C function runs: a trim of a short string costs the wrapper's few instructions only.
    code = "local s = '  padded  ' return s:match('^%s*(.-)%s*$'), ('a,b,c'):gsub(',', ';')"
    assert state.call("probe", state.compile(code, "=probe")) == ("padded", "a;b;c", 2)


def test_port_handles_a_long_subject_with_a_pessimistic_bound(state):
    # A long CSV line with a lazy capture: the bound sends it to the port, which still answers (and quickly).
    line = ",".join(f"field{i}" for i in range(3000))
    code = "local n = 0 for f in (...):gmatch('(.-),') do n = n + 1 end return n"
    assert state.call("probe", state.compile(code, "=probe"), line) == 2999


def test_string_rep_beyond_the_string_limit_fails_fast_and_allocates_nothing():
    """Regression: string.rep('x', 1e9) allocated 1 GB, and memory stayed high after the command."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    before = engine.level.memory_kb()
    reply = engine.execute_command("/sc local s = string.rep('x', 1e9)")
    assert "string.rep: the result would be 1000000000 bytes, over the engine's limit of 67108864 bytes" in reply
    assert engine.level.memory_kb() - before < 1024
    assert engine.execute_command("/sc rcon.print(#string.rep('ab', 3, ','))") == "8"


def test_rep_of_nothing_returns_at_once():
    # Regression guard: rep('', 2^31 - 1) made the C loop turn two billion times copying nothing.
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    assert engine.execute_command("/sc rcon.print('[' .. string.rep('', 2^31 - 1) .. ']')") == "[]"


def test_table_concat_of_a_huge_table_is_bounded():
    engine = Engine(seed=1, mods=[], starting_chunks=1, string_limit=1_000_000)
    reply = engine.execute_command("/sc local t = {} for i = 1, 200000 do t[i] = 'xxxxxxxxxx' end local s = table.concat(t)")
    assert "table.concat: the result would be at least" in reply
    assert "over the engine's limit of 1000000 bytes per string" in reply
    # Large but under the limit: the same result as the C function, chunk by chunk.
    code = "/sc local t = {} for i = 1, 10000 do t[i] = i end rcon.print(table.concat(t, ', ', 2))"
    assert engine.execute_command(code) == ", ".join(str(i) for i in range(2, 10001))


def test_large_sort_without_comparator_sorts_like_c_and_reports_compare_errors_alike(state):
    code = "local t = {} for i = 1, 30000 do t[i] = (i * 7919) % 30011 end table.sort(t) return t[1], t[2], t[30000]"
    assert state.call("probe", state.compile(code, "=probe")) == (1, 2, 30010)
    bad = "local t = {} for i = 1, 30000 do t[i] = i end t[7] = {} local ok, e = pcall(table.sort, t) return e"
    assert state.call("probe", state.compile(bad, "=probe")) == "attempt to compare table with number"
