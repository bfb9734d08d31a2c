"""Event tables made in Lua from a few scalars.

Building an event table from Python costs a lupa crossing per key and per nested table (on_chunk_charted: five tables
and a dozen keys, ~50 us). Instead the engine flattens the event's data once per raise into a *shape* (its keys and
nesting, hashable) and the values in order; each Lua state compiles one builder function per shape, which makes the
table from those values in a single call. Engine objects travel as (class, oid) and become proxies inside Lua.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["EventData", "flatten", "builder_source", "MAX_ARGS", "SCALAR", "PROXY", "CONVERTED"]

# Lua allows 200 locals (parameters count) per function; past this, values go as tables made in Python.
MAX_ARGS = 150

_SCALARS = (bool, int, float, str)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KEYWORDS = frozenset(
    "and break do else elseif end false for function goto if in local nil not or repeat return then true until "
    "while".split()
)

# Slot kinds in a shape: one value as is; a proxy (two values: class, oid); a value each state converts itself.
SCALAR, PROXY, CONVERTED = "s", "p", "v"


class EventData:
    """One raise's data, flattened: `shape` picks the builder, `args` are its values (None where a state fills in a
    CONVERTED value), `fixups` the (index, value, is_object) each state must register or convert."""

    __slots__ = ("shape", "args", "fixups")

    def __init__(self, shape: tuple[Any, ...], args: list[Any], fixups: list[tuple[int, Any, bool]]):
        self.shape = shape
        self.args = args
        self.fixups = fixups


def _key_ok(key: Any) -> bool:
    return type(key) is str and _IDENT.match(key) is not None and key not in _KEYWORDS


def _flatten_dict(value: dict[str, Any], args: list[Any], fixups: list[tuple[int, Any, bool]],
                  skip: tuple[str, ...] = ()) -> tuple[Any, ...]:
    shape = []
    for key, v in value.items():
        if key in skip:
            continue
        kind = type(v)
        if v is None:
            continue  # a nil field is no field, as a table made from the dict would have it
        if kind in _SCALARS:
            shape.append((key, SCALAR))
            args.append(v)
            continue
        lua_class = getattr(v, "lua_class", None)
        if lua_class is not None:
            shape.append((key, PROXY))
            fixups.append((len(args), v, True))
            args.append(lua_class)
            args.append(v.oid)
        elif kind is dict and all(_key_ok(k) for k in v):
            shape.append((key, _flatten_dict(v, args, fixups)))
        else:
            shape.append((key, CONVERTED))
            fixups.append((len(args), v, False))
            args.append(None)
    return tuple(shape)


def flatten(data: dict[str, Any]) -> EventData | None:
    """The flattened form of an event's data (its `name` and `tick` keys are the event's own), or None when it does
    not fit a builder (a key Lua can't write as a name, too many values): the caller then converts it whole."""
    if not all(_key_ok(k) for k in data):
        return None
    args: list[Any] = []
    fixups: list[tuple[int, Any, bool]] = []
    shape = _flatten_dict(data, args, fixups, ("name", "tick"))
    if len(args) > MAX_ARGS:
        return None
    return EventData(shape, args, fixups)


def _count(shape: tuple[Any, ...]) -> int:
    n = 0
    for _, kind in shape:
        n += 2 if kind == PROXY else 1 if kind in (SCALAR, CONVERTED) else _count(kind)
    return n


def _fields(shape: tuple[Any, ...], at: list[int]) -> str:
    parts = []
    for key, kind in shape:
        if kind == PROXY:
            parts.append(f"{key}=make_proxy(a{at[0]},a{at[0] + 1})")
            at[0] += 2
        elif kind in (SCALAR, CONVERTED):
            parts.append(f"{key}=a{at[0]}")
            at[0] += 1
        else:
            parts.append(f"{key}={{{_fields(kind, at)}}}")
    return ",".join(parts)


def builder_source(shape: tuple[Any, ...]) -> str:
    """Lua source of a chunk that takes make_proxy and returns the builder function(name, tick, a1, ..., aN)."""
    params = "".join(f",a{i}" for i in range(1, _count(shape) + 1))
    body = _fields(shape, [1])
    sep = "," if body else ""
    return (f"local make_proxy = ...\nreturn function(name,tick{params}) "
            f"return {{{body}{sep}name=name,tick=tick}} end")
