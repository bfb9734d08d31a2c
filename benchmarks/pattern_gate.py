"""The longest C pattern-matcher call the engine's gate lets through (engine/lua/strings.lua).

string.find & co call Lua's C matcher only when an upper bound of its work is under PATTERN_COST_LIMIT; the
instruction hook cannot stop C code, so that bound is what keeps one call from freezing the game. This script
feeds the gate adversarial cases (backtracking patterns over runs of one character, at lengths doubling up to
64 KiB), times every call the gate sends to C, and prints the slowest.

Usage: python benchmarks/pattern_gate.py
Exit status is 1 when the slowest call misses the target.
"""

from __future__ import annotations

import sys
import time

from factoryverse.engine.api import REGISTRY
from factoryverse.engine.lua.runtime import PATTERN_COST_LIMIT, LuaState

TARGET_MS = 10.0

PATTERNS = [
    "a*a*b", "a*a*a*b", ".-.-b", ".-.-.-b", "a-a-a-b", "(a*)(a*)b", "a?a?a?a?a?a?a?a?b", "%s*(.-)%s*$",
    "^(.-)%s*$", "(.-),", "a*b", "[ab]*[ab]*c", "%ba$", "(a+)%1b", ".*.*.*.*b", "a*$", "x(a*)a*y",
]


def main() -> int:
    state = LuaState("bench", REGISTRY)
    gate, c = state.strings.gate, state.strings.c
    clock = time.perf_counter
    worst = (0.0, "", 0)
    let_through = 0
    for pattern in PATTERNS:
        n = 8
        while n <= 65536:
            for subject in ("a" * n, ("a" * 63 + " ") * (n // 64) or "a" * n):
                for kind, fn in (("find", c.find), ("gsub", c.gsub)):
                    if not gate(kind, subject, pattern):
                        continue
                    let_through += 1
                    args = (subject, pattern) if kind == "find" else (subject, pattern, "")
                    start = clock()
                    fn(*args)
                    took = (clock() - start) * 1000
                    if took > worst[0]:
                        worst = (took, f"{kind} {pattern!r}", n)
            n *= 2
    ms, what, n = worst
    print(f"calls let through to C: {let_through}; cost limit {PATTERN_COST_LIMIT:,} steps")
    print(f"slowest C call let through: {ms:.2f} ms ({what} over {n} characters); target <= {TARGET_MS} ms")
    return 0 if ms <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
