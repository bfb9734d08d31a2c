"""Measure load_snapshot on a synthetic map: a 512x512-tile map with its resources and 10,000 entities in < 3 s.

    python benchmarks/db_load.py [--size 512] [--entities 10000] [--seed 1]

The snapshot is written in fv_snapshot's layout (per-chunk init files, power.jsonl, research.jsonl,
status.jsonl) into a temporary directory: ore fields are discs of four resources (patch clustering has
real work), a lake, scattered trees, and a factory of chests, inserters, furnaces, belts, poles and drills
with their components. Printed: the CPU time of the load (the machine is shared, so wall time mostly says
how busy the neighbours are) and the wall time, per phase, against the target of the database issue.
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

from factoryverse.db import connect, load_snapshot
from factoryverse.schemas import load_wire_schema

# The records are written as the mods write them now: the wire schema's own version, not a copy of it.
_V = load_wire_schema()["schema_version"]
_RUN = "benchmark"

TARGET_SECONDS = 3.0
_RESOURCES = ("iron-ore", "copper-ore", "coal", "stone")
# name, type, half size, components (the fields fv_snapshot adds for the type)
_KINDS = (
    ("wooden-chest", "container", 0.35, lambda u: {"inventories": {"chest": {"iron-plate": u % 50}}}),
    ("burner-inserter", "inserter", 0.15, lambda u: {
        "status": "waiting_for_source_items", "fuel": {"burning": "coal", "remaining": 1.5e6},
        "inventories": {"fuel": {"coal": 1}, "burnt_result": {}},
        "inserter": {"pickup_position": [0.5, -0.5], "drop_position": [0.5, 1.5], "pickup_target": u - 1}}),
    ("stone-furnace", "furnace", 0.8, lambda u: {
        "status": "working", "recipe": "iron-plate", "crafting_progress": 0.25,
        "fuel": {"burning": "coal", "remaining": 2.0e6},
        "inventories": {"fuel": {"coal": 4}, "crafter_input": {"iron-ore": 9}, "crafter_output": {"iron-plate": 2}}}),
    ("transport-belt", "transport-belt", 0.4, lambda u: {"belt": {"inputs": [u - 1], "outputs": [u + 1]}}),
    ("small-electric-pole", "electric-pole", 0.15, lambda u: {
        "electric_network_id": 1, "pole": {"wires": [u - 5], "supply_area": [0, 0, 5, 5]}}),
    ("burner-mining-drill", "mining-drill", 0.99, lambda u: {
        "status": "working", "fuel": {"burning": "coal", "remaining": 1.0e6},
        "drill": {"mining_area": [0, 0, 2, 2], "mining_target": "iron-ore", "drop_position": [0.5, -1.3]}}),
)


def _base(rtype: str, **fields) -> dict:
    return {"type": rtype, "schema_version": _V, "run_id": _RUN, **fields}


def _write_snapshot(root: Path, size: int, entities: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    half = size // 2
    files: dict[tuple[int, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    taken: set[tuple[int, int]] = set()
    counts = defaultdict(int)

    def put(kind: str, rec: dict, x: float, y: float) -> None:
        files[(math.floor(x / 32), math.floor(y / 32))][kind].append(json.dumps(rec))
        counts[rec["type"]] += 1

    for patch in range(24):  # ore discs, about a fifth of the map
        name = _RESOURCES[patch % len(_RESOURCES)]
        radius = rng.randint(12, 30)
        cx, cy = rng.randint(-half + radius, half - radius), rng.randint(-half + radius, half - radius)
        for y in range(cy - radius, cy + radius + 1):
            for x in range(cx - radius, cx + radius + 1):
                if (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius and (x, y) not in taken:
                    taken.add((x, y))
                    put("resources", _base("resource_tile", surface="nauvis", name=name, x=x, y=y,
                                           amount=rng.randint(200, 2000)), x, y)
    lake_x, lake_y, r = -half + 60, half - 60, 40
    for y in range(lake_y - r, lake_y + r):
        for x in range(lake_x - r, lake_x + r):
            if (x - lake_x) ** 2 + (y - lake_y) ** 2 <= r * r and (x, y) not in taken:
                taken.add((x, y))
                put("water", _base("water_tile", surface="nauvis", name="water", x=x, y=y), x, y)
    for _ in range(5000):
        x, y = rng.uniform(-half, half - 1), rng.uniform(-half, half - 1)
        put("entities", _base("resource_entity", surface="nauvis", name="tree-01", entity_type="tree", x=x, y=y,
                              bbox=[x - 0.4, y - 0.4, x + 0.4, y + 0.4]), x, y)
    side = math.ceil(math.sqrt(entities))
    for unit in range(1, entities + 1):  # a factory grid in the middle of the map, one entity per 2x2 tiles
        name, etype, h, components = _KINDS[unit % len(_KINDS)]
        x, y = (unit % side) * 2 - side + 1.0, (unit // side) * 2 - side + 1.0
        put("entities", _base("entity", surface="nauvis", unit_number=unit, name=name, entity_type=etype, x=x, y=y,
                              direction=(unit % 4) * 4, force="player", bbox=[x - h, y - h, x + h, y + h],
                              **components(unit)), x, y)
    for cx in range(-half // 32, half // 32):
        for cy in range(-half // 32, half // 32):
            kinds = files[(cx, cy)]
            kinds["chunk"].append(json.dumps(_base("chunk", surface="nauvis", cx=cx, cy=cy, tick=0)))
    for (cx, cy), kinds in files.items():
        folder = root / "nauvis" / "chunks" / str(cx) / str(cy)
        folder.mkdir(parents=True)
        for kind in ("chunk", "resources", "entities", "water"):
            (folder / f"{kind}-init.jsonl").write_text("".join(line + "\n" for line in kinds.get(kind, [])))
    (root / "nauvis" / "power.jsonl").write_text(json.dumps(_base(
        "electric_network", tick=0, surface="nauvis", network_id=1, poles=entities // len(_KINDS),
        production={"steam-engine": 1.2e9}, consumption={"assembling-machine-1": 9.0e8})) + "\n")
    (root / "research.jsonl").write_text(json.dumps(_base(
        "research", tick=0, force="player", current="logistics", progress=0.5, researched=["automation"])) + "\n")
    (root / "status.jsonl").write_text(json.dumps(_base(
        "snapshot_status", phase="complete", tick=0, seq=0, chunks=len(files))) + "\n")
    return dict(counts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=512, help="map side in tiles")
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fv_db_load_") as tmp:
        root = Path(tmp) / "fv_snapshot"
        counts = _write_snapshot(root, args.size, args.entities, args.seed)
        con = connect(Path(tmp) / "map.duckdb")
        cpu = time.process_time()
        report = load_snapshot(con, root)
        cpu = time.process_time() - cpu
        cpu_again = time.process_time()
        again = load_snapshot(con, root)  # reload: drop and rebuild on a populated database
        cpu_again = time.process_time() - cpu_again
        components = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("inserter", "furnace", "transport_belt", "electric_pole", "mining_drill",
                                "entity_inventory", "water_patch", "belt_line", "power_network")}
        con.close()
    print(f"map {args.size}x{args.size} tiles: {report.chunks} chunks, {report.files} files, "
          f"{report.resource_tiles} resource tiles, {report.water_tiles} water tiles, {report.resource_entities} "
          f"trees, {report.entities} entities, {report.patches} patches (written: {counts})")
    print("rows: " + ", ".join(f"{t} {n}" for t, n in components.items()))
    print(f"first load: {cpu:.2f} s CPU, {report.seconds:.2f} s wall; reload: {cpu_again:.2f} s CPU, "
          f"{again.seconds:.2f} s wall")
    print("phases (wall): " + ", ".join(f"{name} {sec:.2f} s" for name, sec in report.phases.items()))
    ok = cpu <= TARGET_SECONDS
    print(f"target: {args.size}x{args.size} map with {args.entities:,} entities in < {TARGET_SECONDS:.0f} s -> "
          f"{'PASS' if ok else 'MISS'} ({cpu:.2f} s CPU)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
