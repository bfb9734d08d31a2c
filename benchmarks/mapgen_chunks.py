"""Measure MapGenerator.generate_chunk on the starting area: the 64 chunks with cx, cy in -4..3.

    python benchmarks/mapgen_chunks.py [--seeds 5] [--radius 4]

Each seed gets a fresh generator, so nothing is reused between runs; prototype data is loaded once beforehand,
as the engine has it loaded by the time it generates a map. Target: the 64 chunks in well under 1 s (<= 0.5 s).
"""

from __future__ import annotations

import argparse
import statistics
import time

from factoryverse.engine.prototypes import load_prototypes
from factoryverse.engine.world.mapgen import MapGenerator

TARGET_SECONDS = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="how many seeds (0..N-1) to time")
    parser.add_argument("--radius", type=int, default=4, help="chunks -R..R-1 on each axis")
    args = parser.parse_args()
    load_prototypes()
    coords = [(cx, cy) for cx in range(-args.radius, args.radius) for cy in range(-args.radius, args.radius)]
    runs = []
    setup = []
    counts = [0, 0, 0]
    for seed in range(args.seeds):
        started = time.perf_counter()
        gen = MapGenerator(seed)
        made = time.perf_counter()
        for cx, cy in coords:
            chunk = gen.generate_chunk(cx, cy)
            counts[0] += len(chunk.tiles)
            counts[1] += len(chunk.resources)
            counts[2] += len(chunk.decoratives)
        runs.append(time.perf_counter() - made)
        setup.append(made - started)
    n = len(coords)
    print(f"{args.seeds} seeds x {n} chunks: {counts[0]:,} tiles, {counts[1]:,} ore tiles, "
          f"{counts[2]:,} trees and rocks")
    median = statistics.median(runs)
    print(f"per seed: median {median:.3f} s, best {min(runs):.3f} s, worst {max(runs):.3f} s "
          f"({median / n * 1000:.1f} ms per chunk); MapGenerator() {statistics.median(setup) * 1000:.1f} ms")
    scaled = TARGET_SECONDS * n / 64
    verdict = "meets" if median <= scaled else "MISSES"
    print(f"target: 64 chunks in <= {TARGET_SECONDS:.2f} s (well under 1 s) -> median {verdict} the target")


if __name__ == "__main__":
    main()
