"""What each delta record does to the tables. Callers own the transaction and the seq bookkeeping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ._bulk import clear_chunk, insert_staged, staged_init_files
from ._files import CHUNK_SIZE, chunk_init_files
from .errors import RecordError, SnapshotError
from .schema import ENTITY_NAME_ENUM

__all__ = ["apply_record", "set_state", "get_state"]

_UPSERT_ENTITY = """
INSERT INTO map_entity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ST_MakeEnvelope(?, ?, ?, ?), ST_Point(?, ?), ?)
ON CONFLICT (unit_number) DO UPDATE SET
    surface = excluded.surface, name = excluded.name, entity_type = excluded.entity_type,
    x = excluded.x, y = excluded.y, direction = excluded.direction, force = excluded.force,
    bbox = excluded.bbox, position = excluded.position, built_tick = excluded.built_tick
"""


def set_state(con: duckdb.DuckDBPyConnection, **values: Any) -> None:
    if not values:
        return
    # One statement for all keys: each execute with parameters costs milliseconds in duckdb's client.
    rows = ", ".join("(?, ?)" for _ in values)
    params = [p for key, value in values.items() for p in (key, None if value is None else str(value))]
    con.execute(f"INSERT OR REPLACE INTO sync_state VALUES {rows}", params)


def get_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def _entity_built(con: duckdb.DuckDBPyConnection, rec: dict[str, Any]) -> bool:
    e = rec["entity"]
    left, top, right, bottom = e["bbox"]
    try:
        con.execute(_UPSERT_ENTITY, [
            e["unit_number"], e["surface"], e["name"], e["entity_type"], e["x"], e["y"], e["direction"], e["force"],
            left, top, right, bottom, e["x"], e["y"], rec["tick"],
        ])
    except duckdb.ConversionException as exc:
        # The one way a schema-valid record fails to store: a name outside the ENUM of prototype names.
        raise RecordError(
            f"entity_built seq {rec['seq']}: entity name {e['name']!r} is not in the database's {ENTITY_NAME_ENUM} "
            f"ENUM, built from prototype data ({exc}); recreate the database with the current prototype names",
            field="entity.name", record_type="entity_built", source=f"seq {rec['seq']}",
        ) from exc
    return False


def _entity_changed(con: duckdb.DuckDBPyConnection, rec: dict[str, Any]) -> bool:
    # Same row as entity_built but the entity was built earlier: keep the built_tick it has.
    e = rec["entity"]
    row = con.execute("SELECT built_tick FROM map_entity WHERE unit_number = ?", [e["unit_number"]]).fetchone()
    return _entity_built(con, {**rec, "tick": None if row is None else row[0]})


def _resource_entity_removed(con: duckdb.DuckDBPyConnection, rec: dict[str, Any]) -> bool:
    con.execute("DELETE FROM resource_entity WHERE surface = ? AND name = ? AND x = ? AND y = ?",
                [rec["surface"], rec["name"], rec["x"], rec["y"]])
    return False


def _entity_removed(con: duckdb.DuckDBPyConnection, rec: dict[str, Any]) -> bool:
    con.execute("DELETE FROM map_entity WHERE unit_number = ?", [rec["unit_number"]])
    # Trees and rocks have no row in map_entity; a removal at their exact position is theirs.
    con.execute("DELETE FROM resource_entity WHERE surface = ? AND name = ? AND x = ? AND y = ?",
                [rec["surface"], rec["name"], rec["x"], rec["y"]])
    return False


def _resource_depleted(con: duckdb.DuckDBPyConnection, rec: dict[str, Any]) -> bool:
    con.execute("DELETE FROM resource_tile WHERE surface = ? AND name = ? AND x = ? AND y = ?",
                [rec["surface"], rec["name"], rec["x"], rec["y"]])
    return True


def _chunk_charted(con: duckdb.DuckDBPyConnection, rec: dict[str, Any], snapshot_dir: Path | None) -> bool:
    if snapshot_dir is None:
        raise SnapshotError(
            f"chunk_charted seq {rec['seq']} needs the snapshot directory to read the chunk's init files; "
            "load a snapshot first or pass snapshot_dir"
        )
    surface, cx, cy = rec["surface"], rec["cx"], rec["cy"]
    with staged_init_files(chunk_init_files(snapshot_dir, surface, cx, cy), rec["run_id"]) as staged:
        clear_chunk(con, surface, cx, cy)
        insert_staged(con, staged, merge=True)
    con.execute(
        "INSERT INTO chunk VALUES (?, ?, ?, ?, ST_MakeEnvelope(?, ?, ?, ?)) ON CONFLICT DO NOTHING",
        [surface, cx, cy, rec["tick"], cx * CHUNK_SIZE, cy * CHUNK_SIZE, (cx + 1) * CHUNK_SIZE, (cy + 1) * CHUNK_SIZE],
    )
    return True


def apply_record(con: duckdb.DuckDBPyConnection, rec: dict[str, Any], snapshot_dir: Path | None) -> bool:
    """Apply one validated delta; True when resource tiles changed (patches must be rebuilt)."""
    rtype = rec["type"]
    if rtype == "entity_built":
        return _entity_built(con, rec)
    if rtype == "entity_removed":
        return _entity_removed(con, rec)
    if rtype == "entity_changed":
        return _entity_changed(con, rec)
    if rtype == "resource_entity_removed":
        return _resource_entity_removed(con, rec)
    if rtype == "resource_depleted":
        return _resource_depleted(con, rec)
    if rtype == "research_changed":
        # Research has no table yet (the database issue adds it); the record is validated and its seq counted.
        return False
    if rtype == "chunk_charted":
        return _chunk_charted(con, rec, snapshot_dir)
    raise RecordError(f"{rtype!r} is not a delta record type", field="type", record_type=rtype)
