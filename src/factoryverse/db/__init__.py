"""The map database: fv_snapshot's files in DuckDB with spatial types, kept in sync over UDP.

    con = connect("map.duckdb")
    load_snapshot(con, script_output / "fv_snapshot")
    async with SyncService(con, script_output / "fv_snapshot", port=34400) as sync:
        await sync.wait_for_seq(seq)
        query(con, "SELECT * FROM resource_patch WHERE resource_name = 'iron-ore'")

This package never imports the SDK or the engine: prototype names for the ENUM types come in as
parameters of create_schema / load_snapshot.
"""

from .connection import connect, spatial_extension_path
from .catalog import ColumnInfo, TableInfo, describe_schema
from ._update_log import quarantine_log
from .errors import (DamagedLogError, DatabaseError, DatabaseOpenError, QueryError, QuerySyntaxError,
                     QueryTimeoutError, RecordError, RunChangedError, SchemaVersionError, SnapshotError,
                     SpatialExtensionError, SyncError, SyncGapError, SyncTimeoutError)
from .loader import LoadReport, load_snapshot
from .derived import build_resource_patches
from .query import check_read_only, query, run_user_sql
from .schema import DATA_TABLES, DB_SCHEMA_VERSION, create_schema, ensure_schema, record_checker, validate_record
from .refresh import RefreshReport, refresh
from .sync import SyncService, SyncStats, apply_delta, last_applied_seq, loaded_run_id, sync_from_disk

__all__ = [
    # connection
    "connect", "spatial_extension_path",
    # schema
    "DB_SCHEMA_VERSION", "DATA_TABLES", "create_schema", "ensure_schema", "validate_record", "record_checker",
    # loading and patches
    "LoadReport", "load_snapshot", "build_resource_patches",
    # sync
    "apply_delta", "sync_from_disk", "last_applied_seq", "loaded_run_id", "SyncService", "SyncStats",
    # keeping a front end's database current
    "refresh", "RefreshReport", "quarantine_log",
    # queries
    "query", "check_read_only", "run_user_sql",
    # what a database holds
    "describe_schema", "TableInfo", "ColumnInfo",
    # errors
    "DatabaseError", "DatabaseOpenError", "SpatialExtensionError", "SchemaVersionError", "RecordError",
    "SnapshotError", "RunChangedError", "DamagedLogError", "SyncError", "SyncGapError", "SyncTimeoutError",
    "QueryError", "QuerySyntaxError", "QueryTimeoutError",
]
