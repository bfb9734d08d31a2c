"""Fast yes/no checkers compiled from wire.schema.json into Python source.

jsonschema takes ~90 us per record, which would make a 100k-tile snapshot take ten seconds to
check; the generated functions take about one. They answer only valid/invalid: on "invalid" the
caller asks jsonschema for the precise message, so jsonschema stays the reference. Type tests are
exact (`type(x) is int`), stricter than JSON Schema for subclasses: that only sends such a record
to jsonschema, it never accepts a bad one. A keyword this compiler does not know raises
UnsupportedSchema, and that record type then always goes to jsonschema (slower, never wrong).
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["UnsupportedSchema", "compile_definition"]

Check = Callable[[Any], bool]

_IGNORED = {"description", "title", "$comment", "examples", "default"}
_KNOWN = {"$ref", "type", "const", "enum", "required", "properties", "minimum", "maximum",
          "minItems", "maxItems", "minLength", "maxLength", "items"}

_TYPE_EXPR = {
    "integer": "(type({x}) is int or (type({x}) is float and {x}.is_integer()))",
    "number": "(type({x}) is int or type({x}) is float)",
    "string": "type({x}) is str",
    "boolean": "type({x}) is bool",
    "object": "type({x}) is dict",
    "array": "type({x}) is list",
    "null": "{x} is None",
}


class UnsupportedSchema(Exception):
    """The schema uses a keyword this compiler does not implement; use jsonschema for that type."""


def _json_equal(a: Any, b: Any) -> bool:
    # JSON Schema keeps booleans apart from numbers although Python's == does not.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


class _Compiler:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.source: list[str] = []
        self.namespace: dict[str, Any] = {"_M": object(), "_NUM": (int, float), "_json_equal": _json_equal}
        self.def_funcs: dict[str, str] = {}
        self.count = 0

    def _name(self, prefix: str) -> str:
        self.count += 1
        return f"_{prefix}{self.count}"

    def _constant(self, value: Any) -> str:
        name = self._name("c")
        self.namespace[name] = value
        return name

    def definition(self, name: str) -> str:
        if name not in self.def_funcs:
            fname = self._name("def_")
            self.def_funcs[name] = fname  # set first: a recursive $ref then calls the same function
            expr = self.expr(self.defs[name], "v")
            self.source.append(f"def {fname}(v):\n    return {expr}\n")
        return self.def_funcs[name]

    def expr(self, node: dict[str, Any], x: str) -> str:
        unknown = set(node) - _IGNORED - _KNOWN
        if unknown:
            raise UnsupportedSchema(", ".join(sorted(unknown)))
        parts: list[str] = []
        if "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/$defs/") or ref[len("#/$defs/"):] not in self.defs:
                raise UnsupportedSchema(ref)
            parts.append(f"{self.definition(ref[len('#/$defs/'):])}({x})")
        if "type" in node:
            names = node["type"] if isinstance(node["type"], list) else [node["type"]]
            parts.append("(" + " or ".join(_TYPE_EXPR[n].format(x=x) for n in names) + ")")
        if "const" in node:
            parts.append(self._equals(x, node["const"]))
        if "enum" in node:
            options = node["enum"]
            if all(isinstance(o, str) for o in options):
                parts.append(f"{x} in {tuple(options)!r}")
            else:
                parts.append("(" + " or ".join(self._equals(x, o) for o in options) + ")")
        for key, op in (("minimum", ">="), ("maximum", "<=")):
            if key in node:
                parts.append(f"(type({x}) not in _NUM or {x} {op} {node[key]!r})")
        for key, op in (("minItems", ">="), ("maxItems", "<=")):
            if key in node:
                parts.append(f"(type({x}) is not list or len({x}) {op} {int(node[key])})")
        for key, op in (("minLength", ">="), ("maxLength", "<=")):
            if key in node:
                parts.append(f"(type({x}) is not str or len({x}) {op} {int(node[key])})")
        if "items" in node:
            parts.append(f"(type({x}) is not list or {self._items(node['items'])}({x}))")
        if "required" in node or "properties" in node:
            parts.append(f"{self._object(node)}({x})")
        return " and ".join(parts) if parts else "True"

    def _equals(self, x: str, value: Any) -> str:
        if isinstance(value, str):
            return f"{x} == {value!r}"
        if isinstance(value, bool) or value is None:
            return f"{x} is {value!r}"
        if isinstance(value, (int, float)):
            return f"({x} == {value!r} and type({x}) is not bool)"
        return f"_json_equal({x}, {self._constant(value)})"

    def _items(self, node: dict[str, Any]) -> str:
        fname = self._name("items")
        expr = self.expr(node, "i")
        self.source.append(f"def {fname}(v):\n    for i in v:\n        if not ({expr}):\n"
                           "            return False\n    return True\n")
        return fname

    def _object(self, node: dict[str, Any]) -> str:
        fname = self._name("obj")
        self.source.append("")  # reserve the name before nested properties take theirs
        slot = len(self.source) - 1
        lines = [f"def {fname}(v):", "    if type(v) is not dict:", "        return True"]
        required = list(node.get("required", ()))
        if required:
            lines.append("    if " + " or ".join(f"{k!r} not in v" for k in required) + ":")
            lines.append("        return False")
        for key, sub in node.get("properties", {}).items():
            lines.append(f"    p = v.get({key!r}, _M)")
            lines.append(f"    if p is not _M and not ({self.expr(sub, 'p')}):")
            lines.append("        return False")
        lines.append("    return True")
        self.source[slot] = "\n".join(lines) + "\n"
        return fname

    def build(self, name: str) -> Check:
        fname = self.definition(name)
        exec(compile("\n".join(self.source), f"<wire schema: {name}>", "exec"), self.namespace)  # noqa: S102
        return self.namespace[fname]


def compile_definition(schema: dict[str, Any], name: str) -> Check:
    """A predicate for `$defs[name]` of the wire schema; raises UnsupportedSchema when it cannot."""
    return _Compiler(schema["$defs"]).build(name)
