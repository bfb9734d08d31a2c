"""LuaTransportLine: one lane piece of a belt-like entity (`entity.get_transport_line(i)`).

Positions are in tiles along the piece, 0 at its back (where items come in) up to `line_length` at its front.
The engine's lines are longer than a piece (kinds/belt.py); each call works on the part of its line this piece
covers.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.belt import _items_on, _piece_len, changed, insert_at, line_of
from factoryverse.engine.mechanics.transport_line import ITEM, UNIT

__all__ = ["TransportLineRef"]


class TransportLineRef:
    """What Lua holds: the entity and the line's index (1-based). A value object: its oid names what it denotes."""

    lua_class = "LuaTransportLine"
    __slots__ = ("oid", "owner", "index")

    def __init__(self, owner: Any, index: int):
        self.oid = f"tl:{owner.oid}:{index}"
        self.owner = owner
        self.index = index

    @property
    def valid(self) -> bool:
        return bool(self.owner.valid)

    def piece(self, world: Any) -> tuple[Any, int, int]:
        """(line, start, length) of this piece now."""
        line, start = line_of(world, self.owner, self.index - 1)
        return line, start, _piece_len(line, self.owner, self.index - 1)


Line = api_class("LuaTransportLine")
Line.attributes("owner")


def _here(state: Any, ref: TransportLineRef) -> tuple[Any, Any, int, int]:
    world = state.engine.world
    line, start, length = ref.piece(world)
    return world, line, start, length


def _item(state: Any, items: Any, what: str, belt_stack_size: Any = None) -> str:
    name, _count = _args.item_stack(items)
    if name not in state.engine.prototypes.items:
        raise ScriptError(f"Unknown item name: {name}")
    if belt_stack_size not in (None, 1):
        raise ScriptError(f"{what}: belt_stack_size above 1 (stacked belt items) is not implemented by this engine yet")
    return name


def _position(position: Any, length: int, what: str) -> int:
    if isinstance(position, bool) or not isinstance(position, (int, float)):
        raise ScriptError(f"Invalid argument #1 (position) to '{what}': expected float, got {position!r}")
    return max(0, min(length, int(round(float(position) * UNIT))))


@Line.length_operator
def _length(state, ref):
    world, line, start, length = _here(state, ref)
    return len(_items_on(line, start, length, world.tick))


@Line.getter("line_length")
def _line_length(state, ref):
    return _here(state, ref)[3] / UNIT


@Line.getter("total_segment_length")
def _total_segment_length(state, ref):
    return _here(state, ref)[1].length / UNIT


@Line.method("get_contents")
def _get_contents(state, ref):
    world, line, start, length = _here(state, ref)
    counts: dict[str, int] = {}
    for name, _ in _items_on(line, start, length, world.tick):
        counts[name] = counts.get(name, 0) + 1
    return [{"name": n, "count": c, "quality": "normal"} for n, c in counts.items()]


@Line.method("get_item_count")
def _get_item_count(state, ref, item=None):
    name = None if item is None else _args.item_stack(item)[0]
    world, line, start, length = _here(state, ref)
    return sum(1 for n, _ in _items_on(line, start, length, world.tick) if name is None or n == name)


@Line.method("remove_item")
def _remove_item(state, ref, items):
    name, count = _args.item_stack(items)
    world, line, start, length = _here(state, ref)
    found = [i for n, i in _items_on(line, start, length, world.tick) if n == name][:count]
    if found:
        line.advance(world.tick)
        for i in reversed(found):
            line.remove(i)
        changed(world, line)
    return len(found)


@Line.method("clear")
def _clear(state, ref):
    world, line, start, length = _here(state, ref)
    found = [i for _, i in _items_on(line, start, length, world.tick)]
    if found:
        line.advance(world.tick)
        for i in reversed(found):
            line.remove(i)
        changed(world, line)


@Line.method("can_insert_at")
def _can_insert_at(state, ref, position):
    world, line, start, length = _here(state, ref)
    d = line.length - (start + _position(position, length, "can_insert_at"))
    return _room_now(line, d, world.tick)


@Line.method("can_insert_at_back")
def _can_insert_at_back(state, ref):
    world, line, start, length = _here(state, ref)
    return _room_now(line, line.length - start, world.tick)


@Line.method("insert_at")
def _insert_at(state, ref, position, items, belt_stack_size=None):
    name = _item(state, items, "insert_at", belt_stack_size)
    world, line, start, length = _here(state, ref)
    return insert_at(world, line, start + _position(position, length, "insert_at"), name)


@Line.method("insert_at_back")
def _insert_at_back(state, ref, items, belt_stack_size=None):
    name = _item(state, items, "insert_at_back", belt_stack_size)
    world, line, start, _ = _here(state, ref)
    return insert_at(world, line, start, name)


@Line.method("line_equals")
def _line_equals(state, ref, other):
    if getattr(other, "lua_class", None) != "LuaTransportLine":
        raise ScriptError(f"Invalid argument #1 (other) to 'line_equals': expected LuaTransportLine, got {other!r}")
    world = state.engine.world
    return ref.piece(world)[0] is other.piece(world)[0]


def _room_now(line: Any, d: int, tick: int) -> bool:
    """Whether an item fits at distance `d` from the end now, without moving the line (a question changes nothing)."""
    pos = 0
    for g in line.gaps_at(tick):
        pos += g
        if abs(pos - d) < ITEM:
            return False
        if pos > d:
            break
    return True
