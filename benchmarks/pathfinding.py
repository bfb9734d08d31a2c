"""Measure find_path on ~200-tile requests: generated terrain, an open field and a wall maze.

    python benchmarks/pathfinding.py [--seeds 5] [--repeat 3]

terrain: the map generator's own seeds; water tiles and every tile a tree's or rock's collision_box touches are
blocked; the goal is the free tile nearest to (140, -140), a ~200-tile walk from the spawn.
open: nothing blocked, goal at (200, 50).
walls: five 56-tile walls across the way, gaps at alternate ends; the worst case for A*, which floods the pocket
in front of each wall before going round it.
Target: a ~200-tile path around obstacles in < 50 ms (terrain median); walls is reported, not targeted.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

from factoryverse.engine.prototypes import load_prototypes
from factoryverse.engine.world.mapgen import WATER_TILES, MapGenerator
from factoryverse.engine.world.pathfinding import find_path, path_length

TARGET_MS = 50.0


def _terrain(seed: int) -> Callable[[int, int], bool]:
    raw = load_prototypes().raw
    gen = MapGenerator(seed)
    blocked: set[tuple[int, int]] = set()
    for cx in range(-6, 6):
        for cy in range(-6, 6):
            chunk = gen.generate_chunk(cx, cy)
            for k, name in enumerate(chunk.tiles):
                if name in WATER_TILES:
                    blocked.add((cx * 32 + k % 32, cy * 32 + k // 32))
            for name, x, y in chunk.decoratives:
                (l, t), (r, b) = (raw["tree"].get(name) or raw["simple-entity"][name])["collision_box"]
                for ty in range(math.floor(y + t), math.ceil(y + b)):
                    for tx in range(math.floor(x + l), math.ceil(x + r)):
                        blocked.add((tx, ty))
    return lambda x, y: (x, y) in blocked or not (-192 <= x < 192 and -192 <= y < 192)


def _nearest_free(is_blocked: Callable[[int, int], bool], x: int, y: int) -> tuple[float, float]:
    for r in range(0, 30):
        for dx in range(-r, r + 1):
            for dy in range(-r, r + 1):
                if max(abs(dx), abs(dy)) == r and not is_blocked(x + dx, y + dy):
                    return x + dx + 0.5, y + dy + 0.5
    raise RuntimeError("no free tile near the goal")


def _walls() -> Callable[[int, int], bool]:
    walls = {(wx, y) for i, wx in enumerate(range(20, 200, 40)) for y in range(-30, 31)
             if not ((i % 2 == 0 and y > 25) or (i % 2 == 1 and y < -25))}
    return lambda x, y: (x, y) in walls


def _time(is_blocked, start, goal, repeat: int) -> tuple[float, list | None]:
    best = math.inf
    path = None
    for _ in range(repeat):
        started = time.perf_counter()
        path = find_path(is_blocked, start, goal)
        best = min(best, time.perf_counter() - started)
    return best * 1000, path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="runs per request; the best is kept")
    args = parser.parse_args()
    terrain_ms = []
    for seed in range(args.seeds):
        is_blocked = _terrain(seed)
        goal = _nearest_free(is_blocked, 140, -140)
        ms, path = _time(is_blocked, (0.5, 0.5), goal, args.repeat)
        terrain_ms.append(ms)
        found = f"{path_length(path):.0f} tiles, {len(path)} waypoints" if path else "no path"
        print(f"terrain seed {seed}: {ms:6.1f} ms  ({found})")
    ms, path = _time(lambda x, y: False, (0.5, 0.5), (200.5, 50.5), args.repeat)
    print(f"open field:       {ms:6.1f} ms  ({path_length(path):.0f} tiles)")
    ms, path = _time(_walls(), (0.5, 0.5), (200.5, 0.5), args.repeat)
    print(f"wall maze:        {ms:6.1f} ms  ({path_length(path):.0f} tiles; worst case, not targeted)")
    median = statistics.median(terrain_ms)
    verdict = "meets" if median < TARGET_MS else "MISSES"
    print(f"target: ~200-tile path on terrain in < {TARGET_MS:.0f} ms -> median {median:.1f} ms {verdict} the target")


if __name__ == "__main__":
    main()
