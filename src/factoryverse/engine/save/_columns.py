"""A save's columns as bytes: a column of table-object references, ints, floats, bools or strings becomes one
bytes object (with a string table for strings), and a column of containers each object owns (an entity's
inventories, an inventory's slots) becomes their lengths plus one flat column, encoded the same way.

Why: pickle writes one opcode per value, about 60 ns on save and as much on load, and a world of 10,000 entities
has about a million values (benchmarks/save_load.py); a bytes object is copied whole. The C module `_ccolumns`
(built by `make cslots`) does the work; the Python below gives the same bytes when it is not built.

An encoded column is a tuple whose first item names its kind:
  ("o", value)                  the same value for every object
  ("p", list)                   a plain list, pickled as it is
  ("r" | "i" | "f" | "b", bytes)  references (uint32 positions in the table, 0xFFFFFFFF for None), int64, double,
                                bool; little-endian
  ("s", (strings, bytes))       uint16 positions in `strings`
  ("v", (objects, bytes))       uint16 positions in `objects`: a few distinct objects (by identity), each made once
  ("L" | "T", lengths, total, flat)           lists or tuples: uint32 lengths and the encoded flat column
  ("D", lengths, total, keys, values)         dicts, likewise
  ("Z", k, column...)           tuples of one length k: one encoded column per position
"""

from __future__ import annotations

import sys
from array import array
from itertools import chain
from typing import Any

try:
    from factoryverse.engine.save import _ccolumns  # type: ignore[attr-defined]
except ImportError:  # not built (make cslots), or a big-endian machine: the Python below
    _ccolumns = None

__all__ = ["Encoder", "decode", "decode_list", "unpack", "ColumnError"]

_NONE_REF = 0xFFFFFFFF
_BIG = sys.byteorder == "big"
_CONTAINERS = {list: "L", tuple: "T", dict: "D"}


class ColumnError(ValueError):
    """An encoded column does not match its table (a damaged save)."""


def _le(a: array) -> bytes:
    if _BIG:
        a = array(a.typecode, a)
        a.byteswap()
    return a.tobytes()


def _from_le(code: str, data: bytes, n: int, width: int) -> array:
    if not isinstance(data, bytes) or len(data) != n * width:
        raise ColumnError("a column's bytes do not match its length")
    a = array(code)
    a.frombytes(data)
    if _BIG:
        a.byteswap()
    return a


class Encoder:
    """Encodes columns against the table's objects, in the order the load will list them."""

    def __init__(self, objs: list[Any]):
        self.objs = objs
        if _ccolumns is not None:
            self._index = _ccolumns.index(objs)
        else:
            self._positions: dict[int, int] = {}
            for i, o in enumerate(objs):
                self._positions.setdefault(id(o), i)

    def position(self, obj: Any) -> int | None:
        """`obj`'s position in the table, or None when it is no table object."""
        if _ccolumns is not None:
            return _ccolumns.position(self._index, obj)  # type: ignore[no-any-return]
        return self._positions.get(id(obj))

    def encode(self, column: list[Any], depth: int = 0) -> tuple[Any, ...]:
        """`depth`: how many levels of lists, tuples and dicts in the column are owned by what holds them (no other
        reference to one exists), so they may be written flat and made anew on load."""
        if _ccolumns is not None:
            encoded = _ccolumns.encode(column, self._index)
        else:
            encoded = self._encode(column)
        # A one-value column of containers is flattened too when it has one row (`pack`): flatten refuses a
        # container met twice.
        if encoded[0] in ("p", "v"):
            # Tuples of one length: a column per position (a tuple's identity is never observed, so at any depth).
            zipped = _transpose(column)
            if zipped is not None:
                return ("Z", len(zipped), *(self.encode(list(c), depth - 1) for c in zipped))
        if depth > 0 and encoded[0] in ("p", "o", "v"):
            flat = _ccolumns.flatten(column) if _ccolumns is not None else _flatten(column)
            if flat is not None:
                kind, lengths, *parts = flat
                return (kind, lengths, len(parts[0]), *(self.encode(p, depth - 1) for p in parts))
        return encoded

    def pack(self, value: Any, depth: int) -> tuple[Any, ...]:
        """One owned container (and `depth - 1` levels of owned containers in it), encoded; see `unpack`."""
        return self.encode([value], depth)

    def _encode(self, column: list[Any]) -> tuple[Any, ...]:
        if not column:
            return ("p", column)
        first = column[0]
        if all(v is first for v in column):
            return ("o", first)
        kind = type(first)
        if kind in (bool, int, float, str):
            if not all(type(v) is kind for v in column):
                return _distinct(column)
            if kind is bool:
                data = bytes(column)
                return ("o", first) if data.count(data[0]) == len(data) else ("b", data)
            if kind is int:
                try:
                    a = array("q", column)
                except OverflowError:
                    return _distinct(column)
                return ("o", first) if a.count(a[0]) == len(a) else ("i", _le(a))
            if kind is float:
                a = array("d", column)
                data = _le(a)
                return ("o", first) if data == data[:8] * len(column) else ("f", data)
            names = list(dict.fromkeys(column))
            if len(names) > 0xFFFF:
                return _distinct(column)
            if len(names) == 1:
                return ("o", first)
            at = {n: i for i, n in enumerate(names)}
            return ("s", (tuple(names), _le(array("H", map(at.__getitem__, column)))))
        positions = self._positions
        refs = array("I")
        for v in column:
            if v is None:
                refs.append(_NONE_REF)
            else:
                p = positions.get(id(v))
                if p is None:
                    return _distinct(column)
                refs.append(p)
        return ("r", _le(refs))


def _distinct(column: list[Any]) -> tuple[Any, ...]:
    seen: dict[int, int] = {}
    objects: list[Any] = []
    limit = min(len(column) // 2, 0xFFFF)
    at = array("H")
    for v in column:
        k = seen.get(id(v))
        if k is None:
            if len(objects) >= limit:
                return ("p", column)
            k = seen[id(v)] = len(objects)
            objects.append(v)
        at.append(k)
    return ("v", (tuple(objects), _le(at)))


def _transpose(column: list[Any]) -> list[tuple[Any, ...]] | None:
    if not column or type(column[0]) is not tuple or not column[0]:
        return None
    if set(map(type, column)) != {tuple} or set(map(len, column)) != {len(column[0])}:
        return None
    return list(zip(*column))


def _flatten(column: list[Any]) -> tuple[Any, ...] | None:
    kind = _CONTAINERS.get(type(column[0])) if column else None
    if kind is None or any(type(c) is not type(column[0]) for c in column):
        return None
    if kind != "T" and len(set(map(id, column))) != len(column):
        return None  # one container twice: it must stay one object
    lengths = _le(array("I", map(len, column)))
    if kind == "D":
        return (kind, lengths, list(chain.from_iterable(column)),
                list(chain.from_iterable(c.values() for c in column)))
    return (kind, lengths, list(chain.from_iterable(column)))


def decode(encoded: Any, n: int, objs: list[Any]) -> Any:
    """The column of `n` values (a list), or a 1-tuple when every object has the same value. ColumnError when the
    encoded column is damaged."""
    if type(encoded) is not tuple or not encoded or type(encoded[0]) is not str:
        raise ColumnError("a column is damaged")
    kind = encoded[0]
    try:
        if kind == "o":
            return (encoded[1],)
        if kind == "p":
            column = encoded[1]
            if type(column) is not list or len(column) != n:
                raise ColumnError("a column's length does not match its table")
            return column
        if kind in ("L", "T", "D"):
            return _decode_containers(encoded, n, objs)
        if kind == "Z":
            if type(encoded[1]) is not int or len(encoded) != 2 + encoded[1] or encoded[1] < 1:
                raise ColumnError("a tuple column is damaged")
            parts = [decode(c, n, objs) for c in encoded[2:]]
            return list(zip(*(p * n if type(p) is tuple else p for p in parts)))
        if _ccolumns is not None:
            return _ccolumns.decode(kind, encoded[1], n, objs)
        return _decode(kind, encoded[1], n, objs)
    except (ValueError, TypeError, IndexError) as e:
        raise ColumnError(f"a column is damaged: {e}") from e


def decode_list(encoded: Any, n: int, objs: list[Any]) -> list[Any]:
    """The column of `n` values as a list, whatever its encoding."""
    column = decode(encoded, n, objs)
    return list(column) * n if type(column) is tuple else column


def unpack(packed: Any, objs: list[Any]) -> Any:
    """The value `Encoder.pack` encoded."""
    return decode(packed, 1, objs)[0]


def _decode_containers(encoded: tuple[Any, ...], n: int, objs: list[Any]) -> list[Any]:
    kind, lengths, total = encoded[:3]
    parts = [decode(p, total, objs) for p in encoded[3:]]
    parts = [list(p) * total if type(p) is tuple else p for p in parts]  # a one-value flat column
    if len(parts) != (2 if kind == "D" else 1) or not isinstance(lengths, bytes) or len(lengths) != 4 * n:
        raise ColumnError("a container column is damaged")
    if _ccolumns is not None:
        return _ccolumns.unflatten(kind, lengths, *parts)
    sizes = _from_le("I", lengths, n, 4)
    if sum(sizes) != total:
        raise ColumnError("a container column's lengths do not match its values")
    out: list[Any] = []
    at = 0
    make = {"L": list, "T": tuple}.get(kind)
    for size in sizes:
        if make is None:
            out.append(dict(zip(parts[0][at:at + size], parts[1][at:at + size])))
        else:
            out.append(make(parts[0][at:at + size]))
        at += size
    return out


def _decode(kind: str, payload: Any, n: int, objs: list[Any]) -> list[Any]:
    if kind == "r":
        refs = _from_le("I", payload, n, 4)
        count = len(objs)
        if any(r >= count and r != _NONE_REF for r in refs):
            raise ColumnError("a column refers past its table")
        return [None if r == _NONE_REF else objs[r] for r in refs]
    if kind == "i":
        return _from_le("q", payload, n, 8).tolist()
    if kind == "f":
        return _from_le("d", payload, n, 8).tolist()
    if kind == "b":
        if not isinstance(payload, bytes) or len(payload) != n or any(b > 1 for b in payload):
            raise ColumnError("a bool column is damaged")
        return list(map(bool, payload))
    if kind in ("s", "v"):
        strings, data = payload
        positions = _from_le("H", data, n, 2)
        return list(map(strings.__getitem__, positions))
    raise ColumnError(f"no column kind {kind!r}")

