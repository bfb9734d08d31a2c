"""research and technology from `research` records (research.jsonl at bootstrap, research_changed deltas)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import duckdb

__all__ = ["write_research"]

_STRUCTURE = json.dumps([{"force": "VARCHAR", "current": "VARCHAR", "progress": "DOUBLE", "queue": "VARCHAR[]",
                          "researched": "VARCHAR[]", "tick": "BIGINT"}])

# A force's record replaces everything known of it: its research row and its technology rows. The record lists
# the researched technologies (none when absent), the current one and the queue; those are the rows we know.
_STATEMENTS = (
    "DELETE FROM research WHERE force IN (SELECT force FROM _fv_research)",
    "INSERT INTO research SELECT force, current, progress, queue, tick FROM _fv_research",
    "DELETE FROM technology WHERE force IN (SELECT force FROM _fv_research)",
    """INSERT INTO technology
       SELECT DISTINCT ON (force, name) force, name, researched FROM (
           SELECT force, unnest(researched) AS name, true AS researched, 0 AS o FROM _fv_research
           UNION ALL SELECT force, current, false, 1 FROM _fv_research WHERE current IS NOT NULL
           UNION ALL SELECT force, unnest(queue), false, 2 FROM _fv_research)
       ORDER BY force, name, o""",
)


def write_research(con: duckdb.DuckDBPyConnection, records: Iterable[dict[str, Any]]) -> int:
    """Store the latest record of each force (later records win); return how many forces were written."""
    latest: dict[str, dict[str, Any]] = {}
    for rec in records:
        latest[rec["force"]] = rec
    if not latest:
        return 0
    con.execute("CREATE OR REPLACE TEMP TABLE _fv_research AS SELECT unnest(json_transform(?, ?), recursive := true)",
                [json.dumps(list(latest.values())), _STRUCTURE])
    try:
        for stmt in _STATEMENTS:
            con.execute(stmt)
    finally:
        con.execute("DROP TABLE IF EXISTS _fv_research")
    return len(latest)
