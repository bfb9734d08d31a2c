"""Entity records into the entity tables (map_entity, ghost and the component tables), set-based.

Both the bootstrap and the delta path first stage their entity records in the temporary table
`_fv_ent` (the wire record's fields, plus built_tick and the tick the record describes), then write
every table with one INSERT ... SELECT each: the mapping from record to rows lives here once.
DuckDB costs about a millisecond per statement, so a small delta batch touches only the tables its
records have rows for (`tables_for`), and deletes only where the keys already have rows (`holding`).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from ._tables import DIRECTIONS
from .errors import RecordError
from .schema import GHOST_NAME, enum_values

__all__ = ["ENTITY_COLUMNS", "STAGE", "EntityTable", "ENTITY_WRITES", "stage_entities", "tables_for", "holding",
           "delete_keys", "write_entities", "check_staged_names", "check_record_names"]

STAGE = "_fv_ent"

# The entity record's fields as DuckDB reads them (read_json columns, json_transform structure).
_PT = "DOUBLE[]"
ENTITY_COLUMNS: dict[str, str] = {
    "unit_number": "BIGINT", "surface": "VARCHAR", "name": "VARCHAR", "entity_type": "VARCHAR",
    "x": "DOUBLE", "y": "DOUBLE", "direction": "INTEGER", "force": "VARCHAR", "bbox": "DOUBLE[]",
    "status": "VARCHAR", "recipe": "VARCHAR", "crafting_progress": "DOUBLE",
    "inventories": "MAP(VARCHAR, MAP(VARCHAR, BIGINT))",
    "fuel": "STRUCT(burning VARCHAR, remaining DOUBLE)",
    "fluids": 'STRUCT("index" INTEGER, name VARCHAR, amount DOUBLE, temperature DOUBLE)[]',
    "electric_network_id": "BIGINT",
    "inserter": f"STRUCT(pickup_position {_PT}, drop_position {_PT}, pickup_target BIGINT, drop_target BIGINT, "
                "filters VARCHAR[], filter_mode VARCHAR)",
    "drill": f"STRUCT(mining_area DOUBLE[], mining_target VARCHAR, drop_position {_PT}, drop_target BIGINT)",
    "pole": "STRUCT(wires BIGINT[], supply_area DOUBLE[])",
    "belt": "STRUCT(inputs BIGINT[], outputs BIGINT[])",
    "ghost_name": "VARCHAR", "ghost_type": "VARCHAR",
}

# Fields every entity record has; the others are components, staged only when a record of the batch has them
# (json_transform's cost grows with the structure it is given).
_BASE = ("unit_number", "surface", "name", "entity_type", "x", "y", "direction", "force", "bbox")
_OPTIONAL = tuple(c for c in ENTITY_COLUMNS if c not in _BASE)

_BELT_TYPES = frozenset({"transport-belt", "underground-belt", "splitter"})
_CHEST_TYPES = frozenset({"container", "logistic-container"})

_DIRECTION = "(" + "[" + ", ".join(f"'{d}'" for d in DIRECTIONS) + "])[direction + 1]"
_POSITION = "{'x': x, 'y': y}"
# The tile-aligned envelope of the collision box (seed appendix B).
_TILE_BOX = "ST_MakeEnvelope(floor(bbox[1]), floor(bbox[2]), ceil(bbox[3]), ceil(bbox[4]))"


def _box(col: str) -> str:
    return f"ST_MakeEnvelope({col}[1], {col}[2], {col}[3], {col}[4])"


def _point(col: str) -> str:
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE {{'x': {col}[1], 'y': {col}[2]}} END"


_REAL = f"name <> '{GHOST_NAME}'"


@dataclass(frozen=True)
class EntityTable:
    name: str
    select: str                             # rows of the table from _fv_ent
    wants: Callable[[dict[str, Any]], bool]  # does an entity record have a row here?


def _simple(name: str, columns: str, where: str, wants: Callable[[dict[str, Any]], bool]) -> EntityTable:
    return EntityTable(name, f"SELECT unit_number, {columns} FROM {STAGE} WHERE {_REAL} AND {where}", wants)


def _holds_items(e: dict[str, Any]) -> bool:
    # A new chest or machine has only empty inventories: no entity_inventory row, and no INSERT (~0.8 ms) for it.
    return any(e.get("inventories", {}).values())


# map_entity is upserted (it keeps built_tick), every other table is deleted and re-inserted per key.
ENTITY_WRITES: tuple[EntityTable, ...] = (
    EntityTable("ghost", f"""SELECT unit_number, ghost_name, ghost_type, surface, {_POSITION}, {_TILE_BOX},
        {_DIRECTION}, force, recipe FROM {STAGE} WHERE name = '{GHOST_NAME}'""", lambda e: e["name"] == GHOST_NAME),
    _simple("entity_status", "status, tick", "status IS NOT NULL", lambda e: "status" in e),
    _simple("inserter", f"{_point('inserter.pickup_position')}, {_point('inserter.drop_position')}, "
            "inserter.pickup_target, inserter.drop_target, inserter.filters, inserter.filter_mode",
            "inserter IS NOT NULL", lambda e: "inserter" in e),
    _simple("transport_belt", f"{_DIRECTION}, belt.inputs, belt.outputs",
            "(belt IS NOT NULL OR entity_type IN ('transport-belt', 'underground-belt', 'splitter'))",
            lambda e: "belt" in e or e["entity_type"] in _BELT_TYPES),
    _simple("electric_pole", f"{_box('pole.supply_area')}, pole.wires", "pole IS NOT NULL", lambda e: "pole" in e),
    _simple("mining_drill", f"{_box('drill.mining_area')}, drill.mining_target, {_point('drill.drop_position')}, "
            "drill.drop_target", "drill IS NOT NULL", lambda e: "drill" in e),
    _simple("assemblers", "recipe, crafting_progress", "entity_type = 'assembling-machine'",
            lambda e: e["entity_type"] == "assembling-machine"),
    _simple("furnace", "recipe, crafting_progress", "entity_type = 'furnace'", lambda e: e["entity_type"] == "furnace"),
    _simple("container", "COALESCE(inventories['chest'], MAP {})",
            "entity_type IN ('container', 'logistic-container')", lambda e: e["entity_type"] in _CHEST_TYPES),
    EntityTable("entity_inventory", f"""
        SELECT unit_number, inventory, (it).key, (it).value FROM (
            SELECT unit_number, (inv).key AS inventory, unnest(map_entries((inv).value)) AS it FROM (
                SELECT unit_number, unnest(map_entries(inventories)) AS inv FROM {STAGE}
                WHERE {_REAL} AND inventories IS NOT NULL))""", _holds_items),
    _simple("burner", "fuel.burning, fuel.remaining", "fuel IS NOT NULL", lambda e: "fuel" in e),
    EntityTable("fluid_box", f"""
        SELECT unit_number, (f)."index", (f).name, (f).amount, (f).temperature FROM (
            SELECT unit_number, unnest(fluids) AS f FROM {STAGE} WHERE {_REAL} AND fluids IS NOT NULL)""",
                lambda e: bool(e.get("fluids"))),
)
_KEYED_TABLES = ("map_entity", *(t.name for t in ENTITY_WRITES))

_INSERT_MAP_ENTITY = f"""
INSERT INTO map_entity
SELECT unit_number, name, entity_type, surface, {_POSITION}, {_TILE_BOX}, {_DIRECTION}, force, electric_network_id,
       built_tick
FROM {STAGE} WHERE {_REAL}"""
_UPSERT_MAP_ENTITY = _INSERT_MAP_ENTITY + """
ON CONFLICT (entity_key) DO UPDATE SET
    entity_name = excluded.entity_name, entity_type = excluded.entity_type, surface = excluded.surface,
    position = excluded.position, bbox = excluded.bbox, direction = excluded.direction, force = excluded.force,
    electric_network_id = excluded.electric_network_id,
    built_tick = COALESCE(excluded.built_tick, map_entity.built_tick)
"""

# Components only the table of their own name reads, written only when a record has them (ENTITY_WRITES' wants):
# a small batch without them stages no column for them (a NULL column of a nested type costs the CREATE ~0.2 ms).
_ONLY_WHEN_PRESENT = frozenset({"inserter", "pole", "drill", "fuel", "fluids"})


@functools.lru_cache(maxsize=256)
def _staging(present: frozenset[str]) -> tuple[str, str]:
    """The CREATE statement and json_transform structure for a batch whose records have these components."""
    fields = {c: ENTITY_COLUMNS[c] for c in (*_BASE, *(c for c in _OPTIONAL if c in present))}
    absent = "".join(f", NULL::{ENTITY_COLUMNS[c]} AS {c}" for c in _OPTIONAL
                     if c not in present and c not in _ONLY_WHEN_PRESENT)
    sql = (f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT unnest(r.e){absent}, r.b AS built_tick, r.t AS tick "
           "FROM (SELECT unnest(json_transform(?, ?)) AS r)")
    return sql, json.dumps([{"e": fields, "b": "BIGINT", "t": "BIGINT"}])


# Above this many records a batch is staged through a file: read_json parses ~3x faster than json_transform,
# which costs less only for a handful of records (no file to write).
_FILE_STAGING = 64
_ROW_COLUMNS = ("{'e': '" + ("STRUCT(" + ", ".join(f'"{c}" {t}' for c, t in ENTITY_COLUMNS.items()) + ")")
                .replace("'", "''") + "', 'b': 'BIGINT', 't': 'BIGINT'}")


def _stage_through_file(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    fd, name = tempfile.mkstemp(prefix="fv_stage_", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(map(json.dumps, rows)))
        path = name.replace("'", "''")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT unnest(e), b AS built_tick, t AS tick "
                    f"FROM read_json('{path}', format = 'newline_delimited', columns = {_ROW_COLUMNS})")
    finally:
        os.unlink(name)


_DELTA_COLUMNS = ("{'b': 'BIGINT', 'd': '" + ("STRUCT(tick BIGINT, entity STRUCT(" + ", ".join(
    f'"{c}" {t}' for c, t in ENTITY_COLUMNS.items()) + "))").replace("'", "''") + "'}")


def _stage_lines_through_file(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], lines: list[bytes]) -> None:
    # Each line wraps the delta's own text: {"b": built_tick, "d": <delta>}; read_json skips the fields not asked.
    fd, name = tempfile.mkstemp(prefix="fv_stage_", suffix=".jsonl")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(b"\n".join(b'{"b":%s,"d":%s}' % (b"null" if row["b"] is None else b"%d" % row["b"], line)
                                for row, line in zip(rows, lines)))
        path = name.replace("'", "''")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT unnest(d.entity), b AS built_tick, "
                    f"d.tick AS tick FROM read_json('{path}', format = 'newline_delimited', columns = {_DELTA_COLUMNS})")
    finally:
        os.unlink(name)


def stage_entities(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]],
                   lines: list[bytes | None] | None = None) -> None:
    """Stage entity records as _fv_ent; each row is {"e": record, "b": built_tick or None, "t": tick}.

    The batch goes over as JSON text that DuckDB parses itself (the client binds Python values one
    by one, slowly). `lines`, when given, holds each row's delta as the log's JSON text (its "entity" is
    row["e"], its "tick" row["t"]); a large batch then goes over as that text, not encoded again.
    """
    if len(rows) > _FILE_STAGING:
        if lines is not None and all(line is not None for line in lines):
            _stage_lines_through_file(con, rows, lines)  # type: ignore[arg-type]
        else:
            _stage_through_file(con, rows)
        return
    present: set[str] = set()
    for row in rows:
        present.update(row["e"])
    sql, structure = _staging(frozenset(present.intersection(_OPTIONAL)))
    con.execute(sql, [json.dumps(rows), structure])


def tables_for(entities: Iterable[dict[str, Any]]) -> set[str]:
    """The entity tables these entity records have rows in."""
    out: set[str] = set()
    pending = list(ENTITY_WRITES)
    # A table wants a record for its fields, type and name, and whether it holds items or fluids: one record of
    # each shape decides for all of that shape (a batch of thousands has a handful of shapes).
    shapes = {}
    for e in entities:
        shapes.setdefault((frozenset(e), e["entity_type"], e["name"] == GHOST_NAME, _holds_items(e),
                           bool(e.get("fluids"))), e)
    for e in shapes.values():
        if e["name"] != GHOST_NAME:
            out.add("map_entity")
        still = []
        for table in pending:
            (out.add(table.name) if table.wants(e) else still.append(table))
        pending = still
        if not pending and "map_entity" in out:
            break
    return out


def holding(con: duckdb.DuckDBPyConnection, keys: list[int]) -> set[str]:
    """The entity tables that hold a row for any of `keys` (one statement for all tables)."""
    if not keys:
        return set()
    with_keys, keyset = _key_set(keys)
    probe = " UNION ALL ".join(
        f"(SELECT '{t}' FROM {t} WHERE entity_key IN {keyset} LIMIT 1)" for t in _KEYED_TABLES)
    return {r[0] for r in con.execute(with_keys + probe).fetchall()}


# Up to this many keys go into each IN list (an index probe per key); more are listed once, in a CTE, which
# DuckDB parses once instead of once per table (measured: 600 keys over 13 tables, 29 ms -> 7 ms).
_INLINE_KEYS = 32


def _key_set(keys: list[int]) -> tuple[str, str]:
    """(WITH clause, set expression) for `keys` as SQL literals (a bound list costs more than the probe)."""
    listed = ", ".join(str(int(k)) for k in keys)
    if len(keys) <= _INLINE_KEYS:
        return "", f"({listed})"
    return f"WITH _fv_keys AS (SELECT unnest([{listed}]::BIGINT[]) AS k) ", "(SELECT k FROM _fv_keys)"


def delete_keys(con: duckdb.DuckDBPyConnection, keys: list[int], tables: Iterable[str]) -> None:
    if not keys:
        return
    with_keys, keyset = _key_set(keys)
    for table in tables:
        con.execute(f"{with_keys}DELETE FROM {table} WHERE entity_key IN {keyset}")


def write_entities(con: duckdb.DuckDBPyConnection, tables: Iterable[str] | None = None, *,
                   upsert: bool = True) -> None:
    """Insert the rows of the staged entities into `tables` (all when None); rows of their keys must be gone,
    except in map_entity, which is upserted (keeping a built_tick the staged row leaves NULL) unless `upsert`
    is False because none of the keys has a row there."""
    wanted = None if tables is None else set(tables)
    if wanted is None or "map_entity" in wanted:
        con.execute(_UPSERT_MAP_ENTITY if upsert else _INSERT_MAP_ENTITY)
    for table in ENTITY_WRITES:
        if wanted is None or table.name in wanted:
            con.execute(f"INSERT INTO {table.name} {table.select}")


# (ENUM type, column expression over _fv_ent, rows it applies to, the value in a record, field named in the error)
_ENUM_CHECKS: tuple[tuple[str, str, str, Callable[[dict[str, Any]], Any], str], ...] = (
    ("placeable_entity", "name", _REAL, lambda e: e["name"] if e["name"] != GHOST_NAME else None, "entity.name"),
    ("placeable_entity", "ghost_name", f"name = '{GHOST_NAME}'", lambda e: e.get("ghost_name"), "entity.ghost_name"),
    ("status", "status", _REAL, lambda e: e.get("status"), "entity.status"),
    ("recipe", "recipe", f"{_REAL} AND entity_type IN ('assembling-machine', 'furnace')",
     lambda e: e.get("recipe") if e["entity_type"] in ("assembling-machine", "furnace") else None, "entity.recipe"),
    ("resource", "drill.mining_target", _REAL, lambda e: (e.get("drill") or {}).get("mining_target"),
     "entity.drill.mining_target"),
)


def _refuse(enum: str, field: str, unit: Any, value: str, where: str) -> RecordError:
    return RecordError(
        f"{where}: entity {unit}'s {field.split('.', 1)[1]} {value!r} is not in the database's {enum} ENUM, built "
        "from the game's prototypes; rebuild the database with the names of the game that wrote it "
        "(`fv data refresh` does)", field=field, record_type="entity", source=where)


def check_staged_names(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """RecordError for the first staged entity whose name is outside one of the game's ENUMs (before inserting:
    a failed cast aborts the transaction, after which nothing can be asked)."""
    for enum, column, rows, _, field in _ENUM_CHECKS:
        allowed = enum_values(con, enum)
        if allowed is None:
            continue
        seen = con.execute(f"SELECT DISTINCT ON ({column}) {column}, unit_number FROM {STAGE} "
                           f"WHERE {rows} AND {column} IS NOT NULL").fetchall()
        for value, unit in seen:
            if value not in allowed:
                raise _refuse(enum, field, unit, value, where)


def check_record_names(con: duckdb.DuckDBPyConnection, recs: Iterable[dict[str, Any]]) -> None:
    """RecordError for the first delta whose entity has a name outside one of the game's ENUMs."""
    allowed = {enum: enum_values(con, enum) for enum in {c[0] for c in _ENUM_CHECKS}}
    for rec in recs:
        e = rec.get("entity")
        if e is None:
            continue
        for enum, _, _, value_of, field in _ENUM_CHECKS:
            value = value_of(e)
            if value is not None and allowed[enum] is not None and value not in allowed[enum]:
                raise _refuse(enum, field, e["unit_number"], value, f"{rec['type']} seq {rec['seq']}")
