"""Fork of a game with 1,000 placed entities, against issue 7's target (point 10: under 10 ms).

`Engine.fork()` copies the game in process: the world's pickle made and read back in memory (no file, no zlib),
then new Lua states for the level and every mod. Measured with no mods and with the three bundled mods, since
building the mods' Lua states dominates once they are there.

Usage: python benchmarks/fork.py [--entities 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from engine_scaling import working_factory  # noqa: E402

from factoryverse.engine.save.game_save import capture  # noqa: E402

TARGET_SECONDS = 0.010


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ok = True
    for label, mods in (("no mods", []), ("three mods", None)):
        engine = working_factory(args.entities, mods)
        forks, captures = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            capture(engine)
            captures.append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.fork()
            forks.append(time.perf_counter() - t)
        best = min(forks)
        ok = ok and best < TARGET_SECONDS
        print(f"{label}: fork {best * 1000:.1f} ms (of which the game's image {min(captures) * 1000:.1f} ms; "
              f"best of {args.repeat}; target {TARGET_SECONDS * 1000:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
