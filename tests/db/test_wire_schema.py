"""factoryverse.schemas: the loading helpers the database (and others) validate with."""

from __future__ import annotations

import pytest

import factoryverse.schemas as schemas
from factoryverse.schemas import (WireSchemaError, load_remote_interfaces, load_wire_schema, record_types,
                                  validate_wire_record, wire_formats)

from . import _records as R


def test_public_api_is_pinned() -> None:
    assert sorted(schemas.__all__) == sorted([
        "WireSchemaError", "load_wire_schema", "load_remote_interfaces", "wire_formats", "record_types",
        "validate_wire_record",
    ])


def test_schema_and_interfaces_load_as_independent_copies() -> None:
    schema = load_wire_schema()
    assert schema["schema_version"] == 3 and "resource_tile" in schema["$defs"]
    schema["$defs"].clear()
    assert "resource_tile" in load_wire_schema()["$defs"]
    interfaces = load_remote_interfaces()
    assert "interfaces" in interfaces and "error_codes" in interfaces


def test_formats_list_the_record_types() -> None:
    assert "entity_built" in wire_formats()["snapshot_delta"]
    assert set(record_types()) >= {"chunk", "resource_tile", "action_completed"}


def test_a_wrong_const_names_the_field() -> None:
    rec = R.chunk(0, 0)
    rec["schema_version"] = 1
    with pytest.raises(WireSchemaError) as info:
        validate_wire_record(rec)
    assert info.value.field == "schema_version" and info.value.record_type == "chunk"


def test_an_unknown_type_lists_the_allowed_ones() -> None:
    with pytest.raises(WireSchemaError, match="entity_built") as info:
        validate_wire_record({"type": "teleport", "schema_version": 1}, "snapshot_delta")
    assert info.value.field == "type"


def test_an_unknown_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown wire format"):
        validate_wire_record(R.chunk(0, 0), "snapshot_files")
