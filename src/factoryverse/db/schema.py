"""Record validation against the wire schema, and creating the database's tables (layout in _tables).

Name columns use ENUM types when the caller passes the game's names (the database never imports the
engine, so the names come in as parameters); without them they are VARCHAR. `direction` is always an
ENUM: its 16 names are the same in Factorio 2.0 and 2.1.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, Callable

import duckdb

from factoryverse.schemas import WireSchemaError, load_wire_schema, validate_wire_record, wire_formats

from . import _fastcheck
from ._tables import DIRECTIONS, ENUMS, RTREES, TABLES, Table
from .derived import DERIVED_RTREES, DERIVED_TABLES_DDL, create_derived_tables
from .errors import RecordError, SchemaVersionError

__all__ = [
    "DB_SCHEMA_VERSION",
    "DATA_TABLES",
    "GHOST_NAME",
    "validate_record",
    "record_checker",
    "create_schema",
    "ensure_schema",
    "reset_database",
    "stored_layout_version",
    "recreate_data_tables",
    "create_spatial_indexes",
    "drop_spatial_indexes",
    "enum_values",
]

# 2: the seed's schema (entity_key, entity_name, position struct, component tables, ENUMs).
DB_SCHEMA_VERSION = 2
GHOST_NAME = "entity-ghost"

_OWN: dict[str, Table] = {t.name: t for t in TABLES}
DATA_TABLES: tuple[str, ...] = (*_OWN, *DERIVED_TABLES_DDL)
_RTREES = (*RTREES, *DERIVED_RTREES)

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


def _quote(text: str) -> str:
    return text.replace("'", "''")


def enum_values(con: duckdb.DuckDBPyConnection, enum: str) -> frozenset[str] | None:
    """The members of ENUM type `enum` in this database, or None when it has no such type."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_types() WHERE type_name = ? AND logical_type = 'ENUM' "
        "AND database_name = current_database() AND schema_name = 'main'", [enum],
    ).fetchone()
    if not row or not row[0]:
        return None
    return frozenset(con.execute(f"SELECT enum_range(NULL::{enum})").fetchone()[0])


def _create_enum(con: duckdb.DuckDBPyConnection, name: str, values: Iterable[str] | None, *,
                 ordered: bool = False) -> None:
    """`ordered` keeps the given order (directions sort clockwise from north), else the names are sorted."""
    if values is None or enum_values(con, name) is not None:
        return
    members = list(dict.fromkeys(values)) if ordered else sorted(set(values))
    if not members:
        raise ValueError(f"the {name} ENUM needs at least one name; pass None to use VARCHAR")
    literal = ", ".join(f"'{_quote(v)}'" for v in members)
    con.execute(f"CREATE TYPE {name} AS ENUM ({literal})")


def _types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {enum: enum if enum_values(con, enum) is not None else "VARCHAR" for enum in ENUMS}


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    types = _types(con)
    create_derived_tables(con, resource_type=types["resource"])
    for name, table in _OWN.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({table.ddl(types)})")
        if table.comment:
            con.execute(f"COMMENT ON TABLE {name} IS '{_quote(table.comment)}'")
        for col, _, meaning in table.columns:
            con.execute(f'COMMENT ON COLUMN {name}."{col}" IS \'{_quote(meaning)}\'')


def create_spatial_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """RTREE indexes on every geometry column that spatial queries filter on."""
    for table, col in _RTREES:
        con.execute(f"CREATE INDEX IF NOT EXISTS {table}_{col}_rtree ON {table} USING RTREE ({col})")


def drop_spatial_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """Dropped before bulk loads: building an RTREE once is ~3x faster than growing it row by row."""
    for table, col in _RTREES:
        con.execute(f"DROP INDEX IF EXISTS {table}_{col}_rtree")


def create_schema(con: duckdb.DuckDBPyConnection, *, resource_names: Iterable[str] | None = None,
                  entity_names: Iterable[str] | None = None, recipe_names: Iterable[str] | None = None,
                  status_names: Iterable[str] | None = None) -> None:
    """Create the tables, RTREE indexes and ENUMs of a new database; check the version of an old one.

    The names (from the running game: resource entity names, entity names placeable from an item,
    recipe names, defines.entity_status names) make the ENUM types `resource`, `placeable_entity`
    (entity-ghost is added), `recipe` and `status`; a kind left None is VARCHAR. They only apply to
    a new database: an existing one keeps the types it was created with (reset_database clears it).
    """
    version = _stored_version(con)
    if version == DB_SCHEMA_VERSION:
        return
    if version is not None:
        raise SchemaVersionError(
            f"the database has table layout version {version} but this factoryverse uses "
            f"{DB_SCHEMA_VERSION}; rebuild it from the snapshot files (`fv data refresh` does, or delete the "
            "database file and load the snapshot again)"
        )
    for stmt in _META:
        con.execute(stmt)
    _create_enum(con, "resource", resource_names)
    _create_enum(con, "placeable_entity", None if entity_names is None else [*entity_names, GHOST_NAME])
    _create_enum(con, "recipe", recipe_names)
    _create_enum(con, "direction", DIRECTIONS, ordered=True)
    _create_enum(con, "status", status_names)
    _create_tables(con)
    create_spatial_indexes(con)
    # Written last: its presence says the schema is complete.
    con.execute("INSERT OR REPLACE INTO schema_version VALUES ('wire', ?), ('db', ?)",
                [load_wire_schema()["schema_version"], DB_SCHEMA_VERSION])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema (VARCHAR names) if this database has none; check its version if it has."""
    create_schema(con)


def reset_database(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every table, view and type of the database (an old layout), so create_schema starts afresh."""
    for kind, catalog in (("VIEW", "duckdb_views() WHERE NOT internal"), ("TABLE", "duckdb_tables()")):
        names = con.execute(
            f"SELECT DISTINCT {kind.lower()}_name FROM {catalog}" + (" AND" if "WHERE" in catalog else " WHERE") +
            " database_name = current_database() AND schema_name = 'main'").fetchall()
        for (name,) in names:
            con.execute(f'DROP {kind} IF EXISTS "{name}" CASCADE')
    types = con.execute("SELECT type_name FROM duckdb_types() WHERE logical_type = 'ENUM' AND NOT internal "
                        "AND database_name = current_database() AND schema_name = 'main'").fetchall()
    for (name,) in types:
        con.execute(f'DROP TYPE IF EXISTS "{name}"')


def recreate_data_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop and recreate the data tables without indexes (ENUMs and sync_state stay): a fast clear."""
    drop_spatial_indexes(con)
    for table in DATA_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    _create_tables(con)


def _stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' "
        "AND database_name = current_database() AND schema_name = 'main'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute("SELECT version FROM schema_version WHERE component = 'db'").fetchone()
    return None if row is None else row[0]


def stored_layout_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The table layout version this database was created with (None for a new, empty database)."""
    return _stored_version(con)
