"""What a batch of delta records does to the tables, set-based. Callers own the transaction and the seq bookkeeping.

A batch is cut at each chunk_charted (it reloads a chunk's init files, which later deltas may change
again); between cuts the records are folded into their net effect per entity key (built, changed,
then removed is just removed) and written with a fixed handful of statements, whatever their number.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from . import _components
from ._bulk import clear_chunk, insert_staged, staged_init_files
from ._derived_hook import Changes
from ._files import CHUNK_SIZE, chunk_init_files
from ._research import write_research
from .errors import RecordError, SnapshotError

__all__ = ["apply_records", "set_state", "get_state", "DELTA_TYPES"]

DELTA_TYPES = frozenset({"entity_built", "entity_changed", "entity_removed", "resource_entity_removed",
                         "resource_depleted", "research_changed", "chunk_charted", "power_changed"})

_PLACE = json.dumps([{"surface": "VARCHAR", "name": "VARCHAR", "x": "DOUBLE", "y": "DOUBLE"}])


def set_state(con: duckdb.DuckDBPyConnection, **values: Any) -> None:
    if not values:
        return
    # Values as literals: binding parameters costs duckdb's client more than the statement itself. The keys are
    # there after a load, and an UPDATE costs half an upsert (0.4 ms against 0.9, once per batch); keys not
    # there yet are inserted.
    text = {key: "NULL" if value is None else _literal(str(value)) for key, value in values.items()}
    cases = " ".join(f"WHEN {_literal(key)} THEN {v}" for key, v in text.items())
    keys = ", ".join(map(_literal, text))
    found = {row[0] for row in con.execute(
        f"UPDATE sync_state SET value = CASE key {cases} END WHERE key IN ({keys}) RETURNING key").fetchall()}
    missing = ", ".join(f"({_literal(key)}, {v})" for key, v in text.items() if key not in found)
    if missing:
        con.execute(f"INSERT INTO sync_state VALUES {missing}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def get_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def _delete_places(con: duckdb.DuckDBPyConnection, table: str, places: list[dict[str, Any]]) -> None:
    """Delete the rows of `table` at these (surface, name, x, y) places, in one statement."""
    if places:
        con.execute(f"""DELETE FROM {table} USING (SELECT unnest(json_transform(?, ?), recursive := true)) g
                        WHERE {table}.surface = g.surface AND {table}.name::VARCHAR = g.name
                          AND {table}.x = g.x AND {table}.y = g.y""", [json.dumps(places), _PLACE])


class _Segment:
    """The net effect of consecutive records without a chunk_charted among them."""

    def __init__(self) -> None:
        self.staged: dict[int, dict[str, Any]] = {}   # key -> {"e": entity, "b": built_tick, "t": tick}
        self.lines: dict[int, bytes | None] = {}      # key -> the log line of the delta staged for it
        self.removed: dict[int, None] = {}            # keys removed (ordered set)
        self.trees: list[dict[str, Any]] = []         # resource_entity rows to delete
        self.tiles: list[dict[str, Any]] = []         # resource_tile rows to delete
        self.research: list[dict[str, Any]] = []

    def add(self, rec: dict[str, Any], changes: Changes, line: bytes | None = None) -> None:
        rtype = rec["type"]
        if rtype == "entity_built" or rtype == "entity_changed":
            e = rec["entity"]
            key = e["unit_number"]
            if rtype == "entity_built":
                built = rec["tick"]
                changes.entities_added.add(key)
            else:
                # Built earlier in this batch: keep that tick; otherwise NULL keeps the stored one.
                before = self.staged.get(key)
                built = None if before is None else before["b"]
                changes.entities_changed.add(key)
            self.staged[key] = {"e": e, "b": built, "t": rec["tick"]}
            self.lines[key] = line
            self.removed.pop(key, None)
        elif rtype == "entity_removed":
            key = rec["unit_number"]
            self.staged.pop(key, None)
            self.lines.pop(key, None)
            self.removed[key] = None
            changes.entities_removed.add(key)
            # Trees and rocks have no row in map_entity; a removal at their exact position is theirs.
            self.trees.append({"surface": rec["surface"], "name": rec["name"], "x": rec["x"], "y": rec["y"]})
        elif rtype == "resource_entity_removed":
            self.trees.append({"surface": rec["surface"], "name": rec["name"], "x": rec["x"], "y": rec["y"]})
        elif rtype == "resource_depleted":
            self.tiles.append({"surface": rec["surface"], "name": rec["name"], "x": rec["x"], "y": rec["y"]})
            changes.tiles_changed.add((rec["surface"], rec["name"], rec["x"], rec["y"]))
        elif rtype == "research_changed":
            self.research.append({**rec["research"], "tick": rec["tick"]})
        elif rtype == "power_changed":
            changes.power_records.extend(rec["networks"])
        else:
            raise RecordError(f"{rtype!r} is not a delta record type", field="type", record_type=rtype)

    def apply(self, con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
        # A key built in this batch is new (unit numbers are never reused), so only the others can have rows.
        keys = [k for k, row in self.staged.items() if row["b"] is None] + [k for k in self.removed]
        held = _components.holding(con, keys)
        if self.removed and "map_entity" in held:
            _components.delete_keys(con, list(self.removed), ["map_entity"])
        _components.delete_keys(con, keys, sorted(held - {"map_entity"}))
        written: set[str] = set()
        if self.staged:
            _components.stage_entities(con, list(self.staged.values()), [self.lines[k] for k in self.staged])
            written = _components.tables_for(row["e"] for row in self.staged.values())
            _components.write_entities(con, written, upsert="map_entity" in held)
        # Which derived tables the batch concerns, known from what was deleted and written (None: unknown).
        touched = held | written
        if changes.belts is not None:
            changes.belts = changes.belts or "transport_belt" in touched
        if changes.drills is not None:
            changes.drills = changes.drills or "mining_drill" in touched
        _delete_places(con, "resource_entity", self.trees)
        _delete_places(con, "resource_tile", self.tiles)
        write_research(con, self.research)


def _chunk_charted(con: duckdb.DuckDBPyConnection, rec: dict[str, Any], snapshot_dir: Path | None,
                   changes: Changes) -> None:
    if snapshot_dir is None:
        raise SnapshotError(
            f"chunk_charted seq {rec['seq']} needs the snapshot directory to read the chunk's init files; "
            "load a snapshot first or pass snapshot_dir"
        )
    surface, cx, cy = rec["surface"], rec["cx"], rec["cy"]
    with staged_init_files(chunk_init_files(snapshot_dir, surface, cx, cy), rec["run_id"]) as staged:
        clear_chunk(con, surface, cx, cy)
        changes.entities_added |= insert_staged(con, staged, merge=True, tick=rec["tick"])
    con.execute(
        "INSERT INTO chunk VALUES (?, ?, ?, ?, ST_MakeEnvelope(?, ?, ?, ?)) ON CONFLICT DO NOTHING",
        [surface, cx, cy, rec["tick"], cx * CHUNK_SIZE, cy * CHUNK_SIZE, (cx + 1) * CHUNK_SIZE, (cy + 1) * CHUNK_SIZE],
    )
    changes.chunks_charted.add((surface, cx, cy))


def apply_records(con: duckdb.DuckDBPyConnection, recs: list[dict[str, Any]], snapshot_dir: Path | None,
                  lines: Callable[[int], bytes | None] | None = None) -> Changes:
    """Apply validated deltas in order (inside the caller's transaction); return what they changed.

    `lines(seq)`, when given, is a delta's JSON text exactly as parsed into its record (see apply_run).
    """
    changes = Changes(belts=False, drills=False)
    segment = _Segment()
    for rec in recs:
        if rec["type"] == "chunk_charted":
            segment.apply(con, changes)
            segment = _Segment()
            _chunk_charted(con, rec, snapshot_dir, changes)
            # A chunk's entities come in from its files, unsorted: let the derived tables ask.
            changes.belts = changes.drills = None
        else:
            segment.add(rec, changes, None if lines is None else lines(rec["seq"]))
    segment.apply(con, changes)
    return changes
