"""Measure load_snapshot on a synthetic snapshot: tiles/s against the target (100k tiles in ~1-2 s).

    python benchmarks/db_load.py [--tiles 100000] [--entities 2000]

The snapshot is written in fv_snapshot's layout (chunk init files, status.jsonl) into a temporary
directory; ore fields are discs of four resources so patch clustering has realistic work.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from factoryverse.db import build_resource_patches, connect, load_snapshot
from factoryverse.schemas import load_wire_schema

# The records are written as the mods write them now: the wire schema's own version, not a copy of it.
_SCHEMA_VERSION = load_wire_schema()["schema_version"]

TARGET_SECONDS = 2.0
_RESOURCES = ("iron-ore", "copper-ore", "coal", "stone")


def _write_snapshot(root: Path, tiles: int, entities: int, seed: int) -> None:
    rng = random.Random(seed)
    files: dict[tuple[int, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    taken: set[tuple[int, int]] = set()
    made = 0
    patch = 0
    while made < tiles:
        name = _RESOURCES[patch % len(_RESOURCES)]
        radius = rng.randint(12, 40)
        cx, cy = rng.randint(-1500, 1500), rng.randint(-1500, 1500)
        for y in range(cy - radius, cy + radius + 1):
            for x in range(cx - radius, cx + radius + 1):
                if made < tiles and (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius and (x, y) not in taken:
                    taken.add((x, y))
                    rec = {"type": "resource_tile", "schema_version": _SCHEMA_VERSION, "run_id": "benchmark", "surface": "nauvis", "name": name,
                           "x": x, "y": y, "amount": rng.randint(200, 2000)}
                    files[(x // 32, y // 32)]["resources"].append(json.dumps(rec))
                    made += 1
        patch += 1
    for unit in range(1, entities + 1):
        x, y = rng.randint(-200, 200) + 0.5, rng.randint(-200, 200) + 0.5
        rec = {"type": "entity", "schema_version": _SCHEMA_VERSION, "run_id": "benchmark", "surface": "nauvis", "unit_number": unit,
               "name": "wooden-chest", "entity_type": "container", "x": x, "y": y, "direction": 0,
               "force": "player", "bbox": [x - 0.35, y - 0.35, x + 0.35, y + 0.35]}
        files[(math.floor(x / 32), math.floor(y / 32))]["entities"].append(json.dumps(rec))
    for (cx, cy), kinds in files.items():
        kinds["chunk"].append(json.dumps({"type": "chunk", "schema_version": _SCHEMA_VERSION, "run_id": "benchmark", "surface": "nauvis",
                                          "cx": cx, "cy": cy, "tick": 0}))
        folder = root / "nauvis" / "chunks" / str(cx) / str(cy)
        folder.mkdir(parents=True)
        for kind, lines in kinds.items():
            (folder / f"{kind}-init.jsonl").write_text("\n".join(lines) + "\n")
    status = {"type": "snapshot_status", "schema_version": _SCHEMA_VERSION, "run_id": "benchmark", "phase": "complete", "tick": 0, "seq": 0,
              "chunks": len(files)}
    (root / "status.jsonl").write_text(json.dumps(status) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiles", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fv_db_load_") as tmp:
        root = Path(tmp) / "fv_snapshot"
        _write_snapshot(root, args.tiles, args.entities, args.seed)
        con = connect(Path(tmp) / "map.duckdb")
        cpu = time.process_time()
        report = load_snapshot(con, root)
        cpu = time.process_time() - cpu
        again = load_snapshot(con, root)  # reload: drop and rebuild on a populated database
        started = time.perf_counter()
        build_resource_patches(con)
        patch_seconds = time.perf_counter() - started
        con.close()
    rate = report.resource_tiles / report.seconds
    print(f"files={report.files} tiles={report.resource_tiles} entities={report.entities} patches={report.patches}")
    print(f"first load: {report.seconds:.2f} s wall, {cpu:.2f} s CPU ({rate:,.0f} tiles/s); "
          f"reload: {again.seconds:.2f} s; patch rebuild alone: {patch_seconds:.2f} s")
    print("phases: " + ", ".join(f"{name} {sec:.2f} s" for name, sec in report.phases.items()))
    verdict = "meets" if report.seconds <= TARGET_SECONDS * args.tiles / 100_000 else "MISSES"
    print(f"target: 100,000 tiles in <= {TARGET_SECONDS:.1f} s -> {verdict} the target")


if __name__ == "__main__":
    main()
