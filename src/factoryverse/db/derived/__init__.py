"""Derived tables: what the map database computes from its raw tables rather than reads from the game.

    DERIVED_TABLES_DDL        table -> column DDL ({R}: the resource-name column type)
    rebuild_derived(con)      after a full load: every derived table from scratch
    update_derived(con, ch)   after each applied batch of deltas, inside the caller's transaction

An update's cost follows the size of the change, not of the map: a depleted tile recomputes its patch, a
belt built or removed recomputes the lines next to it, a charted chunk the patches reaching into it.
power_network is fed only by electric_network records (power.jsonl at load, power_changed deltas), both
passed in as Changes.power_records.
"""

from __future__ import annotations

import duckdb

from . import _belt_line, _power, _resource_patch, _water
from ._changes import Changes
from ._resource_patch import build_resource_patches

__all__ = ["DERIVED_TABLES_DDL", "DERIVED_COMMENTS", "DERIVED_TABLE_COMMENTS", "Changes", "rebuild_derived",
           "update_derived", "create_derived_tables", "build_resource_patches", "DERIVED_RTREES"]

DERIVED_TABLES_DDL: dict[str, str] = {
    _resource_patch.TABLE: _resource_patch.DDL,
    _water.TABLE: _water.DDL,
    _belt_line.TABLE: _belt_line.DDL,
    _belt_line.MEMBER_TABLE: _belt_line.MEMBER_DDL,
    _power.TABLE: _power.DDL,
}

DERIVED_COMMENTS: dict[tuple[str, str], str] = {
    (table, column): text
    for table, comments in (
        (_resource_patch.TABLE, _resource_patch.COMMENTS), (_water.TABLE, _water.COMMENTS),
        (_belt_line.TABLE, _belt_line.COMMENTS), (_belt_line.MEMBER_TABLE, _belt_line.MEMBER_COMMENTS),
        (_power.TABLE, _power.COMMENTS),
    )
    for column, text in comments.items()
}

DERIVED_TABLE_COMMENTS: dict[str, str] = {
    _resource_patch.TABLE: _resource_patch.TABLE_COMMENT, _water.TABLE: _water.TABLE_COMMENT,
    _belt_line.TABLE: _belt_line.TABLE_COMMENT, _belt_line.MEMBER_TABLE: _belt_line.MEMBER_TABLE_COMMENT,
    _power.TABLE: _power.TABLE_COMMENT,
}

# Spatial filters and joins run on these.
DERIVED_RTREES: tuple[tuple[str, str], ...] = (
    (_resource_patch.TABLE, "geom"), (_water.TABLE, "geom"), (_belt_line.TABLE, "geom"),
)


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_derived_tables(con: duckdb.DuckDBPyConnection, *, resource_type: str = "VARCHAR") -> None:
    """Create the derived tables (if missing) with their comments; `resource_type` replaces {resource}."""
    for table, ddl in DERIVED_TABLES_DDL.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({ddl.replace('{resource}', resource_type)})")
        con.execute(f"COMMENT ON TABLE {table} IS {_text(DERIVED_TABLE_COMMENTS[table])}")
    for (table, column), text in DERIVED_COMMENTS.items():
        con.execute(f"COMMENT ON COLUMN {table}.{column} IS {_text(text)}")


def rebuild_derived(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Recompute every derived table from the raw tables; rows per table.

    power_network is not derivable from other tables: it keeps its rows (feed power.jsonl's records through
    update_derived after a load).
    """
    counts = {
        _resource_patch.TABLE: _resource_patch.build_resource_patches(con),
        _water.TABLE: _water.build_water_patches(con),
        _belt_line.TABLE: _belt_line.build_belt_lines(con),
    }
    for table in (_belt_line.MEMBER_TABLE, _power.TABLE):
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return counts


def _entity_kinds(con: duckdb.DuckDBPyConnection, keys: set[int]) -> tuple[bool, bool]:
    """Whether any of `keys` is or was a belt, and whether any is or was a mining drill, in one query.

    Most batches change chests, machines and inserters: this probe is then the only statement they cost here.
    """
    listed = ", ".join(map(str, sorted(keys)))
    return con.execute(f"""
        SELECT EXISTS (SELECT 1 FROM transport_belt WHERE entity_key IN ({listed}))
                   OR EXISTS (SELECT 1 FROM {_belt_line.MEMBER_TABLE} WHERE entity_key IN ({listed})),
               EXISTS (SELECT 1 FROM mining_drill WHERE entity_key IN ({listed}))
                   OR EXISTS (SELECT 1 FROM {_resource_patch.TABLE}
                              WHERE list_has_any(drill_keys, [{listed}]::BIGINT[]))""").fetchone()


def update_derived(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    """Bring the derived tables up to date with one applied batch of deltas (call inside its transaction)."""
    if changes.tiles_changed or changes.chunks_charted:
        _resource_patch.update_resource_patches(con, changes)
    if changes.chunks_charted:
        _water.update_water_patches(con, changes)
    keys = changes.entities()
    if keys:
        belts, drills = changes.belts, changes.drills
        if belts is None or drills is None:
            belts, drills = _entity_kinds(con, keys)
        if belts:
            _belt_line.update_belt_lines(con, changes)
        if drills:
            _resource_patch.update_drill_coverage(con, changes)
    if changes.power_records:
        _power.apply_power_records(con, changes.power_records)
