"""Getting many Python rows into DuckDB in one statement.

duckdb's client binds parameters at ~0.1 ms per value, so derived rows go in as one VALUES literal when
few, or as a temporary file DuckDB's own reader parses when many.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

__all__ = ["stage_json", "csv_source", "sql_text"]

_LITERAL_ROWS = 500


def _temp_file(suffix: str, text: str) -> str:
    fd, name = tempfile.mkstemp(prefix="fv_stage_", suffix=suffix)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return name


def _path_literal(name: str) -> str:
    return "'" + str(Path(name)).replace("'", "''") + "'"


def sql_text(value: str) -> str:
    """A string as an SQL literal."""
    return "'" + value.replace("'", "''") + "'"


def csv_source(columns: Sequence[str], rows: Sequence[Sequence[int]]) -> tuple[str, str]:
    """A read_csv(...) table expression over integer `rows` in a new temp file, and the file (caller removes it)."""
    name = _temp_file(".csv", "".join(",".join(str(int(v)) for v in row) + "\n" for row in rows))
    spec = ", ".join(f"'{c}': 'BIGINT'" for c in columns)
    return f"read_csv({_path_literal(name)}, header = false, columns = {{{spec}}})", name


def stage_json(con: duckdb.DuckDBPyConnection, table: str, columns: Mapping[str, str],
               rows: Sequence[Mapping[str, Any]]) -> None:
    """Temp table `table` with `columns` (name -> DuckDB type) holding `rows` (dicts of JSON values)."""
    cols = ", ".join(f"{c} {t}" for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({cols})")
    if not rows:
        return
    name = _temp_file(".jsonl", "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows))
    try:
        spec = ", ".join(f"'{c}': '{t}'" for c, t in columns.items())
        con.execute(f"INSERT INTO {table} SELECT {', '.join(columns)} FROM read_json({_path_literal(name)}, "
                    f"format = 'newline_delimited', columns = {{{spec}}})")
    finally:
        os.unlink(name)
