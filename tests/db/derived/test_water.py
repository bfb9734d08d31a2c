"""water_patch: bodies of water with area and coast length, recomputed around charted chunks."""

from __future__ import annotations

import random

import duckdb

from factoryverse.db.derived import Changes, rebuild_derived, update_derived
from factoryverse.db.derived._water import build_water_patches

from .conftest import add_water, as_rebuilt, batch, chart, table_rows

_ROWS = ("SELECT patch_id, surface, tile_count, total_area, coast_length, ST_AsText(centroid), "
         "ST_AsText(ST_Normalize(geom)), min_x, min_y, max_x, max_y FROM water_patch ORDER BY patch_id")


def _rect(x0: int, y0: int, w: int, h: int) -> list[tuple[int, int]]:
    return [(x, y) for y in range(y0, y0 + h) for x in range(x0, x0 + w)]


def test_coast_counts_edges_between_water_and_land(db: duckdb.DuckDBPyConnection) -> None:
    chart(db, [(0, 0)])
    # A 3x2 pond, a single tile, and a ring of 8 around an island tile (the island's 4 edges are coast too).
    add_water(db, [*_rect(2, 2, 3, 2), (10, 10), *(c for c in _rect(20, 20, 3, 3) if c != (21, 21))])
    assert rebuild_derived(db)["water_patch"] == 3
    rows = table_rows(db, "SELECT tile_count, total_area, coast_length, ST_Area(geom) FROM water_patch ORDER BY patch_id")
    assert rows == [(6, 6.0, 10, 6.0), (1, 1.0, 4, 1.0), (8, 8.0, 16, 8.0)]


def test_water_is_four_connected(db: duckdb.DuckDBPyConnection) -> None:
    chart(db, [(0, 0)])
    add_water(db, [(1, 1), (2, 2)])  # touching only at a corner: two bodies, each with all 4 edges on land
    rebuild_derived(db)
    assert table_rows(db, "SELECT tile_count, coast_length FROM water_patch") == [(1, 4), (1, 4)]


def test_edges_facing_uncharted_chunks_are_not_coast(db: duckdb.DuckDBPyConnection) -> None:
    chart(db, [(0, 0)])
    add_water(db, _rect(30, 0, 2, 2))  # against chunk (0,0)'s right edge and the top edge of the map
    rebuild_derived(db)
    # 2x2 has 8 outer edges: 2 face uncharted chunk (1,0) and 2 face uncharted chunk (0,-1).
    assert table_rows(db, "SELECT coast_length FROM water_patch") == [(4,)]
    with batch(db):
        chart(db, [(1, 0)])
        add_water(db, [(32, 0)])  # the lake continues into the new chunk
        update_derived(db, Changes(chunks_charted={("nauvis", 1, 0)}))
    # 5 tiles: 20 edges, 5 shared (10 sides); the 3 top edges face uncharted chunks (0,-1) and (1,-1).
    assert table_rows(db, "SELECT tile_count, coast_length FROM water_patch") == [(5, 7)]
    assert table_rows(db, _ROWS) == as_rebuilt(db, build_water_patches, _ROWS)


def test_random_charting_matches_a_full_rebuild(db: duckdb.DuckDBPyConnection) -> None:
    rng = random.Random(4)
    chunks = [(cx, cy) for cx in range(-2, 2) for cy in range(-2, 2)]
    rng.shuffle(chunks)
    for cx, cy in chunks:
        with batch(db):
            chart(db, [(cx, cy)])
            # Lakes as blobs around a few centres, cut to this chunk.
            cells = set()
            for _ in range(3):
                ox, oy, r = rng.randrange(32), rng.randrange(32), rng.randint(2, 9)
                cells |= {(cx * 32 + x, cy * 32 + y) for x in range(32) for y in range(32)
                          if (x - ox) ** 2 + (y - oy) ** 2 <= r * r}
            add_water(db, sorted(cells))
            update_derived(db, Changes(chunks_charted={("nauvis", cx, cy)}))
        assert table_rows(db, _ROWS) == as_rebuilt(db, build_water_patches, _ROWS)


def test_the_seeds_offshore_pump_query_runs_unchanged(db: duckdb.DuckDBPyConnection) -> None:
    chart(db, [(0, 0)])
    add_water(db, [*_rect(2, 2, 6, 6), *_rect(20, 20, 2, 2)])  # coasts of 24 and 8 tile edges
    rebuild_derived(db)
    rows = db.execute("""
SELECT patch_id, coast_length, total_area
FROM water_patch
WHERE coast_length > 20
ORDER BY coast_length DESC;""").fetchall()
    assert rows == [(1, 24, 36.0)]
