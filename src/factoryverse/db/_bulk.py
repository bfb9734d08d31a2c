"""Moving chunk init files into the tables with DuckDB's own JSON reader.

duckdb's Python client binds parameters at ~0.1 ms per value, so 100k tiles cannot go through
executemany; read_json parses them in a fraction of a second. Every record is validated in Python
first and the validated text is staged in one file, so DuckDB only ever sees schema-valid lines.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from . import _components
from ._components import ENTITY_COLUMNS, STAGE
from ._files import CHUNK_SIZE, iter_records
from .errors import RecordError, RunChangedError, SnapshotError
from .schema import enum_values

__all__ = ["staged_init_files", "insert_staged", "clear_chunk"]

_RAW_COLUMNS = {"type": "VARCHAR", **ENTITY_COLUMNS, "amount": "BIGINT", "cx": "INTEGER", "cy": "INTEGER",
                "tick": "BIGINT"}
_ENTITY_FIELDS = ", ".join(f'"{c}"' for c in ENTITY_COLUMNS)

# Tiles and trees listed twice: DISTINCT ON and, when merging into filled tables, the {guard} (NOT EXISTS) keep
# one row per key.
_INSERTS = (
    ("""INSERT INTO resource_tile
        SELECT surface, name, x, y, amount, ST_MakeEnvelope(x, y, x + 1, y + 1) FROM (
            SELECT DISTINCT ON (surface, name, x, y) surface, name, x::INTEGER AS x, y::INTEGER AS y, amount
            FROM _fv_raw WHERE type = 'resource_tile') r
        {guard} ORDER BY surface, name, y, x""",
     "WHERE NOT EXISTS (SELECT 1 FROM resource_tile t "
     "WHERE t.surface = r.surface AND t.name = r.name AND t.x = r.x AND t.y = r.y)"),
    ("""INSERT INTO water_tile
        SELECT surface, name, x, y, ST_MakeEnvelope(x, y, x + 1, y + 1) FROM (
            SELECT DISTINCT ON (surface, x, y) surface, name, x::INTEGER AS x, y::INTEGER AS y
            FROM _fv_raw WHERE type = 'water_tile') r
        {guard} ORDER BY surface, y, x""",
     "WHERE NOT EXISTS (SELECT 1 FROM water_tile t WHERE t.surface = r.surface AND t.x = r.x AND t.y = r.y)"),
    ("""INSERT INTO resource_entity
        SELECT surface, name, entity_type, x, y, ST_Point(x, y),
               ST_MakeEnvelope(bbox[1], bbox[2], bbox[3], bbox[4]) FROM (
            SELECT DISTINCT ON (surface, name, x, y) surface, name, entity_type, x, y, bbox
            FROM _fv_raw WHERE type = 'resource_entity') r
        {guard} ORDER BY surface, y, x""",
     "WHERE NOT EXISTS (SELECT 1 FROM resource_entity t "
     "WHERE t.surface = r.surface AND t.name = r.name AND t.x = r.x AND t.y = r.y)"),
    (f"""INSERT OR REPLACE INTO chunk
        SELECT DISTINCT ON (surface, cx, cy) surface, cx, cy, tick,
               ST_MakeEnvelope(cx * {CHUNK_SIZE}, cy * {CHUNK_SIZE}, (cx + 1) * {CHUNK_SIZE}, (cy + 1) * {CHUNK_SIZE})
        FROM _fv_raw WHERE type = 'chunk'""", ""),
)


@contextlib.contextmanager
def staged_init_files(files: list[Path], run_id: str) -> Iterator[Path]:
    """Validate every record of `files` and stage their text in one temporary JSONL file.

    DuckDB then reads exactly the bytes that were validated (a new take_snapshot may rewrite the
    init files meanwhile), and one file reads ~10x faster than thousands of small ones. Every
    record must belong to run `run_id`: a file left by another game is refused, never mixed in.
    """
    fd, name = tempfile.mkstemp(prefix="fv_init_", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for path in files:
                try:
                    text = path.read_text(encoding="utf-8")
                except OSError as exc:
                    raise SnapshotError(f"cannot read snapshot file {path}: {exc}") from exc
                for lineno, rec in enumerate(iter_records(path, "snapshot_file", text=text), 1):
                    if rec["run_id"] != run_id:
                        raise RunChangedError(
                            f"{path} holds a record of run {rec['run_id']!r} (record {lineno}), but the snapshot "
                            f"being loaded is run {run_id!r}: the folder mixes two games' files; take the "
                            "snapshot again (the mod removes the old run's files when a new run starts)",
                            old=run_id, new=rec["run_id"],
                        )
                out.write(text)
                if text and not text.endswith("\n"):
                    out.write("\n")
        yield Path(name)
    finally:
        os.unlink(name)


def insert_staged(con: duckdb.DuckDBPyConnection, staged: Path, *, merge: bool, tick: int) -> set[int]:
    """Insert every record of a staged file into its table, inside the caller's transaction; return the entity keys.

    `merge=False` is for empty tables; `merge=True` skips tiles and trees already stored and replaces
    the rows of entities already stored (keeping their built_tick). `tick` is when the records were read.
    """
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in _RAW_COLUMNS.items()) + "}"
    path = str(staged).replace("'", "''")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _fv_raw AS SELECT * FROM read_json('{path}', "
        f"format = 'newline_delimited', columns = {columns})"
    )
    try:
        _check_enum(con, "resource", ("resource_tile",))
        for stmt, guard in _INSERTS:
            con.execute(stmt.format(guard=guard if merge else ""))
        # Entities overlapping a chunk border may be listed by both chunks' files: one row per key.
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT DISTINCT ON (unit_number) {_ENTITY_FIELDS}, "
                    f"NULL::BIGINT AS built_tick, {int(tick)}::BIGINT AS tick FROM _fv_raw WHERE type = 'entity'")
        keys = [r[0] for r in con.execute(f"SELECT unit_number FROM {STAGE}").fetchall()]
        if merge and keys:
            _components.delete_keys(con, keys, _components.holding(con, keys) - {"map_entity"})
        if keys:
            _components.check_staged_names(con, "entity records")
            _components.write_entities(con, upsert=merge)
        return set(keys)
    finally:
        con.execute("DROP TABLE IF EXISTS _fv_raw")
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")


def _check_enum(con: duckdb.DuckDBPyConnection, enum: str, types: tuple[str, ...]) -> None:
    """Name the records whose name is outside an ENUM, rather than let the INSERT fail on a cast."""
    allowed = enum_values(con, enum)
    if allowed is None:
        return
    in_types = ", ".join(f"'{t}'" for t in types)
    seen = con.execute(f"SELECT name, count(*) FROM _fv_raw WHERE type IN ({in_types}) GROUP BY name").fetchall()
    unknown = sorted((name, n) for name, n in seen if name not in allowed)
    if unknown:
        listed = ", ".join(f"{name!r} ({n} records)" for name, n in unknown[:5])
        raise RecordError(
            f"{'/'.join(types)} name {unknown[0][0]!r} is not in the database's {enum} ENUM, built from prototype "
            f"data (unknown: {listed}); recreate the database with the prototype names of the game that wrote "
            "the snapshot", field="name", record_type=types[0],
        )


def clear_chunk(con: duckdb.DuckDBPyConnection, surface: str, cx: int, cy: int) -> None:
    """Remove the tiles and trees/rocks positioned in one chunk, before its init files are reloaded."""
    x0, y0 = cx * CHUNK_SIZE, cy * CHUNK_SIZE
    bounds = [surface, x0, x0 + CHUNK_SIZE, y0, y0 + CHUNK_SIZE]
    for table in ("resource_tile", "water_tile", "resource_entity"):
        con.execute(f"DELETE FROM {table} WHERE surface = ? AND x >= ? AND x < ? AND y >= ? AND y < ?", bounds)
