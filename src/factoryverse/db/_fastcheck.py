"""Fast yes/no predicates compiled from wire.schema.json.

jsonschema takes ~90 us per record, which would make a 100k-tile snapshot take ten seconds to
check; these closures take a few microseconds. They answer only valid/invalid: on "invalid" the
caller asks jsonschema for the precise message, so jsonschema stays the reference. A schema
keyword this compiler does not know raises _Unsupported, and that record type then goes to
jsonschema every time (slower, never wrong).
"""

from __future__ import annotations

from typing import Any, Callable

__all__: list[str] = []

Check = Callable[[Any], bool]

_IGNORED = {"description", "title", "$comment", "examples", "default"}


class _Unsupported(Exception):
    pass


def _is_integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and v.is_integer()


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_TYPES: dict[str, Check] = {
    "integer": _is_integer,
    "number": _is_number,
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _json_equal(a: Any, b: Any) -> bool:
    # JSON Schema keeps booleans apart from numbers although Python's == does not.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def compile_definition(schema: dict[str, Any], name: str) -> Check:
    """A predicate for `$defs[name]` of the wire schema; raises _Unsupported when it cannot."""
    return _compile(schema["$defs"][name], schema["$defs"])


def _compile(node: dict[str, Any], defs: dict[str, Any]) -> Check:
    unknown = set(node) - _IGNORED - {
        "$ref", "type", "const", "enum", "required", "properties", "minimum", "maximum",
        "minItems", "maxItems", "items",
    }
    if unknown:
        raise _Unsupported(", ".join(sorted(unknown)))
    checks: list[Check] = []
    if "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/$defs/"):
            raise _Unsupported(ref)
        checks.append(_compile(defs[ref[len("#/$defs/"):]], defs))
    if "type" in node:
        names = node["type"] if isinstance(node["type"], list) else [node["type"]]
        preds = [_TYPES[n] for n in names]
        checks.append(preds[0] if len(preds) == 1 else (lambda v, ps=preds: any(p(v) for p in ps)))
    if "const" in node:
        checks.append(lambda v, c=node["const"]: _json_equal(v, c))
    if "enum" in node:
        checks.append(lambda v, opts=tuple(node["enum"]): any(_json_equal(v, o) for o in opts))
    if "minimum" in node:
        checks.append(lambda v, m=node["minimum"]: not _is_number(v) or v >= m)
    if "maximum" in node:
        checks.append(lambda v, m=node["maximum"]: not _is_number(v) or v <= m)
    if "minItems" in node:
        checks.append(lambda v, m=node["minItems"]: not isinstance(v, list) or len(v) >= m)
    if "maxItems" in node:
        checks.append(lambda v, m=node["maxItems"]: not isinstance(v, list) or len(v) <= m)
    if "items" in node:
        item = _compile(node["items"], defs)
        checks.append(lambda v, c=item: not isinstance(v, list) or all(c(i) for i in v))
    if "required" in node or "properties" in node:
        checks.append(_object_check(node, defs))
    if len(checks) == 1:
        return checks[0]
    return lambda v, cs=tuple(checks): all(c(v) for c in cs)


def _object_check(node: dict[str, Any], defs: dict[str, Any]) -> Check:
    required = tuple(node.get("required", ()))
    props = tuple((k, _compile(sub, defs)) for k, sub in node.get("properties", {}).items())

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True  # "required"/"properties" only constrain objects; "type" rejects the rest
        for key in required:
            if key not in v:
                return False
        for key, sub in props:
            if key in v and not sub(v[key]):
                return False
        return True

    return check
