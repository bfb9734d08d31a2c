"""Transport lines: the items of one belt lane, from a line's back to its front, kept as gaps.

A line is a chain of lane pieces (one lane of one belt, underground or splitter half) that items cross without a
hand-over: straight runs, curves and underground pairs of one speed. Positions are integers in 1/256 tile (a belt's
`speed` of 0.03125 tiles per tick is 8 units); an item takes `ITEM` = 64 units (4 per tile per lane).

Items are stored front first: `gaps[0]` is the front item's distance to the line's end, `gaps[i]` the distance from
item i-1 to item i. Moving the line by m units takes m from the first gap that can still close (the items in front
of `active` are stopped, compressed against a blocked end) and passes what is left to the next one, so a line moves
in O(1) per update however many items it carries, and moving by a then b equals moving by a + b: between two
events (the front item reaching the end) nothing needs to run, and readings are computed from the current tick.

`since` is the tick whose start the gaps describe. `step(tick)` simulates tick `tick`: the front item crossing the
end is handed to `deliver` (the next line, a side-loaded belt, a splitter's outputs) with how far past the end it
got, so a flow keeps its spacing across hand-overs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["Line", "UNIT", "ITEM", "units"]

UNIT = 256  # units per tile
ITEM = 64  # the space one item takes on a lane


def units(tiles: float) -> int:
    return int(round(tiles * UNIT))


class Line:
    """One lane's transport line. `pieces` are [entity, piece index, start, length] from back to front (start in
    units from the line's back); `host` is the entity whose scheduled update steps the line (its front piece's)."""

    __slots__ = (
        "host", "pieces", "length", "speed", "names", "gaps", "active", "since", "due", "blocked", "out", "waiters",
        "reach",
    )

    def __init__(self, host: Entity, pieces: list[list], speed: int, since: int):
        self.host = host
        self.pieces = pieces
        self.length = sum(p[3] for p in pieces)
        self.speed = speed
        self.names: list[str] = []
        self.gaps: list[int] = []
        self.active = 0  # items before this index are stopped against a blocked end
        self.since = since
        self.due: int | None = None  # the tick of the next step, None when idle or blocked
        self.blocked = False  # the front item waits at the end for room
        # Where the front hands items over: [entity, piece, offset in units] of another line, or None (a dead end,
        # or a splitter's input, which the splitter's kind serves).
        self.out: list | None = None
        self.waiters: dict[int, Entity] = {}  # woken on every change: blocked feeders, drills, inserters
        # Waiters that only take items from a stretch of the line (an inserter's pickup): oid -> [lo, hi, tick], woken
        # only when an item crosses into or out of positions (lo, hi], by the host's update at `tick` (set by `plan`).
        # A waiter absent here is woken at every tick its items move.
        self.reach: dict[int, list] = {}

    # -- reading (never changes the line: a reading must not change the state hash) -----------------------------

    def gaps_at(self, tick: int) -> list[int]:
        """The gaps as of the start of `tick` (a copy)."""
        gaps = list(self.gaps)
        if tick > self.since and gaps:
            _move(gaps, self.active, self.speed * (tick - self.since))
        return gaps

    def distances_at(self, tick: int) -> list[int]:
        """Each item's distance to the line's end, front first."""
        out, d = [], 0
        for g in self.gaps_at(tick):
            d += g
            out.append(d)
        return out

    # -- changing -----------------------------------------------------------------------------------------------

    def advance(self, tick: int) -> None:
        """Bring the gaps to the start of `tick`."""
        if tick > self.since:
            if self.gaps:
                self.active = _move(self.gaps, self.active, self.speed * (tick - self.since))
            self.since = tick

    def room_at(self, d: int) -> int | None:
        """The index an item at distance `d` from the end would take, or None if it would touch a neighbour."""
        total = sum(self.gaps)
        if d >= total:  # behind the last item: a feed at the back, the common case
            return len(self.gaps) if not self.gaps or d - total >= ITEM else None
        pos = 0
        for i, g in enumerate(self.gaps):
            pos += g
            if pos > d:
                if pos - d < ITEM:
                    return None
                return i
            if d - pos < ITEM:
                return None
        return len(self.gaps)

    def insert(self, i: int, d: int, name: str) -> None:
        """Put `name` at distance `d` from the end as item `i` (found by room_at after advance)."""
        ahead = sum(self.gaps[:i])
        self.gaps.insert(i, d - ahead)
        self.names.insert(i, name)
        if i + 1 < len(self.gaps):
            self.gaps[i + 1] -= d - ahead
        if i < self.active:
            self.active += 1
        if i == 0:
            self.blocked = False

    def remove(self, i: int) -> str:
        """Take item i off the line; the items behind it may move again."""
        name = self.names.pop(i)
        g = self.gaps.pop(i)
        if i < len(self.gaps):
            self.gaps[i] += g
        if i == 0:
            self.blocked = False
            self.active = 0
        elif i < self.active:
            self.active = i
        return name

    def clear(self) -> None:
        self.names.clear()
        self.gaps.clear()
        self.active = 0
        self.blocked = False

    def plan(self, tick: int) -> None:
        """Set `due` after the line has simulated up to the start of `since` (>= tick + 1)."""
        if not self.names or self.blocked or self.active > 0:
            self.due = None
        else:
            # The front crosses during the k-th tick from `since` on, k = ceil(gap / speed).
            k = -(-self.gaps[0] // self.speed)
            self.due = self.since + max(k, 1) - 1
        if self.waiters and self.names and self.active < len(self.names):
            # Drills and inserters wait for room or an item near a point: moving items may bring either any tick. A
            # taker with a reach needs its host's update only the tick before an item crosses into or out of it.
            reach = self.reach
            due = self.since if len(reach) < len(self.waiters) else None
            for r in reach.values():
                t = self.crossing(r[0], r[1])
                r[2] = None if t is None else self.since + t - 1
                if r[2] is not None and (due is None or r[2] < due):
                    due = r[2]
            if due is not None:
                self.due = due if self.due is None else min(self.due, due)

    def crossing(self, lo: int, hi: int) -> int | None:
        """The least t >= 1 such that at the start of tick `since + t` a moving item has crossed position `lo` or
        `hi` (units from the back) since the start of `since`, or None if none ever will while nothing else happens.
        Item j moves min(speed x t, S_j), S_j the slack of the gaps from `active` to j (module doc), so the first
        moving item behind a boundary is the first to cross it, if it can reach it at all."""
        best = None
        length, speed, gaps = self.length, self.speed, self.gaps
        for b in (lo, hi):
            edge = length - b  # an item crosses b when its distance to the end drops below this
            d = 0
            slack = 0
            for i, g in enumerate(gaps):
                d += g
                if i < self.active:
                    continue
                least = 0 if i == 0 else ITEM
                if g > least:
                    slack += g - least
                if d >= edge:
                    if d - slack < edge:
                        t = (d - edge) // speed + 1
                        if best is None or t < best:
                            best = t
                    break
        return best

    def step(self, tick: int, deliver: Callable[[Line, str, int], bool]) -> bool:
        """Simulate tick `tick`; `deliver(line, name, over)` hands the front item on. False if the end is blocked."""
        self.advance(tick)
        m = self.speed
        ok = True
        if self.names:
            g0 = self.gaps[0]
            if g0 <= m and (self.active == 0 or g0 == 0):
                over = m - g0
                if deliver(self, self.names[0], over):
                    self.names.pop(0)
                    self.gaps.pop(0)
                    if self.gaps:
                        self.gaps[0] += g0
                    self.active = 0
                    self.blocked = False
                    _move(self.gaps, 0, m)
                else:
                    self.gaps[0] = 0
                    self.blocked = True
                    self.active = _move(self.gaps, max(self.active, 1), over)
                    ok = False
            else:
                self.active = _move(self.gaps, self.active, m)
        self.since = tick + 1
        return ok


def _move(gaps: list[int], active: int, m: int) -> int:
    """Move the items from `active` on by `m` units, closing gaps from the front; returns the new `active`."""
    i, n = active, len(gaps)
    while m > 0 and i < n:
        least = 0 if i == 0 else ITEM
        slack = gaps[i] - least
        if slack > m:
            gaps[i] -= m
            return i
        if slack > 0:
            gaps[i] = least
            m -= slack
        i += 1
    return i
