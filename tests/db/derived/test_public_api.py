"""The derived package's surface is pinned: the core database code calls exactly these."""

from __future__ import annotations

import dataclasses
import importlib

import factoryverse.db.derived as derived

_MODULES = ["_changes", "_grid", "_stage", "_tile_patches", "_resource_patch", "_water", "_belt_line", "_power"]


def test_package_exports() -> None:
    assert sorted(derived.__all__) == sorted([
        "DERIVED_TABLES_DDL", "DERIVED_COMMENTS", "DERIVED_TABLE_COMMENTS", "DERIVED_RTREES", "Changes",
        "rebuild_derived", "update_derived", "create_derived_tables", "build_resource_patches",
    ])
    for name in derived.__all__:
        assert getattr(derived, name) is not None


def test_every_module_declares_all_and_it_resolves() -> None:
    for name in _MODULES:
        module = importlib.import_module(f"factoryverse.db.derived.{name}")
        assert module.__all__, name
        for symbol in module.__all__:
            assert hasattr(module, symbol), f"{name}.{symbol}"


def test_changes_has_the_agreed_fields() -> None:
    assert [f.name for f in dataclasses.fields(derived.Changes)] == [
        "entities_added", "entities_removed", "entities_changed", "tiles_changed", "chunks_charted", "power_records",
        "belts", "drills"]


def test_every_derived_column_has_a_comment() -> None:
    for table, ddl in derived.DERIVED_TABLES_DDL.items():
        columns = [part.split()[0] for part in ddl.replace("\n", " ").split(",") if part.strip()]
        assert {c for t, c in derived.DERIVED_COMMENTS if t == table} == set(columns), table
        assert derived.DERIVED_TABLE_COMMENTS[table]


def test_one_build_resource_patches_exists() -> None:
    import importlib.util

    from factoryverse.db import build_resource_patches
    assert build_resource_patches is derived.build_resource_patches
    assert importlib.util.find_spec("factoryverse.db.patches") is None  # the old module is gone, not a copy


def test_a_new_database_comments_every_derived_column(db) -> None:
    missing = db.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE comment IS NULL AND table_name IN "
        "(SELECT unnest(?::VARCHAR[]))", [list(derived.DERIVED_TABLES_DDL)]).fetchall()
    assert missing == []
    tables = db.execute("SELECT table_name FROM duckdb_tables() WHERE comment IS NOT NULL AND table_name IN "
                        "(SELECT unnest(?::VARCHAR[])) ORDER BY 1", [list(derived.DERIVED_TABLES_DDL)]).fetchall()
    assert [t for (t,) in tables] == sorted(derived.DERIVED_TABLES_DDL)
