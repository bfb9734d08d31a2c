from __future__ import annotations

import duckdb

from factoryverse.db import build_resource_patches, load_snapshot, query

from . import _records as R
from ._records import SnapshotWriter


def _load(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection, tiles: list[dict]) -> list[dict]:
    writer.write_init(tiles)
    writer.write_status(0)
    load_snapshot(con, writer.root)
    return query(con, "SELECT patch_id, resource_name, tile_count, total_amount, min_x, min_y, ST_Area(geom) AS area "
                      "FROM resource_patch ORDER BY patch_id")


def test_diagonal_neighbours_are_one_patch(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    # A staircase touches only at corners: 8-connected, so a single patch.
    tiles = [R.resource_tile(i, i, 10) for i in range(5)]
    patches = _load(writer, con, tiles)
    assert [(p["tile_count"], p["total_amount"], p["area"]) for p in patches] == [(5, 50, 5.0)]


def test_a_one_tile_gap_separates_patches(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    tiles = [*R.ore_rect(0, 0, 2, 2), *R.ore_rect(3, 0, 2, 2)]
    assert [p["tile_count"] for p in _load(writer, con, tiles)] == [4, 4]


def test_different_resources_never_merge(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    tiles = [*R.ore_rect(0, 0, 2, 2, name="iron-ore"), *R.ore_rect(2, 0, 2, 2, name="copper-ore")]
    patches = _load(writer, con, tiles)
    assert [(p["resource_name"], p["tile_count"]) for p in patches] == [("copper-ore", 4), ("iron-ore", 4)]


def test_a_u_shape_joins_through_its_bottom(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    # Two arms that only meet several rows down: run merging must still union them.
    tiles = [*R.ore_rect(0, 0, 1, 6), *R.ore_rect(6, 0, 1, 6), *R.ore_rect(0, 6, 7, 1)]
    patches = _load(writer, con, tiles)
    assert [(p["tile_count"], p["area"]) for p in patches] == [(19, 19.0)]


def test_ids_follow_name_then_top_then_left(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    tiles = [
        *R.ore_rect(50, 5, 2, 2, name="iron-ore"), *R.ore_rect(0, 5, 2, 2, name="iron-ore"),
        *R.ore_rect(90, -20, 2, 2, name="iron-ore"), *R.ore_rect(70, 70, 2, 2, name="coal"),
    ]
    patches = _load(writer, con, tiles)
    assert [(p["resource_name"], p["min_y"], p["min_x"]) for p in patches] == [
        ("coal", 70, 70), ("iron-ore", -20, 90), ("iron-ore", 5, 0), ("iron-ore", 5, 50)]
    assert [p["patch_id"] for p in patches] == [1, 2, 3, 4]


def test_rebuild_after_tile_changes(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    _load(writer, con, R.ore_rect(0, 0, 3, 1, amount=5))
    # Remove the middle tile: the patch splits in two.
    con.execute("DELETE FROM resource_tile WHERE x = 1")
    assert build_resource_patches(con) == 2
    con.execute("DELETE FROM resource_tile")
    assert build_resource_patches(con) == 0


def test_patch_geometry_is_the_outline_of_its_tiles(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> None:
    # An L: rows of different widths, so the union has a notch; no collinear leftovers in the outline.
    _load(writer, con, [*R.ore_rect(0, 0, 4, 2), *R.ore_rect(0, 2, 1, 2)])
    geom = query(con, "SELECT ST_AsText(ST_Normalize(geom)) AS g, ST_NPoints(geom) AS n FROM resource_patch")[0]
    assert geom == {"g": "POLYGON ((0 0, 0 4, 1 4, 1 2, 4 2, 4 0, 0 0))", "n": 7}
    inside = query(con, "SELECT ST_Contains(geom, ST_Point(0.5, 3.5)) AS a, ST_Contains(geom, ST_Point(2.5, 3.5)) AS b "
                        "FROM resource_patch")
    assert inside == [{"a": True, "b": False}]
