"""Where the core hands over to the derived tables (resource_patch, water_patch, belt_line, power_network).

The derived package (`db/derived`) keeps them: rebuilt after a full load, updated incrementally after
each applied batch from the `Changes` the batch made.
"""

from __future__ import annotations

from typing import Any

import duckdb

from .derived import Changes, rebuild_derived, update_derived

__all__ = ["Changes", "after_load", "after_batch", "patch_count"]


def after_load(con: duckdb.DuckDBPyConnection, power_records: list[dict[str, Any]]) -> None:
    """Derive every derived table from the freshly loaded raw tables."""
    rebuild_derived(con)
    if power_records:
        update_derived(con, Changes(power_records=power_records))


def after_batch(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    """Bring the derived tables up to date with one applied batch (inside its transaction)."""
    if changes:
        update_derived(con, changes)


def patch_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM resource_patch").fetchone()[0]
