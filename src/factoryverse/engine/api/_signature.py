"""Checking a method call's arguments against the parameter lists Factorio declares for it.

The lists come from the member list (typed-factorio's declarations, e.g. ``position: MapPosition | MapPositionArray,
surface?: SurfaceIdentification``), so a call is refused before the implementation runs, with the game's message
where it is known: "Arguments count error for 'insert': Expected 1 argument but 2 were given" (Factorio 2.0). A
method with overloads (``teleport(position, ...)`` or ``teleport(x, y?)``) accepts a call any of them accepts.
Types the checker does not know (generics such as remote.call's ``K``, most concepts) are not checked: refusing a
call the game accepts would be worse than letting the implementation judge it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Param", "Signature", "parse_signature", "CallChecker", "lua_type_name", "count_message"]

Check = Callable[[Any], bool]

_NUMBER_NAMES = frozenset({
    "number", "double", "float", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
    "uint64", "MapTick", "SurfaceIndex", "PlayerIndex", "UnitNumber", "RealOrientation", "ItemCountType",
    "RegistrationNumber", "FluidStorageIndex", "InventoryIndex",
})
# Concepts as the API documentation defines them (concepts.html), in the same type language; a concept not here
# is not checked.
_CONCEPTS = {
    "MapPosition": "{ } | MapPositionArray",
    "MapPositionArray": "number[]",
    "TilePosition": "{ } | number[]",
    "ChunkPosition": "{ } | number[]",
    "BoundingBox": "{ } | MapPosition[]",
    "SurfaceIdentification": "uint | string | LuaSurface",
    "ForceID": "uint | string | LuaForce",
    "ItemStackIdentification": "string | { } | LuaItemStack",
    "EntitySearchFilters": "{ }",
    "TileSearchFilters": "{ }",
    "SurfaceCreateEntity": "{ }",
    "LuaObject": "object",
}


# Fields a table parameter must have, per its concept (lua-api.factorio.com, concepts and LuaSurface.create_entity):
# checked before the method runs, with the game's message.
_REQUIRED_FIELDS = {
    "SurfaceCreateEntity": ("name", "position"),
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    optional: bool
    rest: bool  # ``...args``: any number of further values


@dataclass(frozen=True)
class Signature:
    params: tuple[Param, ...]

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not p.optional and not p.rest)

    @property
    def max_args(self) -> float:
        return float("inf") if any(p.rest for p in self.params) else len(self.params)


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside brackets; ``=>`` never closes a ``<``."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if text.startswith("=>", i):
            i += 2
            continue
        if ch in "({[<":
            depth += 1
        elif ch in ")}]>":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


_PARAM = re.compile(r"^(\.\.\.)?(\w+)(\?)?\s*:\s*(.+)$", re.S)


def parse_signature(text: str) -> Signature:
    """``"position: MapPosition, surface?: SurfaceIdentification"`` -> a Signature; ``""`` takes no arguments."""
    params = []
    for part in _split_top(text, ",") if text.strip() else []:
        m = _PARAM.match(part)
        if m is None:
            raise ValueError(f"cannot read parameter {part!r} of signature {text!r}")
        rest, name, optional, type_ = m.groups()
        type_ = type_.strip()
        # ``x: T | nil`` may be left out as well as ``x?: T`` (script.on_nth_tick(tick, nil))
        nilable = "nil" in _split_top(type_, "|") or "undefined" in _split_top(type_, "|")
        params.append(Param(name, type_, bool(optional) or nilable, bool(rest)))
    return Signature(tuple(params))


def lua_type_name(value: Any) -> str:
    """What a value is called in an error: its Lua type, or the API class of an API object."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (dict, list)):
        return "table"
    return getattr(value, "lua_class", None) or "function"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_table(v: Any) -> bool:
    return isinstance(v, (dict, list))


def _compile(type_: str, classes: frozenset[str], _depth: int = 0) -> Check | None:
    """A predicate for values of a type expression, or None when it cannot be checked (then anything passes)."""
    checks: list[Check] = []
    for alt in _split_top(type_, "|"):
        alt = alt.strip()
        if alt.startswith("readonly "):
            alt = alt[len("readonly "):].strip()
        if alt.startswith("(") and alt.endswith(")") and "=>" not in alt:
            inner = _compile(alt[1:-1], classes, _depth + 1)
            if inner is None:
                return None
            checks.append(inner)
        elif alt in ("nil", "undefined"):
            checks.append(lambda v: v is None)
        elif alt == "string":
            checks.append(lambda v: isinstance(v, str))
        elif alt in _NUMBER_NAMES or alt.startswith("defines."):
            checks.append(_is_number)
        elif alt == "boolean":
            checks.append(lambda v: isinstance(v, bool))
        elif alt in ("true", "false"):
            checks.append(lambda v, _b=alt == "true": v is _b)
        elif alt[:1] == '"' and alt[-1:] == '"':
            checks.append(lambda v, _s=alt[1:-1]: v == _s)
        elif alt.endswith("[]") or alt.startswith("{") or alt.startswith("Record<") or alt == "table":
            checks.append(_is_table)
        elif alt == "object":
            checks.append(lambda v: getattr(v, "lua_class", None) is not None)
        elif alt in classes:
            checks.append(lambda v, _c=alt: getattr(v, "lua_class", None) == _c)
        elif alt in _CONCEPTS and _depth < 4:
            inner = _compile(_CONCEPTS[alt], classes, _depth + 1)
            if inner is None:
                return None
            checks.append(inner)
        else:
            return None  # a generic, a function type or a concept the checker does not know
    if len(checks) == 1:
        return checks[0]
    return lambda v: any(c(v) for c in checks)


def _element(param: Param) -> str:
    """The type of each value a ``...rest: readonly T[]`` parameter takes."""
    type_ = param.type.removeprefix("readonly ").strip()
    return type_[:-2] if type_.endswith("[]") else "Any"


def count_message(method: str, low: int, high: float, given: int) -> str:
    if low == high:
        expected = f"{low} argument{'' if low == 1 else 's'}"
    elif high == float("inf"):
        expected = f"at least {low} argument{'' if low == 1 else 's'}"
    else:
        expected = f"{low} to {int(high)} arguments"
    return f"Arguments count error for '{method}': Expected {expected} but {given} {'was' if given == 1 else 'were'} given"


class CallChecker:
    """Checks the arguments of one method against its overloads; ``check`` answers an error message or None."""

    def __init__(self, cls: str, method: str, signatures: tuple[str, ...], classes: frozenset[str]):
        self.method = method
        self.cls = cls
        self.signatures = [parse_signature(s) for s in signatures]
        self._checks = [[(p, _compile(_element(p) if p.rest else p.type, classes)) for p in sig.params]
                        for sig in self.signatures]
        self.min_args = min((s.min_args for s in self.signatures), default=0)
        self.max_args = max((s.max_args for s in self.signatures), default=0)

    def check(self, args: tuple[Any, ...]) -> str | None:
        n = len(args)
        if not self.signatures:
            return None
        if not self.min_args <= n <= self.max_args:
            return count_message(self.method, self.min_args, self.max_args, n)
        first: str | None = None
        for sig, checks in zip(self.signatures, self._checks):
            if not sig.min_args <= n <= sig.max_args:
                continue
            error = self._types(checks, args)
            if error is None:
                return None
            first = first or error
        return first

    def _types(self, checks: list[tuple[Param, Check | None]], args: tuple[Any, ...]) -> str | None:
        for i, value in enumerate(args):
            param, check = checks[min(i, len(checks) - 1)]
            if value is None and param.optional:
                continue
            if check is not None and not check(value):
                return (f"Invalid argument #{i + 1} ({param.name}) to '{self.method}': expected {param.type}, "
                        f"got {lua_type_name(value)}")
            for field in _REQUIRED_FIELDS.get(param.type, ()) if isinstance(value, dict) else ():
                if value.get(field) is None:
                    return f"value for required field '{field}' is missing"
        return None
