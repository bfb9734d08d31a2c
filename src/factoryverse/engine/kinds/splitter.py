"""Splitters: two belts wide; what comes in on either side leaves on either side, lane by lane.

Eight lane pieces of half a tile, as the game's `get_max_transport_line_index` says: 1-4 the input halves (left
belt's left and right lane, then the right belt's), 5-8 the output halves in the same order. Lines end at the input
halves, so the splitter hosts them and hands each item over itself: with no output priority, each lane alternates
between the two outputs (one that has no room is skipped); with `splitter_output_priority` the named side first; with
`splitter_filter` items of that name go to the priority side and everything else to the other. With
`splitter_input_priority` the named side's items are handed over first when both wait; without it the two sides
take turns.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.belt import FWD, BeltKind, BeltState, _into, belt_neighbours, left_of, line_of, offer
from factoryverse.engine.mechanics.transport_line import UNIT

if TYPE_CHECKING:
    from factoryverse.engine.mechanics.transport_line import Line
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["SplitterKind"]

_HALF = UNIT // 2
_SIDES = {"left": 0, "right": 1}


class SplitterKind(BeltKind):
    types: ClassVar[tuple[str, ...]] = ("splitter",)
    pieces: ClassVar[int] = 8
    takes_drops: ClassVar[bool] = False  # nothing drops onto a splitter

    def side_tiles(self, e: Entity) -> list[tuple[int, int]]:
        lx, ly = left_of(e.direction)
        return [(math.floor(e.x + 0.5 * lx), math.floor(e.y + 0.5 * ly)), (math.floor(e.x - 0.5 * lx), math.floor(e.y - 0.5 * ly))]

    def outputs(self, e: Entity) -> list[tuple[int, int]]:
        fx, fy = FWD[e.direction]
        return [(tx + fx, ty + fy) for tx, ty in self.side_tiles(e)]

    def piece_length(self, world: World, e: Entity, p: int) -> int:
        return _HALF

    def link_shape(self, world: World, e: Entity) -> None:
        pass

    def relation(self, world: World, e: Entity, p: int) -> tuple[str, Entity, int, int] | None:
        if p < 4:
            return None  # the splitter hands these over itself (deliver)
        side, lane = (p - 4) // 2, p % 2
        ox, oy = self.outputs(e)[side]
        return _into(world, e, ox, oy, e.direction, lane)

    def accept(self, world: World, t: Entity, sx: int, sy: int, d: int, lane: int) -> tuple[str, int, int] | None:
        if t.direction != d:
            return None
        fx, fy = FWD[d]
        tiles = self.side_tiles(t)
        if (sx + fx, sy + fy) not in tiles:
            return None
        return ("cont", tiles.index((sx + fx, sy + fy)) * 2 + lane, 0)

    def neighbours(self, world: World, e: Entity, where: tuple[float, float, int] | None = None) -> list[Entity]:
        return super().neighbours(world, e, where)

    # -- handing over -------------------------------------------------------------------------------------------

    def _outputs_for(self, e: Entity, name: str, lane: int) -> list[int]:
        st: BeltState = e.state
        prio = _SIDES.get(st.output_priority)
        if st.filter is not None:
            first = 0 if prio is None else prio  # the game asks for a side with a filter; left stands in for none
            return [first] if name == st.filter else [1 - first]
        if prio is not None:
            return [prio, 1 - prio]
        nxt = st.toggles[lane]
        return [nxt, 1 - nxt]

    def deliver(self, world: World, line: Line, name: str, over: int, tick: int) -> bool:
        e = line.host
        ip = line.pieces[-1][1]
        if ip >= 4:
            return super().deliver(world, line, name, over, tick)
        st: BeltState = e.state
        in_side, lane = ip // 2, ip % 2
        for side in self._outputs_for(e, name, lane):
            tl, start = line_of(world, e, 4 + side * 2 + lane)
            if offer(world, tl, start, over, name, tick):
                if st.filter is None and st.output_priority == "none":
                    st.toggles[lane] = 1 - side
                if st.input_priority == "none":
                    st.toggles[2 + lane] = 1 - in_side
                return True
        return False

    def blocked_on(self, world: World, line: Line) -> list[Line]:
        ip = line.pieces[-1][1]
        if ip >= 4:
            return super().blocked_on(world, line)
        e = line.host
        return [line_of(world, e, 4 + side * 2 + ip % 2)[0] for side in (0, 1)]

    def step_order(self, e: Entity) -> list[Line]:
        st: BeltState = e.state
        prio = _SIDES.get(st.input_priority)

        def rank(line: Line) -> tuple[int, int]:
            ip = line.pieces[-1][1]
            if ip >= 4:
                return (2, 0)
            side, lane = ip // 2, ip % 2
            first = prio if prio is not None else st.toggles[2 + lane]
            return (0 if side == first else 1, lane)

        return sorted(st.hosted, key=rank)

    def put_at(self, world: World, entity: Entity, x: float, y: float, name: str, count: int, giver: Entity) -> int:
        return 0

    def take_at(self, world, entity, x, y, limit, accepts, taker):  # type: ignore[no-untyped-def]
        return None


def _priority_getter(field: str) -> Any:
    return lambda lua, e: getattr(e.state, field)


def _priority_setter(field: str, member: str) -> Any:
    def set_(lua: Any, e: Entity, value: Any) -> None:
        if value not in ("left", "none", "right"):
            raise ScriptError(f"Invalid value for {member}: expected \"left\", \"none\" or \"right\", got {value!r}")
        setattr(e.state, field, value)
        lua.engine.world.wake(e)

    return set_


def _filter(lua: Any, e: Entity) -> Any:
    name = e.state.filter
    return None if name is None else {"name": name, "quality": "normal"}


def _set_filter(lua: Any, e: Entity, value: Any) -> None:
    if value is None:
        name = None
    elif isinstance(value, str):
        name = value
    elif hasattr(value, "get") or isinstance(value, dict):
        name = value.get("name")
    else:
        name = getattr(value, "name", None)
    if name is not None and name not in lua.engine.prototypes.items:
        raise ScriptError(f"Unknown item name: {name}")
    e.state.filter = name
    lua.engine.world.wake(e)


SplitterKind.getters = {
    "belt_neighbours": belt_neighbours,
    "splitter_input_priority": _priority_getter("input_priority"),
    "splitter_output_priority": _priority_getter("output_priority"),
    "splitter_filter": _filter,
}
SplitterKind.setters = {
    "splitter_input_priority": _priority_setter("input_priority", "splitter_input_priority"),
    "splitter_output_priority": _priority_setter("output_priority", "splitter_output_priority"),
    "splitter_filter": _set_filter,
}
