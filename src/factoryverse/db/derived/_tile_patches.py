"""Rebuilding or locally updating a patch table (resource_patch, water_patch) from its tile table.

Patch ids are 1..N in the kind's `order`; a local update inserts the recomputed patches under temporary
negative ids and then gives every row whose rank changed its new id in one UPDATE, so an update that
keeps the order of the patches rewrites just the patches it recomputed. A local update is a handful of
statements whatever the map's size: each costs a fixed ~0.5 ms in duckdb's client, so fewer is faster.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import duckdb

from ._grid import Rect, close_region, components
from ._stage import csv_source, sql_text

__all__ = ["PatchKind", "rebuild_patches", "update_patches", "group_rects"]

# Per-run integers a kind computes in Python, from the runs ((group), y, x0, x1) and their components.
ExtraFn = Callable[[duckdb.DuckDBPyConnection, Sequence[tuple], Sequence[int]], list[tuple[int, ...]]]
# Up to this many runs go into the statement as a VALUES literal; more are read from a temporary CSV file.
_LITERAL_RUNS = 2000
# Below every temporary id (-1 - component): where renumbered rows wait for their new id.
_PARKED = -(2 ** 30)


@dataclass(frozen=True)
class PatchKind:
    table: str
    tiles: str
    tile_group: tuple[str, ...]  # the tile table's columns a patch never crosses (surface, resource name)
    patch_group: tuple[str, ...]  # the same columns as the patch table names them
    diagonal: bool
    values: tuple[str, ...]  # per-run sums of these tile columns (amount) are kept as columns of the same name
    select: str  # the patch table's columns after patch_id, aggregated over the runs `r` of one patch
    order: str  # the ORDER BY giving patch ids, over the patch table's columns
    extra_columns: tuple[str, ...] = ()
    extra: ExtraFn | None = field(default=None)


def _runs(con: duckdb.DuckDBPyConnection, kind: PatchKind, where: str) -> list[tuple]:
    """Maximal horizontal runs of the tiles `where` selects: (group..., y, x0, x1, n, sum_x, values...)."""
    names = ", ".join(kind.tile_group)
    # VARCHAR group columns: runs come back in the order Python sorts their names.
    as_text = ", ".join(f"{c}::VARCHAR AS {c}" for c in kind.tile_group)
    sums = "".join(f", sum({v})" for v in kind.values)
    return con.execute(f"""
        SELECT {names}, y, min(x) AS x0, max(x) AS x1, count(*), sum(x) {sums}
        FROM (SELECT *, x - row_number() OVER (PARTITION BY {names}, y ORDER BY x) AS run_key
              FROM (SELECT * REPLACE ({as_text}) FROM {kind.tiles} WHERE {where}))
        GROUP BY {names}, y, run_key
        ORDER BY {names}, y, x0""").fetchall()


def _runs_of_region(con: duckdb.DuckDBPyConnection, kind: PatchKind, where: str) -> list[tuple]:
    """_runs for a small region: fetching its tiles and joining them in Python beats a window query there."""
    names = ", ".join(f"{c}::VARCHAR" for c in kind.tile_group)
    values = "".join(f", {v}" for v in kind.values)
    tiles = con.execute(f"SELECT {names}, y, x {values} FROM {kind.tiles} WHERE {where} "
                        f"ORDER BY {', '.join(f'{c}::VARCHAR' for c in kind.tile_group)}, y, x").fetchall()
    width = len(kind.tile_group)
    runs: list[list] = []
    for tile in tiles:
        key, x = tile[:width + 1], tile[width + 1]  # key: the group and the row
        last = runs[-1] if runs else None
        if last is not None and tuple(last[:width + 1]) == key and last[width + 2] == x - 1:
            last[width + 2] = x
            last[width + 3] += 1
            last[width + 4] += x
            for i, v in enumerate(tile[width + 2:]):
                last[width + 5 + i] += v
        else:
            runs.append([*key, x, x, 1, x, *tile[width + 2:]])
    return [tuple(r) for r in runs]


def _aggregate(con: duckdb.DuckDBPyConnection, kind: PatchKind, rows: list[tuple]) -> tuple[str, str | None, int]:
    """SQL (comp, <patch columns>) for the runs `rows`, the temp file it reads (if any), and the patch count."""
    width = len(kind.tile_group)
    keyed = [(row[:width], *row[width:width + 3]) for row in rows]
    comps = components(keyed, diagonal=kind.diagonal)
    extra = kind.extra(con, keyed, comps) if kind.extra is not None else [()] * len(rows)
    groups: dict[tuple, int] = {}
    table = [(comp, groups.setdefault(row[:width], len(groups)), *row[width:], *more)
             for row, comp, more in zip(rows, comps, extra)]
    columns = ("comp", "g", "y", "x0", "x1", "n", "sum_x", *kind.values, *kind.extra_columns)
    path = None
    if len(table) <= _LITERAL_RUNS:
        runs = "(VALUES " + ", ".join("(" + ", ".join(str(int(v)) for v in t) + ")" for t in table) + ")"
    else:
        runs, path = csv_source(columns, table)
    group_rows = ", ".join("(" + ", ".join([str(g), *(sql_text(v) for v in key)]) + ")" for key, g in groups.items())
    sql = f"""
        WITH runs AS (SELECT * FROM {runs} AS v({', '.join(columns)})),
             grp AS (SELECT * FROM (VALUES {group_rows}) AS v(g, {', '.join(kind.tile_group)})),
             r AS (SELECT * FROM runs JOIN grp USING (g))
        SELECT r.comp, {kind.select} FROM r GROUP BY r.comp"""
    return sql, path, len(set(comps))


def _run_insert(con: duckdb.DuckDBPyConnection, kind: PatchKind, rows: list[tuple], id_sql: str) -> None:
    if not rows:
        return
    sql, path, _ = _aggregate(con, kind, rows)
    try:
        con.execute(f"INSERT INTO {kind.table} SELECT {id_sql}, * EXCLUDE (comp) FROM ({sql})")
    finally:
        if path is not None:
            os.unlink(path)


def rebuild_patches(con: duckdb.DuckDBPyConnection, kind: PatchKind) -> int:
    """Replace every row of the kind's table; return the number of patches."""
    con.execute(f"DELETE FROM {kind.table}")
    _run_insert(con, kind, _runs(con, kind, "true"), f"row_number() OVER (ORDER BY {kind.order})")
    return con.execute(f"SELECT count(*) FROM {kind.table}").fetchone()[0]


def _stored_boxes(con: duckdb.DuckDBPyConnection, kind: PatchKind) -> dict[tuple, list[tuple[int, Rect]]]:
    group = ", ".join(f"{c}::VARCHAR" for c in kind.patch_group)
    out: dict[tuple, list[tuple[int, Rect]]] = defaultdict(list)
    width = len(kind.patch_group)
    for row in con.execute(f"SELECT {group}, patch_id, min_x, min_y, max_x - 1, max_y - 1 FROM {kind.table}").fetchall():
        out[row[:width]].append((row[width], row[width + 1:]))
    return out


def _region_filter(kind: PatchKind, group: tuple, region: Sequence[Rect]) -> str:
    # Plain range filters: DuckDB prunes row groups by x/y statistics, and a scan here costs less than an
    # RTREE probe, whose fixed cost dominates regions of a few hundred tiles.
    where = " AND ".join(f"{c}::VARCHAR = {sql_text(v)}" for c, v in zip(kind.tile_group, group))
    rects = " OR ".join(f"(x BETWEEN {x0} AND {x1} AND y BETWEEN {y0} AND {y1})" for x0, y0, x1, y1 in region)
    return f"({where} AND ({rects}))"


def update_patches(con: duckdb.DuckDBPyConnection, kind: PatchKind, seeds: Mapping[tuple, Iterable[Rect]], *,
                   before_renumber: Callable[[], None] | None = None) -> None:
    """Recompute the patches near `seeds` (group -> tile rects that changed, grown by the reach of adjacency).

    `before_renumber` runs while the recomputed patches still have their temporary (negative) ids.
    """
    seeds = {group: list(rects) for group, rects in seeds.items() if rects}
    if not seeds:
        return
    boxes = _stored_boxes(con, kind)
    filters: list[str] = []
    touched: set[int] = set()
    for group, rects in seeds.items():
        region, ids = close_region(rects, boxes.get(group, []))
        touched |= ids
        filters.append(_region_filter(kind, group, region))
    rows = _runs_of_region(con, kind, " OR ".join(filters))
    if touched:
        con.execute(f"DELETE FROM {kind.table} WHERE patch_id IN ({', '.join(map(str, sorted(touched)))})")
    _run_insert(con, kind, rows, "-1 - comp")
    if rows and before_renumber is not None:
        before_renumber()
    _renumber(con, kind)


def _renumber(con: duckdb.DuckDBPyConnection, kind: PatchKind) -> None:
    """Give every patch its rank in the kind's order; only rows whose id differs are written."""
    moves = con.execute(f"""
        SELECT patch_id, new_id FROM (
            SELECT patch_id, row_number() OVER (ORDER BY {kind.order}) AS new_id FROM {kind.table})
        WHERE patch_id <> new_id""").fetchall()
    if moves:
        # Two steps through ids no row holds: DuckDB checks the key per row within one UPDATE, so moving a
        # row onto an id another row leaves in the same statement can fail.
        values = ", ".join(f"({old}, {_PARKED - new})" for old, new in moves)
        con.execute(f"UPDATE {kind.table} SET patch_id = m.parked FROM (VALUES {values}) AS m(old_id, parked) "
                    f"WHERE {kind.table}.patch_id = m.old_id")
        con.execute(f"UPDATE {kind.table} SET patch_id = {_PARKED} - patch_id WHERE patch_id <= {_PARKED}")


def group_rects(items: Iterable[tuple[tuple, Rect]]) -> dict[tuple, list[Rect]]:
    out: dict[tuple, list[Rect]] = defaultdict(list)
    for group, rect in items:
        out[group].append(rect)
    return out
