"""resource_patch: 8-connected components of same-name resource tiles.

A depleted tile recomputes only the patch it belonged to (and any patch within one tile of it); a charted
chunk recomputes the patches reaching into it.
"""

from __future__ import annotations

import duckdb

from ._changes import Changes
from ._grid import CHUNK_SIZE
from ._tile_patches import PatchKind, group_rects, rebuild_patches, update_patches

__all__ = ["TABLE", "DDL", "COMMENTS", "TABLE_COMMENT", "build_resource_patches", "update_resource_patches",
           "update_drill_coverage"]

TABLE = "resource_patch"
DDL = """
        patch_id INTEGER PRIMARY KEY, surface VARCHAR NOT NULL, resource_name {resource} NOT NULL,
        tile_count INTEGER NOT NULL, total_amount BIGINT NOT NULL, centroid GEOMETRY NOT NULL,
        geom GEOMETRY NOT NULL, bbox GEOMETRY NOT NULL,
        min_x INTEGER NOT NULL, min_y INTEGER NOT NULL, max_x INTEGER NOT NULL, max_y INTEGER NOT NULL,
        drill_keys BIGINT[] NOT NULL"""
TABLE_COMMENT = "resource patches: 8-connected groups of same-resource tiles (derived from resource_tile)"
COMMENTS = {
    "patch_id": "1.. ordered by (resource_name, min_y, min_x, surface); renumbered when a change reorders patches",
    "surface": "the surface the patch lies on",
    "resource_name": "the resource entity name of every tile in the patch (iron-ore, crude-oil, ...)",
    "tile_count": "number of resource tiles in the patch",
    "total_amount": "sum of the tiles' amounts (ore left; for fluids the yield amounts)",
    "centroid": "POINT: mean of the tile centres",
    "geom": "union of the patch's tiles (8-connected, may be a MULTIPOLYGON)",
    "bbox": "POLYGON: the tile-aligned bounding box of the patch",
    "min_x": "left edge in map coordinates (first tile x)",
    "min_y": "top edge in map coordinates (first tile y)",
    "max_x": "right edge in map coordinates (last tile x + 1)",
    "max_y": "bottom edge in map coordinates (last tile y + 1)",
    "drill_keys": "entity_keys of the mining drills whose mining area overlaps the patch (empty: not mined)",
}

_KIND = PatchKind(
    table=TABLE, tiles="resource_tile", tile_group=("surface", "name"), patch_group=("surface", "resource_name"),
    diagonal=True, values=("amount",),
    select="""
        any_value(r.surface) AS surface, any_value(r.name) AS resource_name, sum(r.n)::INTEGER AS tile_count,
        sum(r.amount)::BIGINT AS total_amount,
        ST_Point(sum(r.sum_x) / sum(r.n) + 0.5, sum(r.y * r.n) / sum(r.n) + 0.5) AS centroid,
        -- Tolerance 0 only drops the collinear vertices the run edges leave behind.
        ST_SimplifyPreserveTopology(ST_Union_Agg(ST_MakeEnvelope(r.x0, r.y, r.x1 + 1, r.y + 1)), 0) AS geom,
        ST_MakeEnvelope(min(r.x0), min(r.y), max(r.x1) + 1, max(r.y) + 1) AS bbox,
        min(r.x0)::INTEGER AS min_x, min(r.y)::INTEGER AS min_y,
        (max(r.x1) + 1)::INTEGER AS max_x, (max(r.y) + 1)::INTEGER AS max_y,
        []::BIGINT[] AS drill_keys""",
    # Past (name, top, left, surface) only contrived shapes tie; the rest makes the order total in practice
    # and the same whichever way a patch was computed.
    order="resource_name::VARCHAR, min_y, min_x, surface, ST_X(centroid), ST_Y(centroid), max_y, max_x, tile_count",
)


# A drill covers a patch when their interiors overlap: a mining area only touching the patch's outline
# reaches none of its tiles.
_COVER = f"""
    UPDATE {TABLE} p SET drill_keys = coalesce((
        SELECT list(d.entity_key ORDER BY d.entity_key)
        FROM mining_drill d JOIN map_entity m USING (entity_key)
        WHERE m.surface = p.surface AND ST_Intersects(d.mining_area, p.geom) AND NOT ST_Touches(d.mining_area, p.geom)
    ), []::BIGINT[])
    WHERE {{where}}"""


def _cover(con: duckdb.DuckDBPyConnection, where: str) -> None:
    con.execute(_COVER.format(where=where))


def build_resource_patches(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild resource_patch from resource_tile (and its drills from mining_drill); return the number of patches.

    Call inside the caller's transaction when it must be atomic with other changes.
    """
    count = rebuild_patches(con, _KIND)
    _cover(con, "true")
    return count


def update_drill_coverage(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    """Recount the drills of the patches the batch's changed entities covered before or cover now."""
    keys = sorted(changes.entities())
    if not keys:
        return
    listed = ", ".join(map(str, keys))
    _cover(con, f"""list_has_any(p.drill_keys, [{listed}]::BIGINT[]) OR EXISTS (
        SELECT 1 FROM mining_drill d JOIN map_entity m USING (entity_key)
        WHERE d.entity_key IN ({listed}) AND m.surface = p.surface AND ST_Intersects(d.mining_area, p.geom))""")


def update_resource_patches(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    """Recompute the patches the batch's tile changes and charted chunks can touch."""
    seeds = [((s, n), (x - 1, y - 1, x + 1, y + 1)) for s, n, x, y in changes.tiles_changed]
    for surface, cx, cy in changes.chunks_charted:
        x0, y0 = cx * CHUNK_SIZE, cy * CHUNK_SIZE
        rect = (x0 - 1, y0 - 1, x0 + CHUNK_SIZE, y0 + CHUNK_SIZE)
        names = con.execute(
            "SELECT DISTINCT resource_name::VARCHAR FROM resource_patch WHERE surface = ? "
            "UNION SELECT DISTINCT name::VARCHAR FROM resource_tile WHERE surface = ? "
            "AND x BETWEEN ? AND ? AND y BETWEEN ? AND ?",
            [surface, surface, x0, x0 + CHUNK_SIZE - 1, y0, y0 + CHUNK_SIZE - 1],
        ).fetchall()
        seeds.extend(((surface, name), rect) for (name,) in names)
    # Recomputed patches come back under negative ids, before renumbering: count their drills then.
    update_patches(con, _KIND, group_rects(seeds), before_renumber=lambda: _cover(con, "p.patch_id < 0"))
