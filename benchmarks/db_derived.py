"""Measure the derived tables' local updates against full rebuilds, on a small and a large map.

    python benchmarks/db_derived.py [--large 512] [--entities 10000] [--repeats 15]

Each map is a square of tiles (chunks of 32) with ore discs, lakes and rows of belts plus chests, written
straight into a real DuckDB file. Each kind of local change (a tile depleted, a belt built at a line's end,
a belt removed mid-line, a chunk charted, a power sample) runs inside a transaction that is rolled back, so
every repeat sees the same map. Figures are CPU time (time.process_time, all threads), since the machine
is shared. Targets: on the large map (16x the small one's area) a local update's median is at most
GROWTH_LIMIT times its median on the small map (its cost follows the change, not the map), and at least
REBUILD_RATIO times cheaper than rebuilding the tables it touches.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from factoryverse.db import connect
from factoryverse.db.derived import Changes, rebuild_derived, update_derived
from factoryverse.db.derived._belt_line import build_belt_lines
from factoryverse.db.derived._resource_patch import build_resource_patches
from factoryverse.db.derived._water import build_water_patches
from factoryverse.db.schema import create_schema

GROWTH_LIMIT = 2.0
REBUILD_RATIO = 4.0
# The full rebuilds a local update replaces.
_REBUILT_BY = {"tile depleted": ("resource_patch",), "belt added at a line end": ("belt_line", "resource_patch"),
               "belt removed mid-line": ("belt_line", "resource_patch"), "chunk charted": ("resource_patch", "water_patch"),
               "power sample (5 networks)": ()}
_RESOURCES = ("iron-ore", "copper-ore", "coal", "stone")
_BELT_RUN = 25


def _build_map(con: duckdb.DuckDBPyConnection, size: int, entities: int, seed: int) -> dict:
    rng = random.Random(seed)
    half = size // 2
    con.begin()
    create_schema(con)
    chunks = range(-half // 32, half // 32)
    con.execute("INSERT INTO chunk SELECT 'nauvis', cx, cy, 0, ST_MakeEnvelope(cx * 32, cy * 32, cx * 32 + 32, cy * 32 + 32) "
                f"FROM range({chunks.start}, {chunks.stop}) a(cx), range({chunks.start}, {chunks.stop}) b(cy)")
    # Ore discs over about a fifth of the map, lakes over a tenth, kept apart from the factory in the middle.
    discs = []
    for i in range(max(4, size * size // 5 // 1800)):
        discs.append((_RESOURCES[i % 4], rng.randint(-half + 30, half - 30), rng.randint(-half + 30, half - 30),
                      rng.randint(12, 30)))
    for name, cx, cy, r in discs:
        con.execute(f"""
            INSERT INTO resource_tile
            SELECT 'nauvis', '{name}', x, y, 500 + (x * 7 + y * 13) % 1500, ST_MakeEnvelope(x, y, x + 1, y + 1)
            FROM range({cx - r}, {cx + r + 1}) a(x), range({cy - r}, {cy + r + 1}) b(y)
            WHERE (x - {cx}) ** 2 + (y - {cy}) ** 2 <= {r * r}
              AND NOT EXISTS (SELECT 1 FROM resource_tile t WHERE t.x = a.x AND t.y = b.y)""")
    for _ in range(max(2, size * size // 10 // 1200)):
        cx, cy, r = rng.randint(-half + 20, half - 20), rng.randint(-half + 20, half - 20), rng.randint(8, 25)
        con.execute(f"""
            INSERT INTO water_tile
            SELECT 'nauvis', 'water', x, y, ST_MakeEnvelope(x, y, x + 1, y + 1)
            FROM range({cx - r}, {cx + r + 1}) a(x), range({cy - r}, {cy + r + 1}) b(y)
            WHERE (x - {cx}) ** 2 + (y - {cy}) ** 2 <= {r * r}
              AND NOT EXISTS (SELECT 1 FROM resource_tile t WHERE t.x = a.x AND t.y = b.y)
              AND NOT EXISTS (SELECT 1 FROM water_tile t WHERE t.x = a.x AND t.y = b.y)""")
    # Two fifths of the entities are belts: east-going runs of _BELT_RUN, one run per row, rows 2 tiles apart.
    belts = entities * 2 // 5
    runs = belts // _BELT_RUN
    per_row = max(1, (size - 40) // (_BELT_RUN + 2))
    con.execute(f"""
        CREATE TEMP TABLE _belt AS
        SELECT k + 1 AS key, r, i,
               -{half} + 20 + (r % {per_row}) * {_BELT_RUN + 2} + i + 0.5 AS x,
               -{half} + 20 + (r // {per_row}) * 2 + 0.5 AS y
        FROM (SELECT range AS k, range // {_BELT_RUN} AS r, range % {_BELT_RUN} AS i FROM range({runs * _BELT_RUN}))""")
    con.execute("""
        INSERT INTO map_entity (entity_key, entity_name, entity_type, surface, position, bbox, direction, force)
        SELECT key, 'transport-belt', 'transport-belt', 'nauvis', {'x': x, 'y': y},
               ST_MakeEnvelope(x - 0.5, y - 0.5, x + 0.5, y + 0.5), 'east', 'player' FROM _belt""")
    con.execute(f"""
        INSERT INTO transport_belt
        SELECT key, 'east', CASE WHEN i > 0 THEN [key - 1] END, CASE WHEN i < {_BELT_RUN - 1} THEN [key + 1] END
        FROM _belt""")
    first_chest = runs * _BELT_RUN + 1
    con.execute(f"""
        INSERT INTO map_entity (entity_key, entity_name, entity_type, surface, position, bbox, direction, force)
        SELECT k, 'wooden-chest', 'container', 'nauvis', {{'x': x, 'y': y}},
               ST_MakeEnvelope(x - 0.5, y - 0.5, x + 0.5, y + 0.5), 'north', 'player'
        FROM (SELECT {first_chest} + range AS k, -{half} + 0.5 + (range * 7919) % {size} AS x,
                     {half} - 0.5 - (range * 104729) % 37 AS y FROM range({entities - runs * _BELT_RUN}))""")
    con.execute("DROP TABLE _belt")
    con.commit()
    return {"runs": runs, "next_key": first_chest + entities, "half": half}


def _cpu_ms(con: duckdb.DuckDBPyConnection, prepare: Callable[[], Changes]) -> float:
    """CPU time of update_derived for the change `prepare` makes to the raw tables; the change is rolled back."""
    con.begin()
    try:
        changes = prepare()
        start = time.process_time()
        update_derived(con, changes)
        return (time.process_time() - start) * 1000
    finally:
        con.rollback()


def _full_ms(con: duckdb.DuckDBPyConnection, rebuild: Callable[[duckdb.DuckDBPyConnection], int]) -> float:
    con.begin()
    try:
        start = time.process_time()
        rebuild(con)
        return (time.process_time() - start) * 1000
    finally:
        con.rollback()


def _measure(con: duckdb.DuckDBPyConnection, info: dict, repeats: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    tiles = con.execute("SELECT name::VARCHAR, x, y FROM resource_tile USING SAMPLE 200 ROWS").fetchall()
    chunks = con.execute("SELECT cx, cy FROM chunk USING SAMPLE 200 ROWS").fetchall()
    out: dict[str, list[float]] = {k: [] for k in ("tile depleted", "belt added at a line end", "belt removed mid-line",
                                                   "chunk charted", "power sample (5 networks)")}
    tick = [600]

    def deplete() -> Changes:
        name, x, y = rng.choice(tiles)
        con.execute("DELETE FROM resource_tile WHERE name = ? AND x = ? AND y = ?", [name, x, y])
        return Changes(tiles_changed={("nauvis", name, x, y)})

    def extend() -> Changes:
        run = rng.randrange(info["runs"])
        last = run * _BELT_RUN + _BELT_RUN
        x, y = con.execute("SELECT position.x, position.y FROM map_entity WHERE entity_key = ?", [last]).fetchone()
        key = info["next_key"]
        con.execute("INSERT INTO map_entity (entity_key, entity_name, entity_type, surface, position, bbox, direction, "
                    "force) VALUES (?, 'transport-belt', 'transport-belt', 'nauvis', {'x': ?, 'y': ?}, "
                    "ST_MakeEnvelope(?, ?, ?, ?), 'east', 'player')", [key, x + 1, y, x + 0.5, y - 0.5, x + 1.5, y + 0.5])
        con.execute("INSERT INTO transport_belt VALUES (?, 'east', [?], NULL)", [key, last])
        return Changes(entities_added={key})

    def cut() -> Changes:
        key = rng.randrange(info["runs"]) * _BELT_RUN + _BELT_RUN // 2
        con.execute("DELETE FROM transport_belt WHERE entity_key = ?", [key])
        con.execute("DELETE FROM map_entity WHERE entity_key = ?", [key])
        return Changes(entities_removed={key})

    def charted() -> Changes:
        cx, cy = rng.choice(chunks)
        return Changes(chunks_charted={("nauvis", cx, cy)})

    def power() -> Changes:
        tick[0] += 60
        return Changes(power_records=[
            {"type": "electric_network", "tick": tick[0], "surface": "nauvis", "network_id": n, "poles": 10,
             "production": {"steam-engine": 9e5 * tick[0]}, "consumption": {"assembling-machine-1": 7.5e5 * tick[0]}}
            for n in range(1, 6)])

    for _ in range(repeats):
        for name, prepare in zip(out, (deplete, extend, cut, charted, power)):
            out[name].append(_cpu_ms(con, prepare))
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=128, help="small map side in tiles")
    parser.add_argument("--large", type=int, default=512, help="large map side in tiles")
    parser.add_argument("--entities", type=int, default=10_000, help="entities on the large map")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    results, fulls = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, size, entities in (("small", args.small, max(500, args.entities * args.small ** 2 // args.large ** 2)),
                                      ("large", args.large, args.entities)):
            con = connect(Path(tmp) / f"{label}.duckdb")
            info = _build_map(con, size, entities, seed=1)
            con.begin()
            counts = rebuild_derived(con)
            con.commit()
            sizes = con.execute("SELECT (SELECT count(*) FROM resource_tile), (SELECT count(*) FROM water_tile), "
                                "(SELECT count(*) FROM map_entity)").fetchone()
            full = {"resource_patch": _full_ms(con, build_resource_patches), "water_patch": _full_ms(con, build_water_patches),
                    "belt_line": _full_ms(con, build_belt_lines)}
            fulls[label] = full
            print(f"{label} map {size}x{size}: {sizes[0]:,} ore tiles, {sizes[1]:,} water tiles, {sizes[2]:,} entities; "
                  + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
            print("  full rebuild CPU: " + ", ".join(f"{t} {ms:.0f} ms" for t, ms in full.items()))
            results[label] = _measure(con, info, args.repeats, seed=2)
            for name, values in results[label].items():
                print(f"  {name:28s} median {statistics.median(values):6.2f} ms  p90 {_p(values, 0.9):6.2f} ms CPU")
            con.close()
    ok = True
    print(f"targets: large-map median <= {GROWTH_LIMIT:.0f}x the small-map median, and >= {REBUILD_RATIO:.0f}x "
          "cheaper than rebuilding the tables the change touches on the large map")
    for name in results["large"]:
        small, large = statistics.median(results["small"][name]), statistics.median(results["large"][name])
        growth = large / small if small > 0 else float("inf")
        rebuild = sum(fulls["large"][t] for t in _REBUILT_BY[name])
        ratio = rebuild / large if large > 0 else float("inf")
        passed = growth <= GROWTH_LIMIT and (not rebuild or ratio >= REBUILD_RATIO)
        ok &= passed
        versus = f", full rebuild {rebuild:.0f} ms ({ratio:.1f}x)" if rebuild else " (no rebuild: record-fed)"
        print(f"  {name:28s} {large:6.2f} ms, {growth:4.2f}x small{versus} -> {'meets' if passed else 'MISSES'}")
    print("overall: " + ("meets" if ok else "MISSES") + " the targets")


if __name__ == "__main__":
    main()
