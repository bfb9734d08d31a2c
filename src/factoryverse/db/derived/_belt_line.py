"""belt_line: chains of belts an item travels along, each as a LINESTRING through the belt centres.

The graph is the game's belt_neighbours (transport_belt.input_keys / output_keys) read from both ends: an
edge a -> b exists when a lists b as an output or b lists a as an input, since fv_snapshot re-records only
the entity that changed, so a belt built next to an old one is known from its own record alone.

A line continues from a to b when a has exactly one output, b, and a is b's predecessor: b's only input,
or, when b has several (side-loading), the one straight behind it. Every belt is in exactly one line; a
line's id is its first belt's key (the smallest key for a closed loop), so recomputing a line without
changing where it starts keeps its id.

A local update recomputes the lines within two hops of the changed belts; belt_line_member keeps each belt's
edges as last seen, so a removed belt's neighbours are still found after its row is gone. The most common
change, one belt laid at the end of a line, is written in place instead, at a cost that does not grow with
the line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb

from ._changes import Changes
from ._stage import sql_text, stage_json

__all__ = ["TABLE", "MEMBER_TABLE", "DDL", "MEMBER_DDL", "COMMENTS", "MEMBER_COMMENTS", "TABLE_COMMENT",
           "MEMBER_TABLE_COMMENT", "build_belt_lines", "update_belt_lines"]

TABLE = "belt_line"
MEMBER_TABLE = "belt_line_member"
DDL = """
        line_id BIGINT PRIMARY KEY, surface VARCHAR NOT NULL, entity_keys BIGINT[] NOT NULL,
        belt_count INTEGER NOT NULL, geom GEOMETRY NOT NULL, first_key BIGINT NOT NULL, last_key BIGINT NOT NULL,
        is_loop BOOLEAN NOT NULL"""
MEMBER_DDL = """
        entity_key BIGINT PRIMARY KEY, line_id BIGINT NOT NULL, line_index INTEGER NOT NULL,
        input_keys BIGINT[] NOT NULL, output_keys BIGINT[] NOT NULL"""
TABLE_COMMENT = "belt lines: chains of belts items travel along in order (derived from transport_belt)"
MEMBER_TABLE_COMMENT = "which belt_line each belt is on, and the belt edges the lines were built from"
COMMENTS = {
    "line_id": "the entity_key of the line's first belt (the smallest key of a closed loop)",
    "surface": "the surface the belts are on",
    "entity_keys": "the belts' entity_keys in travel order",
    "belt_count": "number of belts (belts, undergrounds, splitters) in the line",
    "geom": "LINESTRING from the first belt's input edge through every belt centre to the last belt's output "
            "edge (a closed ring of centres for a loop)",
    "first_key": "entity_key of the belt items enter the line at",
    "last_key": "entity_key of the belt items leave the line from",
    "is_loop": "true when the line closes on itself",
}
MEMBER_COMMENTS = {
    "entity_key": "the belt (transport_belt.entity_key)",
    "line_id": "the belt_line it is on",
    "line_index": "0-based position in the line's travel order",
    "input_keys": "belts feeding it: its inputs and the belts listing it as their output",
    "output_keys": "belts it feeds: its outputs and the belts listing it as their input",
}

_COMPASS = ("north", "northnortheast", "northeast", "eastnortheast", "east", "eastsoutheast", "southeast",
            "southsoutheast", "south", "southsouthwest", "southwest", "westsouthwest", "west", "westnorthwest",
            "northwest", "northnorthwest")
# How far sideways an input may sit and still be "behind": a splitter's centre is half a tile off its lanes.
_BEHIND_LATERAL = 0.75

_SELECT = """
    SELECT t.entity_key, m.surface, m.position.x, m.position.y, t.direction::VARCHAR, t.input_keys, t.output_keys
    FROM transport_belt t JOIN map_entity m USING (entity_key)"""


@dataclass(frozen=True)
class _Belt:
    key: int
    surface: str
    x: float
    y: float
    dx: float
    dy: float
    listed_in: tuple[int, ...]
    listed_out: tuple[int, ...]


def _unit(direction: str | None) -> tuple[float, float]:
    """Travel direction as a unit vector, y down: a defines.direction name or its 16-way number."""
    if direction is None:
        return 0.0, -1.0
    index = _COMPASS.index(direction) if direction in _COMPASS else int(direction)
    angle = index * math.pi / 8
    return round(math.sin(angle), 12), round(-math.cos(angle), 12)


def _load_all(con: duckdb.DuckDBPyConnection) -> dict[int, _Belt]:
    out = {}
    for key, surface, x, y, direction, ins, outs in con.execute(_SELECT).fetchall():
        dx, dy = _unit(direction)
        out[key] = _Belt(key, surface, x, y, dx, dy, tuple(ins or ()), tuple(outs or ()))
    return out


def _edges(belts: dict[int, _Belt]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    ins: dict[int, set[int]] = {k: set() for k in belts}
    outs: dict[int, set[int]] = {k: set() for k in belts}

    def link(a: int, b: int) -> None:
        if a != b and a in belts and b in belts and belts[a].surface == belts[b].surface:
            outs[a].add(b)
            ins[b].add(a)

    for b in belts.values():
        for o in b.listed_out:
            link(b.key, o)
        for i in b.listed_in:
            link(i, b.key)
    return ins, outs


def _pred(b: _Belt, inputs: set[int], belts: dict[int, _Belt]) -> int | None:
    if len(inputs) == 1:
        return next(iter(inputs))
    behind = []
    for k in inputs:
        a = belts[k]
        vx, vy = a.x - b.x, a.y - b.y
        if vx * b.dx + vy * b.dy < 0 and abs(vx * b.dy - vy * b.dx) < _BEHIND_LATERAL:
            behind.append(k)
    return behind[0] if len(behind) == 1 else None


def _chains(scope: set[int], belts: dict[int, _Belt], ins: dict[int, set[int]],
            outs: dict[int, set[int]]) -> list[tuple[list[int], bool]]:
    """The lines through `scope`: (keys in travel order, closed loop)."""
    nxt: dict[int, int] = {}
    for a in scope:
        if len(outs[a]) == 1:
            b = next(iter(outs[a]))
            if b in scope and _pred(belts[b], ins[b], belts) == a:
                nxt[a] = b
    has_prev = set(nxt.values())
    lines: list[tuple[list[int], bool]] = []
    seen: set[int] = set()
    for start in sorted(scope):
        if start in has_prev:
            continue
        chain = [start]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        seen.update(chain)
        lines.append((chain, False))
    for start in sorted(scope - seen):  # what is left lies on loops; each is walked from its smallest key
        if start in seen:
            continue
        chain = [start]
        while nxt[chain[-1]] != start:
            chain.append(nxt[chain[-1]])
        seen.update(chain)
        lines.append((chain, True))
    return lines


def _wkt(chain: list[int], loop: bool, belts: dict[int, _Belt]) -> str:
    points = [(belts[k].x, belts[k].y) for k in chain]
    if loop:
        points.append(points[0])
    else:
        first, last = belts[chain[0]], belts[chain[-1]]
        points.insert(0, (first.x - first.dx / 2, first.y - first.dy / 2))
        points.append((last.x + last.dx / 2, last.y + last.dy / 2))
    return "LINESTRING (" + ", ".join(f"{x!r} {y!r}" for x, y in points) + ")"


_LINE_COLUMNS = {"line_id": "BIGINT", "surface": "VARCHAR", "entity_keys": "BIGINT[]", "belt_count": "INTEGER",
                 "wkt": "VARCHAR", "first_key": "BIGINT", "last_key": "BIGINT", "is_loop": "BOOLEAN"}
_MEMBER_COLUMNS = {"entity_key": "BIGINT", "line_id": "BIGINT", "line_index": "INTEGER", "input_keys": "BIGINT[]",
                   "output_keys": "BIGINT[]"}
# Up to this many rows go into the INSERT as a VALUES literal (one statement); more through a staged file.
_LITERAL_ROWS = 300


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return sql_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(str(int(v)) for v in value) + "]::BIGINT[]"
    return str(int(value))


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], rows: list[dict],
            select: str) -> None:
    if not rows:
        return
    if len(rows) <= _LITERAL_ROWS:
        values = ", ".join("(" + ", ".join(_literal(row[c]) for c in columns) + ")" for row in rows)
        con.execute(f"INSERT INTO {table} SELECT {select} FROM (VALUES {values}) AS v({', '.join(columns)})")
        return
    stage_json(con, "_fv_stage", columns, rows)
    con.execute(f"INSERT INTO {table} SELECT {select} FROM _fv_stage")
    con.execute("DROP TABLE IF EXISTS _fv_stage")


def _store(con: duckdb.DuckDBPyConnection, lines: list[tuple[list[int], bool]], belts: dict[int, _Belt],
           ins: dict[int, set[int]], outs: dict[int, set[int]]) -> None:
    line_rows, member_rows = [], []
    for chain, loop in lines:
        line_id = min(chain) if loop else chain[0]
        if loop:  # travel order starting at the id's belt
            at = chain.index(line_id)
            chain = chain[at:] + chain[:at]
        line_rows.append({"line_id": line_id, "surface": belts[chain[0]].surface, "entity_keys": chain,
                          "belt_count": len(chain), "wkt": _wkt(chain, loop, belts), "first_key": chain[0],
                          "last_key": chain[-1], "is_loop": loop})
        member_rows.extend({"entity_key": k, "line_id": line_id, "line_index": i, "input_keys": sorted(ins[k]),
                            "output_keys": sorted(outs[k])} for i, k in enumerate(chain))
    _insert(con, TABLE, _LINE_COLUMNS, line_rows,
            "line_id, surface, entity_keys, belt_count, ST_GeomFromText(wkt), first_key, last_key, is_loop")
    _insert(con, MEMBER_TABLE, _MEMBER_COLUMNS, member_rows, "*")


def build_belt_lines(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild belt_line and belt_line_member from transport_belt and map_entity; return the number of lines."""
    con.execute(f"DELETE FROM {TABLE}")
    con.execute(f"DELETE FROM {MEMBER_TABLE}")
    belts = _load_all(con)
    ins, outs = _edges(belts)
    lines = _chains(set(belts), belts, ins, outs)
    _store(con, lines, belts, ins, outs)
    return len(lines)


def _fetch_sql(keys: str) -> str:
    """Current rows and member rows of the belts `keys` (an SQL list or subquery) selects.

    Each table is filtered by the key list before the joins, so DuckDB probes its primary-key index instead
    of hashing the whole table.
    """
    return f"""
    SELECT coalesce(t.entity_key, b.entity_key), m.surface, m.position.x, m.position.y, t.direction::VARCHAR,
           t.input_keys, t.output_keys, b.line_id, b.input_keys, b.output_keys
    FROM (SELECT * FROM transport_belt WHERE entity_key IN ({keys})) t
    JOIN (SELECT entity_key, surface, position FROM map_entity WHERE entity_key IN ({keys})) m USING (entity_key)
    FULL JOIN (SELECT * FROM {MEMBER_TABLE} WHERE entity_key IN ({keys})) b ON b.entity_key = t.entity_key"""


class _Known:
    """What one update has read: belts' current rows and their member rows (line and edges as last built)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.seen: set[int] = set()
        self.belts: dict[int, _Belt] = {}
        self.line: dict[int, int] = {}
        self.stored: dict[int, tuple[int, ...]] = {}

    def _take(self, rows: list[tuple]) -> None:
        for key, surface, x, y, direction, ins, outs, line, s_ins, s_outs in rows:
            if surface is not None:
                dx, dy = _unit(direction)
                self.belts[key] = _Belt(key, surface, x, y, dx, dy, tuple(ins or ()), tuple(outs or ()))
            if line is not None:
                self.line[key] = line
                self.stored[key] = (*s_ins, *s_outs)

    def fetch(self, keys: set[int]) -> None:
        wanted = sorted(keys - self.seen)
        if wanted:
            self.seen.update(wanted)
            self._take(self.con.execute(_fetch_sql(", ".join(map(str, wanted)))).fetchall())

    def fetch_lines(self, lines: set[int]) -> set[int]:
        """Read every member of `lines`; their keys."""
        if not lines:
            return set()
        ids = ", ".join(map(str, sorted(lines)))
        rows = self.con.execute(_fetch_sql(f"SELECT entity_key FROM {MEMBER_TABLE} WHERE line_id IN ({ids})")).fetchall()
        self._take(rows)
        keys = {row[0] for row in rows}
        self.seen |= keys
        return keys

    def neighbours(self, keys: set[int]) -> set[int]:
        """Keys adjacent to `keys` now (their rows' lists) or when lines were last built (stored edges)."""
        out: set[int] = set()
        for k in keys:
            out.update(self.stored.get(k, ()))
            belt = self.belts.get(k)
            if belt is not None:
                out.update(belt.listed_in)
                out.update(belt.listed_out)
        return out


def _line_end(con: duckdb.DuckDBPyConnection, key: int, surface: str) -> tuple | None:
    """(line_id, belt_count, input_keys) when `key` ends a line on `surface` and feeds nothing as far as any record
    says (its row now, its edges when the line was last built)."""
    return con.execute(f"""
        SELECT l.line_id, l.belt_count, b.input_keys
        FROM (SELECT * FROM {MEMBER_TABLE} WHERE entity_key = {key}) b
        JOIN (SELECT entity_key, output_keys FROM transport_belt WHERE entity_key = {key}) t USING (entity_key)
        JOIN {TABLE} l ON l.line_id = b.line_id
        WHERE len(b.output_keys) = 0 AND len(coalesce(t.output_keys, [])) = 0 AND l.last_key = {key}
          AND NOT l.is_loop AND l.surface = {sql_text(surface)}""").fetchone()


def _extend_line_end(con: duckdb.DuckDBPyConnection, changes: Changes, known: _Known) -> bool:
    """The common change in place: one new belt whose only input is the last belt of a line, feeding nothing.

    The line then gains the belt at its end and nothing else changes (no older record can list the new key), so
    the line row and two member rows are updated where the general path would read the whole line and rewrite
    it. False, having written nothing, when the batch is anything else.
    """
    changed = changes.entities()
    if len(changed) != 1 or not changed <= changes.entities_added or changes.entities_removed:
        return False
    (new,) = changed
    belt = known.belts.get(new)
    if belt is None or new in known.line or belt.listed_out or len(belt.listed_in) != 1 or belt.listed_in[0] == new:
        return False
    prev = belt.listed_in[0]
    end = _line_end(con, prev, belt.surface)
    if end is None:
        return False
    line_id, count, prev_inputs = end
    # The old last point is the previous belt's output edge; the line now runs on through the new belt (as _wkt).
    ex, ey = belt.x + belt.dx / 2, belt.y + belt.dy / 2
    con.execute(f"""
        UPDATE {TABLE} SET entity_keys = list_append(entity_keys, {new}), belt_count = belt_count + 1,
            last_key = {new},
            geom = ST_MakeLine(list_append(list_append(
                [ST_PointN(geom, i::INTEGER) FOR i IN range(1, ST_NPoints(geom))],
                ST_Point({belt.x!r}, {belt.y!r})), ST_Point({ex!r}, {ey!r})))
        WHERE line_id = {line_id}""")
    con.execute(f"""
        INSERT INTO {MEMBER_TABLE} VALUES
            ({prev}, {line_id}, {count - 1}, {_literal(list(prev_inputs))}, [{new}]::BIGINT[]),
            ({new}, {line_id}, {count}, [{prev}]::BIGINT[], []::BIGINT[])
        ON CONFLICT (entity_key) DO UPDATE SET output_keys = excluded.output_keys""")
    return True


def update_belt_lines(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    """Recompute the lines the batch's added, removed and changed entities can touch."""
    changed = changes.entities()
    if not changed:
        return
    known = _Known(con)
    known.fetch(changed)
    if not any(k in known.belts or k in known.line for k in changed):
        return  # none of them is or was a belt
    if _extend_line_end(con, changes, known):
        return
    near = changed | known.neighbours(changed)
    known.fetch(near)
    # Two hops: a belt next to a changed one may change predecessor (a side-loader becomes a curve's input
    # when the belt behind is removed), and that predecessor's line must be recomputed with it.
    near |= known.neighbours(near - changed)
    known.fetch(near)
    lines = {known.line[k] for k in near if k in known.line}
    scope_keys = near | known.fetch_lines(lines)
    # Every row listing a scope belt is a changed one or is in its stored edges; its own lists are in its row.
    known.fetch(known.neighbours(scope_keys))
    belts = known.belts
    scope = scope_keys & belts.keys()
    ins, outs = _edges(belts)
    if lines:
        ids = ", ".join(map(str, sorted(lines)))
        con.execute(f"DELETE FROM {TABLE} WHERE line_id IN ({ids})")
        con.execute(f"DELETE FROM {MEMBER_TABLE} WHERE line_id IN ({ids})")
    _store(con, _chains(scope, belts, ins, outs), belts, ins, outs)
