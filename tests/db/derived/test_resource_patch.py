"""resource_patch updated locally: the same rows a full rebuild gives, without recomputing other patches."""

from __future__ import annotations

import random

import duckdb

from factoryverse.db.derived import Changes, build_resource_patches, update_derived

from .conftest import add_tiles, as_rebuilt, batch, drop_drill, put_drill, remove_tiles, table_rows

_ROWS = ("SELECT patch_id, surface, resource_name::VARCHAR, tile_count, total_amount, ST_AsText(centroid), "
         "ST_AsText(ST_Normalize(geom)), ST_AsText(ST_Normalize(bbox)), min_x, min_y, max_x, max_y, drill_keys "
         "FROM resource_patch ORDER BY patch_id")


def _rect(x0: int, y0: int, w: int, h: int) -> list[tuple[int, int]]:
    return [(x, y) for y in range(y0, y0 + h) for x in range(x0, x0 + w)]


def test_depleting_a_middle_tile_splits_only_its_patch(db: duckdb.DuckDBPyConnection) -> None:
    add_tiles(db, _rect(0, 0, 3, 1))
    add_tiles(db, _rect(10, 10, 2, 2), name="coal")
    build_resource_patches(db)
    coal_before = table_rows(db, "SELECT * EXCLUDE (patch_id) FROM resource_patch WHERE resource_name = 'coal'")
    remove_tiles(db, [(1, 0)])
    update_derived(db, Changes(tiles_changed={("nauvis", "iron-ore", 1, 0)}))
    rows = table_rows(db, "SELECT patch_id, resource_name::VARCHAR, min_x, tile_count FROM resource_patch ORDER BY 1")
    assert rows == [(1, "coal", 10, 4), (2, "iron-ore", 0, 1), (3, "iron-ore", 2, 1)]
    assert table_rows(db, "SELECT * EXCLUDE (patch_id) FROM resource_patch WHERE resource_name = 'coal'") == coal_before


def test_a_new_tile_joins_two_patches_diagonally(db: duckdb.DuckDBPyConnection) -> None:
    add_tiles(db, [(0, 0), (2, 2)])
    build_resource_patches(db)
    add_tiles(db, [(1, 1)])
    update_derived(db, Changes(tiles_changed={("nauvis", "iron-ore", 1, 1)}))
    assert table_rows(db, "SELECT patch_id, tile_count, total_amount FROM resource_patch") == [(1, 3, 30)]


def test_the_last_tile_depleted_removes_the_patch_and_renumbers(db: duckdb.DuckDBPyConnection) -> None:
    add_tiles(db, [(0, 0)])
    add_tiles(db, [(5, 5)])
    build_resource_patches(db)
    remove_tiles(db, [(0, 0)])
    update_derived(db, Changes(tiles_changed={("nauvis", "iron-ore", 0, 0)}))
    assert table_rows(db, "SELECT patch_id, min_x FROM resource_patch") == [(1, 5)]


def test_a_tile_inside_a_u_recomputes_the_enclosing_patch_too(db: duckdb.DuckDBPyConnection) -> None:
    # The small patch's bbox lies inside the U's: a new tile bridging them must merge both.
    add_tiles(db, [*_rect(0, 0, 1, 6), *_rect(6, 0, 1, 6), *_rect(0, 6, 7, 1)])
    add_tiles(db, [(3, 2)])
    build_resource_patches(db)
    assert table_rows(db, "SELECT count(*) FROM resource_patch") == [(2,)]
    add_tiles(db, [(2, 3), (1, 4)])
    update_derived(db, Changes(tiles_changed={("nauvis", "iron-ore", 2, 3), ("nauvis", "iron-ore", 1, 4)}))
    assert table_rows(db, _ROWS) == as_rebuilt(db, build_resource_patches, _ROWS)
    assert table_rows(db, "SELECT tile_count FROM resource_patch") == [(22,)]


def test_random_changes_match_a_full_rebuild(db: duckdb.DuckDBPyConnection) -> None:
    rng = random.Random(11)
    names = ("iron-ore", "copper-ore")
    present: dict[tuple[str, int, int], bool] = {}
    with batch(db):
        for name in names:
            cells = [(x, y) for x in range(30) for y in range(30) if rng.random() < 0.3]
            add_tiles(db, cells, name=name, amount=7)
            present.update({(name, x, y): True for x, y in cells})
        for key in range(1, 9):  # drills, so recomputed patches must find theirs again
            put_drill(db, key, rng.randrange(30) + 1.0, rng.randrange(30) + 1.0)
        build_resource_patches(db)
    for _ in range(20):
        changed = set()
        with batch(db):
            for _ in range(rng.randint(1, 4)):
                name, x, y = rng.choice(names), rng.randrange(-2, 32), rng.randrange(-2, 32)
                if present.get((name, x, y)):
                    remove_tiles(db, [(x, y)], name=name)
                    present[(name, x, y)] = False
                else:
                    add_tiles(db, [(x, y)], name=name, amount=rng.randint(1, 50))
                    present[(name, x, y)] = True
                changed.add(("nauvis", name, x, y))
            update_derived(db, Changes(tiles_changed=changed))
        assert table_rows(db, _ROWS) == as_rebuilt(db, build_resource_patches, _ROWS)


def test_a_charted_chunk_adds_its_tiles_to_the_patch_they_touch(db: duckdb.DuckDBPyConnection) -> None:
    add_tiles(db, _rect(28, 0, 4, 4))  # chunk (0, 0), up to its right edge
    build_resource_patches(db)
    add_tiles(db, _rect(32, 0, 3, 4))  # chunk (1, 0) charted: no per-tile changes, only the chunk
    update_derived(db, Changes(chunks_charted={("nauvis", 1, 0)}))
    assert table_rows(db, "SELECT tile_count, min_x, max_x FROM resource_patch") == [(28, 28, 35)]


def test_drills_are_counted_on_the_patches_they_mine(db: duckdb.DuckDBPyConnection) -> None:
    add_tiles(db, _rect(0, 0, 4, 4))
    add_tiles(db, _rect(20, 0, 4, 4), name="coal")
    put_drill(db, 1, 1.0, 1.0)
    build_resource_patches(db)
    assert table_rows(db, "SELECT resource_name::VARCHAR, drill_keys FROM resource_patch ORDER BY patch_id") == [
        ("coal", []), ("iron-ore", [1])]
    with batch(db):
        put_drill(db, 2, 21.0, 1.0)
        put_drill(db, 3, 10.0, 10.0)  # over no ore
        update_derived(db, Changes(entities_added={2, 3}))
    assert table_rows(db, "SELECT drill_keys FROM resource_patch ORDER BY patch_id") == [([2],), ([1],)]
    with batch(db):
        drop_drill(db, 1)
        update_derived(db, Changes(entities_removed={1}))
    assert table_rows(db, "SELECT drill_keys FROM resource_patch ORDER BY patch_id") == [([2],), ([],)]


def test_a_drill_only_touching_a_patch_does_not_cover_it(db: duckdb.DuckDBPyConnection) -> None:
    add_tiles(db, _rect(0, 0, 2, 2))
    put_drill(db, 1, 3.0, 1.0, reach=1.0)  # mining area [2, 4]: its left edge is the patch's right edge
    build_resource_patches(db)
    assert table_rows(db, "SELECT drill_keys FROM resource_patch") == [([],)]


def test_a_split_patch_keeps_the_drills_of_each_part(db: duckdb.DuckDBPyConnection) -> None:
    add_tiles(db, _rect(0, 0, 9, 2))
    put_drill(db, 1, 1.0, 1.0)
    put_drill(db, 2, 8.0, 1.0)
    build_resource_patches(db)
    with batch(db):
        remove_tiles(db, [(4, 0), (4, 1)])
        update_derived(db, Changes(tiles_changed={("nauvis", "iron-ore", 4, 0), ("nauvis", "iron-ore", 4, 1)}))
    assert table_rows(db, "SELECT min_x, drill_keys FROM resource_patch ORDER BY patch_id") == [(0, [1]), (5, [2])]
    assert table_rows(db, _ROWS) == as_rebuilt(db, build_resource_patches, _ROWS)
