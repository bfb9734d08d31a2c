"""Transport belts, and what underground belts and splitters share with them: lane pieces joined into transport
lines (mechanics/transport_line.py), and the seam drills and inserters use.

Every belt-like entity has lane pieces (a transport belt two: left and right lane, `get_transport_line(1)` and
`(2)`). Pieces that items cross without a hand-over (straight runs, curves, underground pairs, all of one speed)
join into one line, hosted (stepped by the scheduler) by the entity of its front piece. A belt fed from behind runs
straight; one fed from exactly one side and not from behind turns (lanes keep their side; the inner lane is
shorter); any other side feed is a side-load, handing items onto the near lane of the target's middle. Lines are
rebuilt around an entity when it is built, turned, moved or removed (`relink`), keeping their items where they lay.

The seam for drills and inserters (kinds/base.py), with (x, y) a point in map coordinates:

- `put_at(world, belt, x, y, name, count, giver) -> int`: puts ONE item (returns 1, or 0 if there is no room) on
  the lane of `belt` nearest (x, y), at the point of that lane nearest (x, y). An inserter's drop position lies past
  the belt's centre, so it drops on the far lane, as in the game; a drill's drop position picks its lane the same way.
- `take_at(world, belt, x, y, limit, accepts, taker) -> (name, 1) | None`: takes ONE item that `accepts` allows from
  the pieces of `belt` (the lane nearest (x, y) first, then the other), the one nearest (x, y) along the lane.
- `watch(world, belt, waiter)` / `unwatch`: `world.wake(waiter)` whenever a line through `belt` changes (an item
  put on or taken off, the front item handed on) and, while such a line has moving items, every tick (items may
  come within reach or leave room at any tick). Each wake forgets the waiter: one that still waits watches again.
"""

from __future__ import annotations

import math
import weakref
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.kinds.belt_links import relink
from factoryverse.engine.mechanics.transport_line import UNIT, Line, units

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.surface import Surface
    from factoryverse.engine.world.world import World

__all__ = ["BeltKind", "BeltState", "BELT_TYPES", "belt_at", "belt_neighbours", "relink", "line_of", "FWD", "left_of"]

BELT_TYPES = ("transport-belt", "underground-belt", "splitter")

# Unit vectors of the four cardinal directions (defines.direction north 0, east 4, south 8, west 12).
FWD = {0: (0, -1), 4: (1, 0), 8: (0, 1), 12: (-1, 0)}

# A curve's lanes are arcs round the inner corner at 1/4 and 3/4 tile from it (the game's lengths: known-differences).
CURVE_INNER = units(math.pi / 8)
CURVE_OUTER = units(3 * math.pi / 8)


def left_of(direction: int) -> tuple[int, int]:
    fx, fy = FWD[direction]
    return (fy, -fx)


class BeltState:
    """Per belt-like entity: where each of its pieces lies in which line (`lanes[p]` = [host, index in the host's
    `hosted`, start of the piece in the line]), the lines it hosts, and its connection facts."""

    __slots__ = (
        "lanes", "hosted", "linked", "anchor", "shape", "io", "partner",
        "input_priority", "output_priority", "filter", "toggles",
    )

    def __init__(self, pieces: int, io: str = ""):
        self.lanes: list[list | None] = [None] * pieces
        self.hosted: list[Line] = []
        self.linked = False
        self.anchor: tuple[float, float, int] | None = None  # where it stood when linked: a move relinks both places
        self.shape = "straight"
        self.io = io  # underground belts: "input" or "output"
        self.partner: Entity | None = None  # underground belts: the other end
        self.input_priority = "none"  # splitters
        self.output_priority = "none"
        self.filter: str | None = None
        self.toggles = [0, 0, 0, 0]  # splitters: next output side per lane, next input side per lane


# -- where belts stand: tile -> entity, derived from the surface's entities (rebuilt after a load or fork) ----------

_TILES: weakref.WeakKeyDictionary[Surface, dict[tuple[int, int], Entity]] = weakref.WeakKeyDictionary()


def _tiles_of(e: Entity) -> list[tuple[int, int]]:
    b = e.footprint()
    return [(tx, ty) for ty in range(int(b.top), int(b.bottom)) for tx in range(int(b.left), int(b.right))]


def _index(surface: Surface) -> dict[tuple[int, int], Entity]:
    found = _TILES.get(surface)
    if found is None:
        found = {}
        for e in surface.entities_with(surface.by_type, list(BELT_TYPES), None):
            if e.valid:
                for t in _tiles_of(e):
                    found[t] = e
        _TILES[surface] = found
    return found


def belt_at(surface: Surface, tx: int, ty: int) -> Entity | None:
    e = _index(surface).get((tx, ty))
    return e if e is not None and e.valid else None


def _place(e: Entity) -> None:
    index = _index(e.surface)
    for t in _tiles_of(e):
        index[t] = e


def _unplace(e: Entity, tiles: list[tuple[int, int]]) -> None:
    index = _index(e.surface)
    for t in tiles:
        if index.get(t) is e:
            del index[t]


def line_of(world: World, e: Entity, piece: int) -> tuple[Line, int]:
    """The line holding piece `piece` of `e`, and where the piece starts in it (units from the line's back)."""
    st: BeltState = e.state
    if not st.linked:
        relink(world, [e])
    host, k, start = st.lanes[piece]  # type: ignore[misc]
    return host.state.hosted[k], start


# -- the kind -----------------------------------------------------------------------------------------------------


class BeltKind(Kind):
    """transport-belt: two lanes, straight or curved, side-loaded from either side."""

    types: ClassVar[tuple[str, ...]] = ("transport-belt",)
    scheduled: ClassVar[bool] = True
    takes_drops: ClassVar[bool] = True
    pieces: ClassVar[int] = 2

    def attach(self, world: World, entity: Entity) -> None:
        entity.state = self.new_state(entity)
        _place(entity)
        world.wake(entity)  # links at the next update, or at once when something asks (line_of)

    def new_state(self, entity: Entity) -> BeltState:
        return BeltState(self.pieces)

    # -- topology: what the kind says about its pieces ---------------------------------------------------------

    def speed(self, e: Entity) -> int:
        return units(float(e.proto["speed"]))

    def tile(self, e: Entity) -> tuple[int, int]:
        return (math.floor(e.x), math.floor(e.y))

    def outputs(self, e: Entity) -> list[tuple[int, int]]:
        """The tiles this entity puts items into (in front of its output edges)."""
        tx, ty = self.tile(e)
        fx, fy = FWD[e.direction]
        return [(tx + fx, ty + fy)]

    def piece_length(self, world: World, e: Entity, p: int) -> int:
        shape = e.state.shape
        if shape == "straight":
            return UNIT
        inner = 0 if shape == "left" else 1
        return CURVE_INNER if p == inner else CURVE_OUTER

    def lane_side(self, e: Entity, p: int) -> int:
        """0 for a left-lane piece, 1 for a right-lane one."""
        return p % 2

    def link_shape(self, world: World, e: Entity) -> None:
        """Work out what depends on the neighbours (a belt's curve) before lines are built."""
        e.state.shape = _shape(e)

    def relation(self, world: World, e: Entity, p: int) -> tuple[str, Entity, int, int] | None:
        """Where piece `p` leads: ("cont", entity, piece, 0) when its items go on without a hand-over, ("side",
        entity, piece, offset) for a hand-over onto another line at `offset` units into that piece, or None."""
        (ox, oy), = self.outputs(e)
        return _into(world, e, ox, oy, e.direction, self.lane_side(e, p))

    def accept(self, world: World, t: Entity, sx: int, sy: int, d: int, lane: int) -> tuple[str, int, int] | None:
        """An item leaving tile (sx, sy) in direction `d` on lane `lane` reaches `t`: ("cont"|"side", piece, offset)."""
        if t.direction == d:
            return ("cont", lane, 0)
        if t.direction == (d + 8) % 16:
            return None
        if t.state.shape != "straight" and _shape(t) != "straight" and _only_side_feeder(t) == (sx, sy):
            return ("cont", lane, 0)
        tx, ty = self.tile(t)
        lx, ly = left_of(t.direction)
        side = 0 if (sx - tx, sy - ty) == (lx, ly) else 1
        return ("side", side, self.piece_length(world, t, side) // 2)

    def neighbours(self, world: World, e: Entity, where: tuple[float, float, int] | None = None) -> list[Entity]:
        """Belt-like entities whose connections may depend on `e` (standing at `where`, or where it stands)."""
        out: dict[int, Entity] = {}
        tiles = _tiles_of(e) if where is None else _tiles_at(e, where)
        for tx, ty in tiles:
            for dx, dy in ((0, -1), (1, 0), (0, 1), (-1, 0)):
                n = belt_at(e.surface, tx + dx, ty + dy)
                if n is not None and n is not e:
                    out.setdefault(n.oid, n)
        return list(out.values())

    # -- life ---------------------------------------------------------------------------------------------------

    def update(self, world: World, entity: Entity, tick: int) -> None:
        st: BeltState = entity.state
        if not st.linked:
            relink(world, [entity])
        for line in self.step_order(entity):
            if line.names and (line.blocked or (line.due is not None and line.due <= tick)):
                step_line(world, line, tick)
        reschedule(world, entity)

    def step_order(self, e: Entity) -> list[Line]:
        return e.state.hosted

    def deliver(self, world: World, line: Line, name: str, over: int, tick: int) -> bool:
        """Hand the front item of `line` (hosted here) on, `over` units past the end. False if it can't go."""
        out = line.out
        if out is None:
            return False
        target, piece, offset = out
        if not target.valid:
            return False
        tl, start = line_of(world, target, piece)
        return offer(world, tl, start + offset, over, name, tick)

    def blocked_on(self, world: World, line: Line) -> list[Line]:
        """The lines a blocked line waits for room on."""
        out = line.out
        if out is None or not out[0].valid:
            return []
        return [line_of(world, out[0], out[1])[0]]

    def moved(self, world: World, entity: Entity) -> None:
        st: BeltState = entity.state
        old = st.anchor
        if old is not None:
            _unplace(entity, _tiles_at(entity, old))
        _place(entity)
        seeds = [entity]
        if old is not None:
            seeds += self.neighbours(world, entity, old)
        relink(world, seeds)

    def destroyed(self, world: World, entity: Entity) -> None:
        _unplace(entity, _tiles_of(entity))
        seeds = self.neighbours(world, entity)
        relink(world, seeds, gone=entity)
        super().destroyed(world, entity)

    def mined_items(self, entity: Entity) -> list[tuple[str, int]]:
        items = super().mined_items(entity)
        world = entity.surface  # only for the tick
        counts: dict[str, int] = {}
        for p in range(self.pieces):
            if entity.state.lanes[p] is None:
                continue
            host, k, start = entity.state.lanes[p]
            line = host.state.hosted[k]
            for name, _ in _items_on(line, start, _piece_len(line, entity, p), world.tick_source()):
                counts[name] = counts.get(name, 0) + 1
        return items + list(counts.items())

    # -- the drill and inserter seam ------------------------------------------------------------------------------

    def lane_pieces(self, e: Entity, x: float, y: float) -> list[int]:
        """This entity's pieces under (x, y), the nearest lane first."""
        lx, ly = left_of(e.direction)
        near_left = (x - e.x) * lx + (y - e.y) * ly >= 0
        return [0, 1] if near_left else [1, 0]

    def along(self, e: Entity, p: int, x: float, y: float, length: int) -> int:
        """How far into piece `p` the point (x, y) lies, in units."""
        fx, fy = FWD[e.direction]
        frac = (x - e.x) * fx + (y - e.y) * fy + 0.5
        return max(0, min(length, int(round(frac * length))))

    def put_at(self, world: World, entity: Entity, x: float, y: float, name: str, count: int, giver: Entity) -> int:
        if count < 1:
            return 0
        p = self.lane_pieces(entity, x, y)[0]
        line, start = line_of(world, entity, p)
        length = _piece_len(line, entity, p)
        return 1 if insert_at(world, line, start + self.along(entity, p, x, y, length), name) else 0

    def take_at(
        self, world: World, entity: Entity, x: float, y: float, limit: int, accepts: Callable[[str], bool], taker: Entity
    ) -> tuple[str, int] | None:
        if limit < 1:
            return None
        tick = world.tick
        for p in self.lane_pieces(entity, x, y):
            line, start = line_of(world, entity, p)
            length = _piece_len(line, entity, p)
            want = start + self.along(entity, p, x, y, length)
            best = None
            for i, (name, s) in enumerate(_positions(line, tick)):
                if s <= start + length and (s > start or start == 0) and accepts(name):
                    if best is None or abs(s - want) < best[0]:
                        best = (abs(s - want), i, s)
            if best is not None:
                line.advance(tick)
                name = line.remove(best[1])
                changed(world, line, best[2])
                return (name, 1)
        return None

    def watch(self, world: World, entity: Entity, waiter: Entity) -> None:
        for p in range(self.pieces):
            line, _ = line_of(world, entity, p)
            if waiter.oid not in line.waiters or waiter.oid in line.reach:
                line.waiters[waiter.oid] = waiter
                line.reach.pop(waiter.oid, None)
                line.plan(world.tick)
                schedule_line(world, line)

    def watch_take(self, world: World, entity: Entity, waiter: Entity, x: float, y: float) -> None:
        """`watch` for a taker at (x, y): woken only when an item comes onto or leaves the stretch of each lane
        `take_at` looks at (or the line changes otherwise), not at every tick items move."""
        oid = waiter.oid
        for p in self.lane_pieces(entity, x, y):
            line, start = line_of(world, entity, p)
            lo, hi = start if start > 0 else -1, start + _piece_len(line, entity, p)  # take_at's (start, hi] or [0, hi]
            if oid in line.waiters:
                r = line.reach.get(oid)
                if r is not None and r[0] == lo and r[1] == hi:
                    continue  # still watching this stretch
                line.reach.pop(oid, None)  # watched already (another piece, or for room): every tick of movement
                continue
            line.waiters[oid] = waiter
            line.reach[oid] = [lo, hi, None]
            line.plan(world.tick)
            schedule_line(world, line)

    def unwatch(self, world: World, entity: Entity, waiter: Entity) -> None:
        st: BeltState = entity.state
        for p in range(self.pieces):
            if st.lanes[p] is not None:
                host, k, _ = st.lanes[p]
                if k < len(host.state.hosted):
                    line = host.state.hosted[k]
                    line.waiters.pop(waiter.oid, None)
                    line.reach.pop(waiter.oid, None)

    def status(self, world: World, entity: Entity) -> str | None:
        return None


# -- lines: stepping, handing over, scheduling -----------------------------------------------------------------------


def step_line(world: World, line: Line, tick: int) -> None:
    host = line.host
    kind: BeltKind = host.kind  # type: ignore[assignment]
    line.advance(tick)
    had = len(line.names)
    moving = line.active < had
    ok = line.step(tick, lambda ln, name, over: kind.deliver(world, ln, name, over, tick))
    if line.waiters:
        gone = len(line.names) != had
        if gone or moving:
            _wake(world, line, line.length if gone else None, tick)  # the front item went from the line's end
    line.plan(tick)
    if not ok:
        for target in kind.blocked_on(world, line):
            if target.active < len(target.names):
                # Room may open at any tick while the target's items move: try again next tick.
                line.due = tick + 1
            else:
                target.waiters[host.oid] = host
                target.reach.pop(host.oid, None)


def offer(world: World, tl: Line, s: int, over: int, name: str, tick: int) -> bool:
    """Put `name` on `tl` at `s` units from its back plus `over` it has travelled this tick, if there is room."""
    tl.advance(tick)
    # The target either simulated this tick already (its gaps are the tick's end) or will move the item itself.
    d = tl.length - (s + over if tl.since > tick else s + over - tl.speed)
    i = tl.room_at(d)
    if i is None:
        return False
    tl.insert(i, d, name)
    changed(world, tl, tl.length - d)
    return True


def insert_at(world: World, line: Line, s: int, name: str) -> bool:
    """Put `name` at `s` units from the line's back now (the API, drills, inserters), if there is room."""
    line.advance(world.tick)
    d = line.length - s
    i = line.room_at(d)
    if i is None:
        return False
    line.insert(i, d, name)
    changed(world, line, s)
    return True


def changed(world: World, line: Line, at: int | None = None) -> None:
    """Items were put on or taken off `line` now (at `at` units from its back, if known): plan it again and wake
    whoever waits on it (with `at`, of the takers only those whose reach holds it: nothing else moved)."""
    if at is None:
        _wake_waiters(world, line)
    else:
        _wake(world, line, at, None)
    line.plan(world.tick)
    schedule_line(world, line)
    if not line.names and line.blocked:
        line.blocked = False


def schedule_line(world: World, line: Line) -> None:
    host = line.host
    due = line.due
    if line.blocked and host.due is None:
        world.wake(host)  # a blocked line tries again when its host runs
    if due is not None and host.valid and (host.due is None or due < host.due):
        world.schedule(host, due)


def reschedule(world: World, host: Entity) -> None:
    nxt = None
    for line in host.state.hosted:
        if line.due is not None and (nxt is None or line.due < nxt):
            nxt = line.due
    if nxt is None:
        world.sleep(host)
    else:
        world.schedule(host, nxt)


def _wake(world: World, line: Line, at: int | None, tick: int | None) -> None:
    """Wake the waiters that see any change or movement, and of the takers (Line.reach) those whose reach holds `at`
    (where an item came or went) or, after the update at `tick`, one an item crosses by the next tick."""
    reach = line.reach
    for oid, w in list(line.waiters.items()):
        r = reach.get(oid)
        if r is None or (at is not None and r[0] < at <= r[1]) or (tick is not None and r[2] is not None and r[2] <= tick):
            del line.waiters[oid]
            reach.pop(oid, None)
            if w is not line.host:
                world.wake(w)


def _wake_waiters(world: World, line: Line) -> None:
    if line.waiters:
        waiting = list(line.waiters.values())
        line.waiters.clear()
        line.reach.clear()
        for w in waiting:
            if w is line.host:
                continue
            world.wake(w)


def _positions(line: Line, tick: int) -> list[tuple[str, int]]:
    """(name, position from the line's back) of each item, front first."""
    return [(n, line.length - d) for n, d in zip(line.names, line.distances_at(tick))]


def _items_on(line: Line, start: int, length: int, tick: int) -> list[tuple[str, int]]:
    """(name, index) of the items lying on the piece (start, start + length] of `line` (the first piece also holds
    its back edge): a compressed dead end holds 4 items per tile per lane, the front one at the very end."""
    out = []
    for i, (n, s) in enumerate(_positions(line, tick)):
        if s <= start + length and (s > start or start == 0):
            out.append((n, i))
    return out


def _piece_len(line: Line, e: Entity, p: int) -> int:
    for piece in line.pieces:
        if piece[0] is e and piece[1] == p:
            return piece[3]
    return 0


# -- shapes and connections ----------------------------------------------------------------------------------------


def _feeders(e: Entity) -> list[tuple[Entity, tuple[int, int]]]:
    """Belt-like entities putting items into `e`'s tile, with the tile they stand on."""
    tx, ty = math.floor(e.x), math.floor(e.y)
    out = []
    for dx, dy in ((0, -1), (1, 0), (0, 1), (-1, 0)):
        n = belt_at(e.surface, tx + dx, ty + dy)
        if n is not None and n is not e and (tx, ty) in n.kind.outputs(n):  # type: ignore[attr-defined]
            out.append((n, (tx + dx, ty + dy)))
    return out


def _shape(e: Entity) -> str:
    """straight, or left/right: fed from exactly one side and not from behind, the belt turns."""
    tx, ty = math.floor(e.x), math.floor(e.y)
    fx, fy = FWD[e.direction]
    sides = []
    for n, (nx, ny) in _feeders(e):
        if (nx, ny) == (tx - fx, ty - fy):
            return "straight"
        if (nx, ny) != (tx + fx, ty + fy):
            sides.append((nx, ny))
    if len(sides) != 1:
        return "straight"
    lx, ly = left_of(e.direction)
    return "left" if (sides[0][0] - tx, sides[0][1] - ty) == (lx, ly) else "right"


def _only_side_feeder(e: Entity) -> tuple[int, int] | None:
    tx, ty = math.floor(e.x), math.floor(e.y)
    fx, fy = FWD[e.direction]
    sides = [t for _, t in _feeders(e) if t not in ((tx - fx, ty - fy), (tx + fx, ty + fy))]
    return sides[0] if len(sides) == 1 else None


def _into(world: World, e: Entity, ox: int, oy: int, d: int, lane: int) -> tuple[str, Entity, int, int] | None:
    t = belt_at(e.surface, ox, oy)
    if t is None:
        return None
    fx, fy = FWD[d]
    got = t.kind.accept(world, t, ox - fx, oy - fy, d, lane)  # type: ignore[attr-defined]
    if got is None:
        return None
    how, piece, offset = got
    if how == "cont" and t.kind.speed(t) != e.kind.speed(e):  # type: ignore[attr-defined]
        how = "side"  # another speed is another line: a hand-over at the start of its piece
    return (how, t, piece, offset)


def _tiles_at(e: Entity, where: tuple[float, float, int]) -> list[tuple[int, int]]:
    from factoryverse.engine.world.geometry import rotate_box

    x, y, d = where
    proto_box = e.proto.get("collision_box") or [[0, 0], [0, 0]]
    from factoryverse.engine.world.geometry import BBox

    b = rotate_box(BBox(proto_box[0][0], proto_box[0][1], proto_box[1][0], proto_box[1][1]), d)
    l, t, r, bt = math.floor(x + b.left + 1e-6), math.floor(y + b.top + 1e-6), math.ceil(x + b.right - 1e-6), math.ceil(y + b.bottom - 1e-6)
    return [(tx, ty) for ty in range(t, bt) for tx in range(l, r)]


# -- LuaEntity members ---------------------------------------------------------------------------------------------


def _get_transport_line(lua: Any, e: Entity, index: Any) -> Any:
    from factoryverse.engine.api.transport_line import TransportLineRef

    n = e.kind.pieces  # type: ignore[attr-defined]
    if isinstance(index, bool) or not isinstance(index, (int, float)) or int(index) != index or not 1 <= index <= n:
        raise ScriptError(f"Index out of bounds: {index!r} (this entity has transport lines 1 to {n})")
    return TransportLineRef(e, int(index))


def _get_max_transport_line_index(lua: Any, e: Entity) -> int:
    return e.kind.pieces  # type: ignore[attr-defined]


def _belt_shape(lua: Any, e: Entity) -> str:
    if not e.state.linked:
        relink(lua.engine.world, [e])
    return e.state.shape


def _leads_into(world: World, a: Entity, b: Entity) -> bool:
    return any((r := a.kind.relation(world, a, p)) is not None and r[1] is b for p in range(a.kind.pieces))  # type: ignore[attr-defined]


def belt_neighbours(lua: Any, e: Entity) -> dict[str, list[Entity]]:
    """LuaEntity.belt_neighbours: the adjacent belt-likes feeding `e` and fed by it (an underground's partner is
    not one: the game lists it as underground_belt_neighbour)."""
    world = lua.engine.world
    if not e.state.linked:
        relink(world, [e])
    near = [n for n in e.kind.neighbours(world, e) if n.valid]  # type: ignore[attr-defined]
    return {"inputs": [n for n in near if _leads_into(world, n, e)],
            "outputs": [n for n in near if _leads_into(world, e, n)]}


BeltKind.getters = {"belt_shape": _belt_shape, "belt_neighbours": belt_neighbours}
BeltKind.methods = {"get_transport_line": _get_transport_line, "get_max_transport_line_index": _get_max_transport_line_index}
