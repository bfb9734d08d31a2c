"""The wire formats shared by the mods and Python, read from this package's JSON files.

`wire.schema.json` is the single source of truth for every record that crosses a process
boundary; `remote_interfaces.json` lists every remote interface the mods register. This module
only loads and checks against them, so every consumer (database, SDK, engine tests) agrees.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

import jsonschema

__all__ = [
    "WireSchemaError",
    "load_wire_schema",
    "load_remote_interfaces",
    "wire_formats",
    "record_types",
    "validate_wire_record",
]


class WireSchemaError(ValueError):
    """A record does not match wire.schema.json.

    `record_type` is the record's `type` (None when it has none), `field` the dotted path of the
    offending field ("" for the record itself), `detail` the validator's explanation.
    """

    def __init__(self, message: str, *, record_type: str | None, field: str, detail: str) -> None:
        super().__init__(message)
        self.record_type = record_type
        self.field = field
        self.detail = detail


@functools.lru_cache(maxsize=None)
def _load_json(name: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def load_wire_schema() -> dict[str, Any]:
    """The parsed wire.schema.json (a fresh copy: callers may not mutate the shared one)."""
    return copy.deepcopy(_load_json("wire.schema.json"))


def load_remote_interfaces() -> dict[str, Any]:
    """The parsed remote_interfaces.json (a fresh copy)."""
    return copy.deepcopy(_load_json("remote_interfaces.json"))


def wire_formats() -> dict[str, tuple[str, ...]]:
    """Format name -> the record types it may carry, e.g. "snapshot_delta" -> ("entity_built", ...)."""
    return {fmt: tuple(types) for fmt, types in _load_json("wire.schema.json")["formats"].items()}


def record_types() -> tuple[str, ...]:
    """Every record type the schema defines, in schema order."""
    return tuple(t for types in wire_formats().values() for t in types)


@functools.lru_cache(maxsize=None)
def _validator(record_type: str) -> jsonschema.protocols.Validator:
    schema = _load_json("wire.schema.json")
    # Validating against a $ref into the shared $defs keeps nested refs (entity, bbox) resolvable.
    root = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{record_type}"}
    cls = jsonschema.validators.validator_for(root)
    cls.check_schema(root)
    return cls(root)


def _field_of(error: jsonschema.ValidationError) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        # jsonschema reports a missing key on the parent object; name the key itself.
        missing = [k for k in error.validator_value if k not in error.instance]
        if missing:
            path.append(missing[0])
    return ".".join(path)


def validate_wire_record(rec: Any, fmt: str | None = None) -> None:
    """Check one record against wire.schema.json; raise WireSchemaError naming the bad field.

    `fmt` (a key of the schema's `formats`, e.g. "snapshot_file") restricts the allowed types.
    """
    if not isinstance(rec, dict):
        raise WireSchemaError(
            f"a wire record must be a JSON object, got {type(rec).__name__}",
            record_type=None, field="", detail="not an object",
        )
    formats = wire_formats()
    if fmt is not None and fmt not in formats:
        raise ValueError(f"unknown wire format {fmt!r}; known formats: {', '.join(sorted(formats))}")
    allowed = formats[fmt] if fmt is not None else record_types()
    rtype = rec.get("type")
    if not isinstance(rtype, str) or rtype not in allowed:
        where = f"format {fmt!r}" if fmt else "wire.schema.json"
        raise WireSchemaError(
            f"field 'type': {rtype!r} is not a record type of {where} (expected one of: {', '.join(allowed)})",
            record_type=rtype if isinstance(rtype, str) else None, field="type", detail="unknown record type",
        )
    error = jsonschema.exceptions.best_match(_validator(rtype).iter_errors(rec))
    if error is not None:
        field = _field_of(error)
        raise WireSchemaError(
            f"{rtype} record: field {field!r}: {error.message}",
            record_type=rtype, field=field, detail=error.message,
        )
