from __future__ import annotations

from pathlib import Path

import duckdb

from factoryverse.db import ColumnInfo, TableInfo, create_schema, describe_schema


def test_tables_views_columns_and_comments_come_from_the_catalog() -> None:
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE TYPE recipe AS ENUM ('iron-gear-wheel', 'copper-cable')")
        con.execute("CREATE TABLE machine (entity_key BIGINT PRIMARY KEY, recipe recipe, queue recipe[], "
                    "position STRUCT(x DOUBLE, y DOUBLE))")
        con.execute("COMMENT ON TABLE machine IS 'assembling machines'")
        con.execute("COMMENT ON COLUMN machine.entity_key IS 'the entity''s unit_number'")
        con.execute("COMMENT ON COLUMN machine.recipe IS '   '")  # blank says nothing: no comment
        con.execute("CREATE VIEW busy AS SELECT entity_key FROM machine WHERE recipe IS NOT NULL")
        con.execute("CREATE TEMP TABLE scratch (a INTEGER)")  # a session's own, not the database's
        tables = describe_schema(con)
    finally:
        con.close()
    assert tables == [
        TableInfo("busy", "view", None, (ColumnInfo("entity_key", "BIGINT", True, None),)),
        TableInfo("machine", "table", "assembling machines", (
            ColumnInfo("entity_key", "BIGINT", False, "the entity's unit_number"),
            ColumnInfo("recipe", "recipe", True, None),
            ColumnInfo("queue", "recipe[]", True, None),
            ColumnInfo("position", "STRUCT(x DOUBLE, y DOUBLE)", True, None),
        )),
    ]
    assert tables[1].uncommented() == ["recipe", "queue", "position"]
    assert tables[0].uncommented() == ["", "entity_key"]


def test_enums_whose_members_overlap_keep_their_own_names() -> None:
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE TYPE short_list AS ENUM ('a', 'b')")
        con.execute("CREATE TYPE long_list AS ENUM ('a', 'b', 'c')")
        con.execute("CREATE TABLE t (s short_list, l long_list)")
        (table,) = describe_schema(con)
    finally:
        con.close()
    assert [(c.name, c.type) for c in table.columns] == [("s", "short_list"), ("l", "long_list")]


def test_every_table_the_schema_creates_is_described_with_all_its_columns(tmp_path: Path) -> None:
    from factoryverse.db import connect

    con = connect(tmp_path / "map.duckdb")
    try:
        create_schema(con, resource_names=["iron-ore", "coal"], entity_names=["wooden-chest", "iron-ore"])
        described = {t.name: [c.name for c in t.columns] for t in describe_schema(con)}
        expected: dict[str, list[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "ORDER BY table_name, ordinal_position"
        ).fetchall():
            expected.setdefault(table, []).append(column)
    finally:
        con.close()
    assert described == expected
    assert "resource_tile" in described
