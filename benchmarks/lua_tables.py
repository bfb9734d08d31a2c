"""Table-heavy Lua on the engine's Lua 5.2 (lupa.lua52): what Factorio's traversal order costs.

The patched build (tools/lua/lua52-factorio-order.patch) keeps integer keys above 1024 in the hash part and chains
hash nodes in insertion order, so long arrays and big maps are where it could be slower than stock Lua. Run it on
the installed build, and on a stock lupa for comparison:

    .venv/bin/python benchmarks/lua_tables.py
    pip install --no-deps --target /tmp/stocklupa lupa==2.8 && PYTHONPATH=/tmp/stocklupa .venv/bin/python benchmarks/lua_tables.py
"""

from __future__ import annotations

import time

import lupa.lua52 as lupa

__all__ = ["main"]

_CASES = {
    "array append t[#t+1], 1M": """local t = {} for i = 1, 1000000 do t[#t + 1] = i end return #t""",
    "array fill t[i], 1M, then sum by ipairs": """local t = {} for i = 1, 1000000 do t[i] = i end
        local s = 0 for _, v in ipairs(t) do s = s + v end return s""",
    "small arrays {..} of 8, 200k": """local n = 0 for i = 1, 200000 do local t = {i, i, i, i, i, i, i, i} n = n + #t end return n""",
    "records {x=,y=}, 1M": """local n = 0 for i = 1, 1000000 do local p = {x = i, y = i} n = n + p.x end return n""",
    "string keys: 200k inserts + 1M lookups": """local t = {} for i = 1, 200000 do t["k" .. i] = i end
        local s = 0 for r = 1, 5 do for i = 1, 200000, 1 do s = s + t["k" .. i] end end return s""",
    "pairs over 200k keys x10": """local t = {} for i = 1, 200000 do t["k" .. i] = i end
        local s = 0 for r = 1, 10 do for k, v in pairs(t) do s = s + v end end return s""",
    "churn: 100k keys, 1M remove/insert": """local t = {} for i = 1, 100000 do t[i * 7 + 0.5] = i end
        for i = 1, 1000000 do local k = (i % 100000) * 7 + 0.5 t[k] = nil t[k] = i end return 0""",
    "table.insert/remove queue, 200k": """local q = {} for i = 1, 200000 do table.insert(q, i) end
        local s = 0 while #q > 0 do s = s + table.remove(q) end return s""",
}


def main() -> None:
    build = lupa.LuaRuntime().execute("local t = {} t.b = 1 t[2000] = 1 t[1999] = 1 t.a = 1 "
                                      "local o = {} for k in pairs(t) do o[#o + 1] = tostring(k) end "
                                      "return table.concat(o, ' ')")
    patched = build == "b 2000 1999 a"
    print(f"lupa.lua52: {'patched (Factorio order)' if patched else 'stock'}; best of 3, seconds")
    for name, src in _CASES.items():
        best = float("inf")
        for _ in range(3):
            lua = lupa.LuaRuntime()
            fn = lua.eval("function(src) return assert(load(src)) end")(src)
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        print(f"  {name:45s} {best:7.3f}")


if __name__ == "__main__":
    main()
