"""The public surface of factoryverse.db is pinned: changing it is a deliberate act."""

from __future__ import annotations

import importlib

import factoryverse.db as db

_MODULES = ["connection", "errors", "schema", "loader", "sync", "refresh", "query", "catalog",
            "_apply", "_bulk", "_fastcheck", "_files", "_mutations", "_repeat_log", "_update_log"]


def test_package_exports() -> None:
    assert sorted(db.__all__) == sorted([
        "connect", "spatial_extension_path",
        "DB_SCHEMA_VERSION", "DATA_TABLES", "create_schema", "ensure_schema", "validate_record", "record_checker",
        "LoadReport", "load_snapshot", "build_resource_patches",
        "apply_delta", "sync_from_disk", "last_applied_seq", "loaded_run_id", "SyncService", "SyncStats",
        "refresh", "RefreshReport", "quarantine_log",
        "query", "check_read_only", "run_user_sql",
        "describe_schema", "TableInfo", "ColumnInfo",
        "DatabaseError", "DatabaseOpenError", "SpatialExtensionError", "SchemaVersionError", "RecordError",
        "SnapshotError", "RunChangedError", "DamagedLogError", "SyncError", "SyncGapError", "SyncTimeoutError",
        "QueryError", "QuerySyntaxError", "QueryTimeoutError",
    ])
    for name in db.__all__:
        assert getattr(db, name) is not None


def test_every_module_declares_all_and_it_resolves() -> None:
    for name in _MODULES:
        module = importlib.import_module(f"factoryverse.db.{name}")
        assert isinstance(module.__all__, list), name
        for exported in module.__all__:
            assert hasattr(module, exported), f"{name}.{exported}"


def test_every_error_is_a_database_error() -> None:
    errors = [db.DatabaseOpenError, db.SpatialExtensionError, db.SchemaVersionError, db.RecordError,
              db.SnapshotError, db.RunChangedError, db.DamagedLogError, db.SyncError, db.SyncGapError,
              db.SyncTimeoutError, db.QueryError, db.QuerySyntaxError, db.QueryTimeoutError]
    assert all(issubclass(e, db.DatabaseError) for e in errors)
    assert issubclass(db.SyncGapError, db.SyncError) and issubclass(db.SyncTimeoutError, TimeoutError)


def test_the_database_never_imports_the_sdk_or_the_engine() -> None:
    import subprocess
    import sys

    code = ("import sys, factoryverse.db; "
            "print(sorted(m for m in sys.modules if m.startswith(('factoryverse.sdk', 'factoryverse.engine'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
