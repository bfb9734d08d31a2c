"""Underground belts: an entrance ("input") and an exit ("output") of one prototype, facing the way items travel,
joined when the exit is the first underground of that name ahead of the entrance within `max_distance` tiles.

Four lane pieces each, as the game's `get_max_transport_line_index` says: 1 and 2 the lanes of the half tile above
ground, 3 and 4 the lanes of the half underground. An entrance's items go down (pieces 1/2, then 3/4), run under
the ground to its exit (the entrance's 3/4 span the tiles between) and come up there (the exit's 3/4, then 1/2), so
a pair carries items as far and as fast as a belt of the same length. An entrance without an exit is a dead end.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.belt import FWD, BeltKind, BeltState, _into, belt_at, left_of, relink
from factoryverse.engine.mechanics.transport_line import UNIT

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["UndergroundBeltKind"]

_HALF = UNIT // 2


class UndergroundBeltKind(BeltKind):
    types: ClassVar[tuple[str, ...]] = ("underground-belt",)
    pieces: ClassVar[int] = 4

    def new_state(self, entity: Entity) -> BeltState:
        return BeltState(self.pieces, io="input")

    def configure(self, world: World, entity: Entity, params: dict[str, Any]) -> None:
        io = params.get("type", "input")
        if io not in ("input", "output"):
            raise ScriptError(f"create_entity: an underground belt's type must be \"input\" or \"output\", got {io!r}")
        if io != entity.state.io:
            entity.state.io = io
            if entity.state.linked:
                relink(world, [entity])

    # -- topology -----------------------------------------------------------------------------------------------

    def outputs(self, e: Entity) -> list[tuple[int, int]]:
        return super().outputs(e) if e.state.io == "output" else []

    def link_shape(self, world: World, e: Entity) -> None:
        e.state.partner = self._find_partner(e)

    def _find_partner(self, e: Entity) -> Entity | None:
        st: BeltState = e.state
        fx, fy = FWD[e.direction]
        sign = 1 if st.io == "input" else -1
        tx, ty = self.tile(e)
        for k in range(1, int(e.proto.get("max_distance", 5)) + 1):
            o = belt_at(e.surface, tx + sign * k * fx, ty + sign * k * fy)
            if o is not None and o.name == e.name and o.direction == e.direction:
                return o if o.state.io != st.io else None
        return None

    def _distance(self, e: Entity, other: Entity) -> int:
        return int(abs(math.floor(other.x) - math.floor(e.x)) + abs(math.floor(other.y) - math.floor(e.y)))

    def piece_length(self, world: World, e: Entity, p: int) -> int:
        st: BeltState = e.state
        if p >= 2 and st.io == "input" and st.partner is not None and st.partner.valid:
            return _HALF + UNIT * (self._distance(e, st.partner) - 1)
        return _HALF

    def relation(self, world: World, e: Entity, p: int) -> tuple[str, Entity, int, int] | None:
        st: BeltState = e.state
        lane = p % 2
        if st.io == "input":
            if p < 2:
                return ("cont", e, p + 2, 0)
            partner = st.partner
            return ("cont", partner, p, 0) if partner is not None and partner.valid else None
        if p >= 2:
            return ("cont", e, lane, 0)
        (ox, oy), = self.outputs(e)
        return _into(world, e, ox, oy, e.direction, lane)

    def accept(self, world: World, t: Entity, sx: int, sy: int, d: int, lane: int) -> tuple[str, int, int] | None:
        if t.direction == d:
            return ("cont", lane, 0) if t.state.io == "input" else None  # an exit is closed at its back
        if t.direction == (d + 8) % 16:
            return None
        tx, ty = self.tile(t)
        side = 0 if (sx - tx, sy - ty) == left_of(t.direction) else 1
        return ("side", side, _HALF // 2)

    def neighbours(self, world: World, e: Entity, where: tuple[float, float, int] | None = None) -> list[Entity]:
        out = {n.oid: n for n in super().neighbours(world, e, where)}
        x, y, d = where if where is not None else (e.x, e.y, e.direction)
        fx, fy = FWD[d]
        tx, ty = math.floor(x), math.floor(y)
        # Ends of the same name along its axis may pair with it, or lose their partner to it.
        for sign in (1, -1):
            for k in range(1, int(e.proto.get("max_distance", 5)) + 1):
                o = belt_at(e.surface, tx + sign * k * fx, ty + sign * k * fy)
                if o is not None and o is not e and o.name == e.name:
                    out.setdefault(o.oid, o)
        partner = e.state.partner
        if partner is not None and partner.valid:
            out.setdefault(partner.oid, partner)
        return list(out.values())

    # -- drills and inserters reach the half above ground -------------------------------------------------------

    def along(self, e: Entity, p: int, x: float, y: float, length: int) -> int:
        fx, fy = FWD[e.direction]
        frac = (x - e.x) * fx + (y - e.y) * fy + 0.5
        base = 0 if e.state.io == "input" else _HALF  # the entrance's belt is its back half, the exit's its front
        return max(0, min(length, int(round(frac * UNIT)) - base))


def _belt_to_ground_type(lua: Any, e: Entity) -> str:
    return e.state.io


UndergroundBeltKind.getters = {**BeltKind.getters, "belt_to_ground_type": _belt_to_ground_type}
UndergroundBeltKind.getters.pop("belt_shape")
