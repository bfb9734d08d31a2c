"""What the engine's bounded string functions add to a normal call (engine/lua/strings.lua).

Times the same short calls mods make (find, match, gsub, gmatch on short strings; rep; concat) in a loop, once with
the C functions and once with the wrappers every state installs, and prints the added time per call.

Usage: python benchmarks/string_wrappers.py
Exit status is 1 when the worst added time misses the target.
"""

from __future__ import annotations

import sys
import time

from factoryverse.engine.api import REGISTRY
from factoryverse.engine.lua.runtime import LuaState

TARGET_US = 2.0
CALLS = 200_000

CASES = {
    "find plain": "local s = 'iron-plate' for i = 1, N do local a = F.find(s, '-', 1, true) end",
    "find pattern": "local s = 'entity-name-42' for i = 1, N do local a = F.find(s, '%d+$') end",
    "match trim": "local s = '  some text  ' for i = 1, N do local a = F.match(s, '^%s*(.-)%s*$') end",
    "gsub": "local s = 'a.b.c' for i = 1, N do local a = F.gsub(s, '%.', '/') end",
    "gmatch": "local s = 'a b c' for i = 1, N do for w in F.gmatch(s, '%a') do end end",
    "rep": "for i = 1, N do local a = F.rep('ab', 8) end",
    "concat": "local t = {'a', 'b', 'c'} for i = 1, N do local a = F.concat(t, ',') end",
}


def main() -> int:
    state = LuaState("bench", REGISTRY)
    g = state.lua.globals()
    wrapped = state.lua.table_from(
        {"find": g.string.find, "match": g.string.match, "gsub": g.string.gsub, "gmatch": g.string.gmatch,
         "rep": g.string.rep, "concat": g.table.concat}
    )
    c = state.strings.c
    worst = 0.0
    for name, body in CASES.items():
        fn = state.lua.execute("return function(F, N) " + body + " end")
        times = {}
        for label, funcs in (("C", c), ("engine", wrapped)):
            fn(funcs, 1000)
            start = time.perf_counter()
            fn(funcs, CALLS)
            times[label] = (time.perf_counter() - start) / CALLS * 1e6
        added = times["engine"] - times["C"]
        worst = max(worst, added)
        print(f"{name:13s} C {times['C']:.2f} us/call, engine {times['engine']:.2f} us/call, added {added:.2f} us")
    print(f"worst added time per call: {worst:.2f} us; target <= {TARGET_US} us")
    return 0 if worst <= TARGET_US else 1


if __name__ == "__main__":
    sys.exit(main())
