from __future__ import annotations

import copy
import random
from typing import Any

import duckdb
import pytest

from factoryverse.db import DB_SCHEMA_VERSION, RecordError, SchemaVersionError, create_schema, validate_record
from factoryverse.db.schema import DATA_TABLES, record_checker
from factoryverse.schemas import WireSchemaError, validate_wire_record

from . import _records as R


def _samples() -> list[dict[str, Any]]:
    ent = R.entity(7, "wooden-chest", 1.5, 2.5)
    return [
        R.chunk(0, -1), R.resource_tile(3, 4, 500), R.water_tile(1, 1), R.resource_entity("rock-big", 2.0, 3.0,
        entity_type="simple-entity"), ent, R.status(3, chunks=2), R.entity_built(1, ent), R.entity_removed(2, ent),
        R.resource_depleted(3, 3, 4), R.chunk_charted(4, 1, 1),
    ]


def test_valid_records_pass() -> None:
    for rec in _samples():
        validate_record(rec)


def test_a_negative_amount_names_the_field() -> None:
    rec = R.resource_tile(0, 0, 10)
    rec["amount"] = -1
    with pytest.raises(RecordError) as info:
        validate_record(rec, source="x.jsonl:3")
    assert info.value.field == "amount"
    assert info.value.record_type == "resource_tile"
    assert "x.jsonl:3" in str(info.value) and "amount" in str(info.value)
    assert isinstance(info.value.__cause__, WireSchemaError)


def test_a_missing_field_is_named() -> None:
    rec = R.resource_tile(0, 0, 10)
    del rec["y"]
    with pytest.raises(RecordError) as info:
        validate_record(rec)
    assert info.value.field == "y"


def test_a_nested_field_is_named_by_its_path() -> None:
    rec = R.entity_built(1, R.entity(7, "wooden-chest", 1.5, 2.5))
    rec["entity"]["direction"] = 16
    with pytest.raises(RecordError) as info:
        validate_record(rec)
    assert info.value.field == "entity.direction"


def test_a_format_limits_the_record_types() -> None:
    with pytest.raises(RecordError) as info:
        validate_record(R.resource_tile(0, 0, 1), fmt="snapshot_delta")
    assert info.value.field == "type"
    validate_record(R.resource_tile(0, 0, 1), fmt="snapshot_file")


def test_not_an_object_is_rejected() -> None:
    with pytest.raises(RecordError, match="JSON object"):
        validate_record([1, 2])


def _mutations(rec: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Records differing from `rec` in one field: a wrong type, an out-of-range value, or a missing key."""
    out = []
    junk = [None, True, "text", -3, 2.5, 16, [], {}, [1, 2, 3, 4], 1.0]
    for key in rec:
        for value in rng.sample(junk, 4):
            changed = copy.deepcopy(rec)
            changed[key] = value
            out.append(changed)
        missing = copy.deepcopy(rec)
        del missing[key]
        out.append(missing)
    if "entity" in rec:
        for key in rec["entity"]:
            changed = copy.deepcopy(rec)
            changed["entity"][key] = rng.choice(junk)
            out.append(changed)
    return out


def test_the_compiled_checker_agrees_with_jsonschema() -> None:
    """The fast path may only say "valid" where jsonschema does; validate_record relies on it."""
    rng = random.Random(7)
    check = record_checker(None)
    compared = 0
    for rec in _samples():
        for candidate in [rec, *_mutations(rec, rng)]:
            try:
                validate_wire_record(candidate)
                reference = True
            except WireSchemaError:
                reference = False
            assert check(candidate) == reference, candidate
            compared += 1
    assert compared > 300


def test_create_schema_makes_tables_rtrees_and_version(con: duckdb.DuckDBPyConnection) -> None:
    create_schema(con)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(DATA_TABLES) | {"sync_state", "schema_version"} <= tables
    indexes = {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
    assert {"resource_tile_geom_rtree", "map_entity_bbox_rtree", "resource_patch_geom_rtree"} <= indexes
    plan = con.execute("EXPLAIN SELECT * FROM resource_tile "
                       "WHERE ST_Intersects(geom, ST_MakeEnvelope(0, 0, 5, 5))").fetchall()[0][1]
    assert "RTREE_INDEX_SCAN" in plan
    assert con.execute("SELECT version FROM schema_version WHERE component = 'db'").fetchone()[0] == DB_SCHEMA_VERSION
    create_schema(con)  # idempotent


def test_enum_columns_come_from_the_names_given(con: duckdb.DuckDBPyConnection) -> None:
    create_schema(con, resource_names=["iron-ore", "coal"], entity_names=["wooden-chest", "stone-furnace"],
                  recipe_names=["iron-gear-wheel"], status_names=["working", "no_power"])
    types = dict(con.execute(
        "SELECT table_name || '.' || column_name, data_type FROM duckdb_columns() WHERE table_name IN "
        "('resource_tile', 'resource_patch', 'map_entity', 'water_tile', 'assemblers', 'entity_status', 'ghost', "
        "'mining_drill', 'transport_belt')").fetchall())
    assert types["resource_tile.name"] == types["mining_drill.mining_target"] == "ENUM('coal', 'iron-ore')"
    assert types["resource_patch.resource_name"] == "ENUM('coal', 'iron-ore')"
    assert types["map_entity.entity_name"] == types["ghost.ghost_name"] == \
        "ENUM('entity-ghost', 'stone-furnace', 'wooden-chest')"
    assert types["assemblers.recipe"] == "ENUM('iron-gear-wheel')"
    assert types["entity_status.status"] == "ENUM('no_power', 'working')"
    assert types["map_entity.direction"] == types["transport_belt.direction"]
    assert types["map_entity.direction"].startswith("ENUM('north', 'northnortheast', 'northeast'")
    assert types["water_tile.name"] == "VARCHAR"


def test_without_the_games_names_the_name_columns_are_varchar(con: duckdb.DuckDBPyConnection) -> None:
    create_schema(con)
    types = dict(con.execute("SELECT table_name || '.' || column_name, data_type FROM duckdb_columns() "
                             "WHERE column_name IN ('entity_name', 'recipe', 'status', 'direction')").fetchall())
    assert types["map_entity.entity_name"] == types["assemblers.recipe"] == types["entity_status.status"] == "VARCHAR"
    assert types["map_entity.direction"].startswith("ENUM(")  # the same 16 names in Factorio 2.0 and 2.1


def test_every_column_says_what_it_means(con: duckdb.DuckDBPyConnection) -> None:
    create_schema(con)
    silent = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE table_name IN "
                         f"({', '.join(repr(t) for t in DATA_TABLES)}) AND (comment IS NULL OR comment = '')").fetchall()
    assert silent == []


def test_another_layout_version_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    create_schema(con)
    con.execute("UPDATE schema_version SET version = 999 WHERE component = 'db'")
    with pytest.raises(SchemaVersionError, match="rebuild it from the snapshot files"):
        create_schema(con)


def test_an_unknown_schema_keyword_is_left_to_jsonschema() -> None:
    from factoryverse.db._fastcheck import UnsupportedSchema, compile_definition

    schema = {"$defs": {"named": {"type": "object", "properties": {"name": {"type": "string", "pattern": "^a"}}}}}
    with pytest.raises(UnsupportedSchema, match="pattern"):
        compile_definition(schema, "named")
    schema["$defs"]["named"]["properties"]["name"].pop("pattern")
    check = compile_definition(schema, "named")
    assert check({"name": "x"}) and not check({"name": 3}) and check({})
