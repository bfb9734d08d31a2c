"""water_patch: 4-connected bodies of water tiles, with their area and coast length.

Coast length counts tile edges between a water tile and a charted non-water tile: an edge facing an
uncharted chunk is unknown, not coast, so a lake cut by the edge of the map grows its coast as chunks
are charted. Water only changes with charting, so a charted chunk recomputes the patches reaching into
it or touching its border.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import duckdb

from ._changes import Changes
from ._grid import CHUNK_SIZE
from ._tile_patches import PatchKind, group_rects, rebuild_patches, update_patches

__all__ = ["TABLE", "DDL", "COMMENTS", "TABLE_COMMENT", "build_water_patches", "update_water_patches"]

TABLE = "water_patch"
DDL = """
        patch_id INTEGER PRIMARY KEY, surface VARCHAR NOT NULL, tile_count INTEGER NOT NULL,
        total_area DOUBLE NOT NULL, coast_length INTEGER NOT NULL, centroid GEOMETRY NOT NULL,
        geom GEOMETRY NOT NULL, bbox GEOMETRY NOT NULL,
        min_x INTEGER NOT NULL, min_y INTEGER NOT NULL, max_x INTEGER NOT NULL, max_y INTEGER NOT NULL"""
TABLE_COMMENT = "bodies of water: 4-connected groups of water tiles (derived from water_tile)"
COMMENTS = {
    "patch_id": "1.. ordered by (min_y, min_x, surface); renumbered when charting reorders patches",
    "surface": "the surface the water lies on",
    "tile_count": "number of water tiles (any water tile name)",
    "total_area": "area in tiles (square map units)",
    "coast_length": "tile edges between this water and charted non-water tiles (edges facing uncharted chunks excluded)",
    "centroid": "POINT: mean of the tile centres",
    "geom": "union of the water tiles (4-connected; may have holes for islands)",
    "bbox": "POLYGON: the tile-aligned bounding box",
    "min_x": "left edge in map coordinates (first tile x)",
    "min_y": "top edge in map coordinates (first tile y)",
    "max_x": "right edge in map coordinates (last tile x + 1)",
    "max_y": "bottom edge in map coordinates (last tile y + 1)",
}


def _charted(con: duckdb.DuckDBPyConnection, runs: Sequence[tuple]) -> set[tuple[str, int, int]]:
    """The charted chunks around the runs' extent, per surface."""
    extent: dict[str, list[int]] = {}
    for (surface,), y, x0, x1 in runs:
        e = extent.setdefault(surface, [x0, y, x1, y])
        e[0], e[1], e[2], e[3] = min(e[0], x0), min(e[1], y), max(e[2], x1), max(e[3], y)
    out: set[tuple[str, int, int]] = set()
    for surface, (x0, y0, x1, y1) in extent.items():
        rows = con.execute(
            "SELECT cx, cy FROM chunk WHERE surface = ? AND cx BETWEEN ? AND ? AND cy BETWEEN ? AND ?",
            [surface, (x0 - 1) // CHUNK_SIZE, (x1 + 1) // CHUNK_SIZE, (y0 - 1) // CHUNK_SIZE, (y1 + 1) // CHUNK_SIZE],
        ).fetchall()
        out.update((surface, cx, cy) for cx, cy in rows)
    return out


def _uncharted_across(charted: set, surface: str, x0: int, x1: int, cy: int) -> int:
    """How many of the tiles x0..x1 of a row in chunk row `cy` lie in uncharted chunks."""
    count = 0
    cx = x0 // CHUNK_SIZE
    while cx * CHUNK_SIZE <= x1:
        if (surface, cx, cy) not in charted:
            count += min(x1, cx * CHUNK_SIZE + CHUNK_SIZE - 1) - max(x0, cx * CHUNK_SIZE) + 1
        cx += 1
    return count


def _edges(con: duckdb.DuckDBPyConnection, runs: Sequence[tuple], comps: Sequence[int]) -> list[tuple[int, int]]:
    """Per run: (vertical water-water adjacencies with the row above, edges facing uncharted tiles)."""
    charted = _charted(con, runs)
    rows: dict[tuple[str, int], list[int]] = defaultdict(list)  # (surface, y) -> run indexes, sorted by x0
    for i, ((surface,), y, _, _) in enumerate(runs):
        rows[(surface, y)].append(i)
    out = []
    for (surface,), y, x0, x1 in runs:
        above = 0
        for j in rows.get((surface, y - 1), ()):
            _, _, a0, a1 = runs[j]
            if a0 > x1:
                break
            above += max(0, min(a1, x1) - max(a0, x0) + 1)
        unknown = 0
        for x in (x0 - 1, x1 + 1):
            unknown += (surface, x // CHUNK_SIZE, y // CHUNK_SIZE) not in charted
        if y % CHUNK_SIZE == 0:
            unknown += _uncharted_across(charted, surface, x0, x1, y // CHUNK_SIZE - 1)
        if (y + 1) % CHUNK_SIZE == 0:
            unknown += _uncharted_across(charted, surface, x0, x1, (y + 1) // CHUNK_SIZE)
        out.append((above, unknown))
    return out


_KIND = PatchKind(
    table=TABLE, tiles="water_tile", tile_group=("surface",), patch_group=("surface",), diagonal=False,
    values=(), extra_columns=("above", "unknown"), extra=_edges,
    select="""
        any_value(r.surface) AS surface, sum(r.n)::INTEGER AS tile_count, sum(r.n)::DOUBLE AS total_area,
        -- Each tile has 4 edges; an edge shared by two water tiles (within a run, or with the row above)
        -- is not coast, and neither is one facing the unknown.
        (4 * sum(r.n) - 2 * (sum(r.n - 1) + sum(r.above)) - sum(r.unknown))::INTEGER AS coast_length,
        ST_Point(sum(r.sum_x) / sum(r.n) + 0.5, sum(r.y * r.n) / sum(r.n) + 0.5) AS centroid,
        ST_SimplifyPreserveTopology(ST_Union_Agg(ST_MakeEnvelope(r.x0, r.y, r.x1 + 1, r.y + 1)), 0) AS geom,
        ST_MakeEnvelope(min(r.x0), min(r.y), max(r.x1) + 1, max(r.y) + 1) AS bbox,
        min(r.x0)::INTEGER AS min_x, min(r.y)::INTEGER AS min_y,
        (max(r.x1) + 1)::INTEGER AS max_x, (max(r.y) + 1)::INTEGER AS max_y""",
    order="min_y, min_x, surface, ST_X(centroid), ST_Y(centroid), max_y, max_x, tile_count",
)


def build_water_patches(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild water_patch from water_tile and chunk; return the number of patches."""
    return rebuild_patches(con, _KIND)


def update_water_patches(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    """Recompute the water patches reaching into, or bordering, the batch's charted chunks."""
    seeds = []
    for surface, cx, cy in changes.chunks_charted:
        x0, y0 = cx * CHUNK_SIZE, cy * CHUNK_SIZE
        seeds.append(((surface,), (x0 - 1, y0 - 1, x0 + CHUNK_SIZE, y0 + CHUNK_SIZE)))
    update_patches(con, _KIND, group_rects(seeds))
