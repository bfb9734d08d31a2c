"""Record validation against the wire schema, and the database's table layout.

Name columns use ENUM types when the caller passes the prototype names (the database never
imports the engine, so the names come in as parameters); without them they are VARCHAR.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, Callable

import duckdb

from factoryverse.schemas import WireSchemaError, load_wire_schema, validate_wire_record, wire_formats

from . import _fastcheck
from .errors import RecordError, SchemaVersionError

__all__ = [
    "DB_SCHEMA_VERSION",
    "DATA_TABLES",
    "RESOURCE_NAME_ENUM",
    "ENTITY_NAME_ENUM",
    "validate_record",
    "record_checker",
    "create_schema",
    "ensure_schema",
    "recreate_data_tables",
    "create_spatial_indexes",
    "drop_spatial_indexes",
    "enum_values",
]

DB_SCHEMA_VERSION = 1
RESOURCE_NAME_ENUM = "resource_name"
ENTITY_NAME_ENUM = "entity_name"

# {R}: resource-name type, {E}: entity-name type (an ENUM or VARCHAR).
_TABLES: dict[str, str] = {
    "chunk": """
        surface VARCHAR NOT NULL, cx INTEGER NOT NULL, cy INTEGER NOT NULL,
        charted_tick BIGINT, area GEOMETRY NOT NULL, PRIMARY KEY (surface, cx, cy)""",
    "resource_tile": """
        surface VARCHAR NOT NULL, name {R} NOT NULL, x INTEGER NOT NULL, y INTEGER NOT NULL,
        amount BIGINT NOT NULL, geom GEOMETRY NOT NULL""",
    "resource_entity": """
        surface VARCHAR NOT NULL, name {E} NOT NULL, entity_type VARCHAR NOT NULL,
        x DOUBLE NOT NULL, y DOUBLE NOT NULL, position GEOMETRY NOT NULL, bbox GEOMETRY NOT NULL""",
    "water_tile": """
        surface VARCHAR NOT NULL, name VARCHAR NOT NULL, x INTEGER NOT NULL, y INTEGER NOT NULL,
        geom GEOMETRY NOT NULL""",
    "map_entity": """
        unit_number BIGINT PRIMARY KEY, surface VARCHAR NOT NULL, name {E} NOT NULL,
        entity_type VARCHAR NOT NULL, x DOUBLE NOT NULL, y DOUBLE NOT NULL, direction UTINYINT NOT NULL,
        force VARCHAR NOT NULL, bbox GEOMETRY NOT NULL, position GEOMETRY NOT NULL, built_tick BIGINT""",
    "resource_patch": """
        patch_id INTEGER PRIMARY KEY, surface VARCHAR NOT NULL, resource_name {R} NOT NULL,
        tile_count INTEGER NOT NULL, total_amount BIGINT NOT NULL, centroid GEOMETRY NOT NULL,
        geom GEOMETRY NOT NULL, bbox GEOMETRY NOT NULL,
        min_x INTEGER NOT NULL, min_y INTEGER NOT NULL, max_x INTEGER NOT NULL, max_y INTEGER NOT NULL""",
}
DATA_TABLES: tuple[str, ...] = tuple(_TABLES)

_COMMENTS = {
    ("resource_tile", "geom"): "the 1x1 tile square [x, x+1] x [y, y+1]",
    ("map_entity", "built_tick"): "tick of the entity_built delta; NULL for entities already in the snapshot",
    ("resource_patch", "geom"): "union of the patch's tiles (8-connected, may be a MULTIPOLYGON)",
    ("resource_patch", "centroid"): "mean of the tile centres",
    ("resource_patch", "max_x"): "right edge in map coordinates (last tile x + 1)",
    ("resource_patch", "max_y"): "bottom edge in map coordinates (last tile y + 1)",
    ("resource_patch", "patch_id"): "1.. ordered by (resource_name, min_y, min_x); renumbered when tiles change",
}

_RTREES = (
    ("resource_tile", "geom"), ("resource_entity", "bbox"), ("water_tile", "geom"),
    ("map_entity", "bbox"), ("map_entity", "position"), ("resource_patch", "geom"),
)

_META = (
    "CREATE TABLE IF NOT EXISTS schema_version (component VARCHAR PRIMARY KEY, version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sync_state (key VARCHAR PRIMARY KEY, value VARCHAR)",
)


@functools.lru_cache(maxsize=None)
def _checkers() -> dict[str, Callable[[Any], bool] | None]:
    schema = load_wire_schema()
    out: dict[str, Callable[[Any], bool] | None] = {}
    for types in schema["formats"].values():
        for name in types:
            try:
                out[name] = _fastcheck.compile_definition(schema, name)
            except _fastcheck.UnsupportedSchema:
                out[name] = None
    return out


@functools.lru_cache(maxsize=None)
def _allowed(fmt: str | None) -> frozenset[str]:
    formats = wire_formats()
    if fmt is None:
        return frozenset(t for types in formats.values() for t in types)
    if fmt not in formats:
        raise ValueError(f"unknown wire format {fmt!r}; known formats: {', '.join(sorted(formats))}")
    return frozenset(formats[fmt])


@functools.lru_cache(maxsize=None)
def record_checker(fmt: str | None = None) -> Callable[[Any], bool]:
    """A fast predicate: True when a record is valid (and of a type of `fmt`), False when unsure.

    False means "ask validate_record", which gives the verdict and the message; the predicate is
    for hot loops over many records.
    """
    checkers = {t: c for t, c in _checkers().items() if t in _allowed(fmt) and c is not None}
    get = checkers.get

    def check(rec: Any) -> bool:
        if type(rec) is not dict:
            return False
        rtype = rec.get("type")
        if type(rtype) is not str:
            return False
        c = get(rtype)
        return c is not None and c(rec)

    return check


def validate_record(rec: Any, *, fmt: str | None = None, source: str | None = None) -> None:
    """Raise RecordError (naming the field) unless `rec` matches its type in wire.schema.json.

    `fmt` limits the accepted types to one format ("snapshot_file", "snapshot_delta", ...);
    `source` ("file.jsonl:12", "udp") is carried into the error for the reader's benefit.
    """
    if record_checker(fmt)(rec):
        return
    try:
        validate_wire_record(rec, fmt)
    except WireSchemaError as exc:
        where = f"{source}: " if source else ""
        raise RecordError(f"{where}{exc}", field=exc.field, record_type=exc.record_type,
                          source=source) from exc


def enum_values(con: duckdb.DuckDBPyConnection, enum: str) -> frozenset[str] | None:
    """The members of ENUM type `enum` in this database, or None when it has no such type."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_types() WHERE type_name = ? AND logical_type = 'ENUM' "
        "AND database_name = current_database() AND schema_name = 'main'", [enum],
    ).fetchone()
    if not row or not row[0]:
        return None
    return frozenset(con.execute(f"SELECT enum_range(NULL::{enum})").fetchone()[0])


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _create_enum(con: duckdb.DuckDBPyConnection, name: str, values: Iterable[str] | None) -> None:
    if values is None or enum_values(con, name) is not None:
        return
    members = sorted(set(values))
    if not members:
        raise ValueError(f"the {name} ENUM needs at least one name; pass None to use VARCHAR")
    literal = ", ".join(f"'{_quote(v)}'" for v in members)
    con.execute(f"CREATE TYPE {name} AS ENUM ({literal})")


def _type_for(con: duckdb.DuckDBPyConnection, enum: str) -> str:
    return enum if enum_values(con, enum) is not None else "VARCHAR"


def _create_tables(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> None:
    r_type, e_type = _type_for(con, RESOURCE_NAME_ENUM), _type_for(con, ENTITY_NAME_ENUM)
    for table in tables:
        columns = _TABLES[table].replace("{R}", r_type).replace("{E}", e_type)
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        for (t, col), text in _COMMENTS.items():
            if t == table:
                con.execute(f"COMMENT ON COLUMN {table}.{col} IS '{_quote(text)}'")


def create_spatial_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """RTREE indexes on every geometry column that spatial queries filter on."""
    for table, col in _RTREES:
        con.execute(f"CREATE INDEX IF NOT EXISTS {table}_{col}_rtree ON {table} USING RTREE ({col})")


def drop_spatial_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """Dropped before bulk loads: building an RTREE once is ~3x faster than growing it row by row."""
    for table, col in _RTREES:
        con.execute(f"DROP INDEX IF EXISTS {table}_{col}_rtree")


def create_schema(con: duckdb.DuckDBPyConnection, *, resource_names: Iterable[str] | None = None,
                  entity_names: Iterable[str] | None = None) -> None:
    """Create the tables, RTREE indexes and ENUMs of a new database; check the version of an old one.

    `resource_names` / `entity_names` (from prototype data: data.raw["resource"], every entity
    prototype name) make the name columns ENUMs. They only apply to a new database: an existing
    one keeps the types it was created with (delete the file to change them).
    """
    version = _stored_version(con)
    if version == DB_SCHEMA_VERSION:
        return
    if version is not None:
        raise SchemaVersionError(
            f"the database has table layout version {version} but this factoryverse uses "
            f"{DB_SCHEMA_VERSION}; delete the database file and load the snapshot again"
        )
    for stmt in _META:
        con.execute(stmt)
    _create_enum(con, RESOURCE_NAME_ENUM, resource_names)
    _create_enum(con, ENTITY_NAME_ENUM, entity_names)
    _create_tables(con, DATA_TABLES)
    create_spatial_indexes(con)
    # Written last: its presence says the schema is complete.
    con.execute("INSERT OR REPLACE INTO schema_version VALUES ('wire', ?), ('db', ?)",
                [load_wire_schema()["schema_version"], DB_SCHEMA_VERSION])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema (VARCHAR names) if this database has none; check its version if it has."""
    create_schema(con)


def recreate_data_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop and recreate the data tables without indexes (ENUMs and sync_state stay): a fast clear."""
    drop_spatial_indexes(con)
    for table in DATA_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    _create_tables(con, DATA_TABLES)


def _stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' "
        "AND database_name = current_database() AND schema_name = 'main'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute("SELECT version FROM schema_version WHERE component = 'db'").fetchone()
    return None if row is None else row[0]
