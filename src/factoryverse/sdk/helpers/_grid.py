"""A* over the tile grid, learning which tiles are free in blocks as the search reaches them.

The search asks `probe` about a whole block of tiles at once (one validate_positions call per block), so a
route costs a handful of round trips whatever its length, and only the area the search actually visits is asked.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Iterable

from factoryverse.sdk.helpers._hints import Tile

__all__ = ["Window", "TileMap", "find_path"]

_BLOCK = 16
_STEPS = ((1, 0), (0, 1), (-1, 0), (0, -1))
_DIAGONAL_STEPS = _STEPS + ((1, 1), (-1, 1), (-1, -1), (1, -1))
_SQRT2 = 2 ** 0.5


@dataclass(frozen=True)
class Window:
    """The tiles a search may use: [left, right] x [top, bottom], inclusive."""

    left: int
    top: int
    right: int
    bottom: int

    @classmethod
    def around(cls, tiles: Iterable[Tile], margin: int) -> Window:
        pts = list(tiles)
        return cls(min(x for x, _ in pts) - margin, min(y for _, y in pts) - margin,
                   max(x for x, _ in pts) + margin, max(y for _, y in pts) + margin)

    def contains(self, tile: Tile) -> bool:
        return self.left <= tile[0] <= self.right and self.top <= tile[1] <= self.bottom

    def __str__(self) -> str:
        return f"tiles x {self.left}..{self.right}, y {self.top}..{self.bottom}"


Probe = Callable[[list[Tile]], Awaitable[dict[Tile, list[str]]]]


@dataclass
class TileMap:
    """What is known of the grid: blocked tiles with what blocks them, and which blocks were asked."""

    probe: Probe
    reserved: dict[Tile, str] = field(default_factory=dict)
    blocked: dict[Tile, list[str]] = field(default_factory=dict)
    _known: set[Tile] = field(default_factory=set)
    probes: int = 0
    # Set when an end of the route lies in a closed pocket of free tiles: no window, however wide, has a route.
    sealed: bool = False
    pocket: frozenset[Tile] = frozenset()

    def pocket_walls(self) -> list[str]:
        """What closes the pocket in: the names on the tiles around it, most frequent first."""
        around = {(x + dx, y + dy) for x, y in self.pocket for dx, dy in _DIAGONAL_STEPS} - self.pocket
        names: dict[str, int] = {}
        for tile in around:
            for name in self.why(tile):
                names[name] = names.get(name, 0) + 1
        return sorted(names, key=lambda n: (-names[n], n))

    async def is_free(self, tile: Tile) -> bool:
        block = (tile[0] // _BLOCK, tile[1] // _BLOCK)
        if block not in self._known:
            x0, y0 = block[0] * _BLOCK, block[1] * _BLOCK
            tiles = [(x, y) for y in range(y0, y0 + _BLOCK) for x in range(x0, x0 + _BLOCK)]
            self.blocked.update(await self.probe(tiles))
            self.probes += 1
            self._known.add(block)
        return tile not in self.blocked and tile not in self.reserved

    def why(self, tile: Tile) -> list[str]:
        if tile in self.reserved:
            return [self.reserved[tile]]
        return self.blocked.get(tile, [])


# A pocket of more free tiles than this is taken as open (not walled in).
_POCKET_LIMIT = 400


async def _pocket(grid: TileMap, seeds: set[Tile], window: Window, diagonal: bool) -> set[Tile] | None:
    """The free tiles connected to `seeds` when they form a closed pocket inside the window, else None."""
    seen = {t for t in seeds if window.contains(t) and await grid.is_free(t)}
    todo = list(seen)
    steps = _DIAGONAL_STEPS if diagonal else _STEPS
    while todo:
        x, y = todo.pop()
        for dx, dy in steps:
            nxt = (x + dx, y + dy)
            if nxt in seen:
                continue
            if not window.contains(nxt):
                return None
            if await grid.is_free(nxt):
                seen.add(nxt)
                todo.append(nxt)
                if len(seen) > _POCKET_LIMIT:
                    return None
    return seen


def _h(tile: Tile, goals: frozenset[Tile], diagonal: bool) -> float:
    def one(g: Tile) -> float:
        dx, dy = abs(tile[0] - g[0]), abs(tile[1] - g[1])
        return dx + dy + (_SQRT2 - 2) * min(dx, dy) if diagonal else dx + dy

    return min(one(g) for g in goals)


async def find_path(grid: TileMap, starts: Iterable[Tile], goals: Iterable[Tile], window: Window, *,
                    diagonal: bool = False) -> list[Tile] | None:
    """The shortest path of free tiles from any start to any goal inside `window`, or None.

    4-connected (belts, pipes) or, with `diagonal`, 8-connected (poles, whose wires cross anything).
    Turns cost a little more than straight steps, so among equally short routes the straighter one wins
    (fewer belt curves). Ties break on insertion order, so the same map gives the same route every time.
    """
    goals, starts = list(goals), list(starts)
    goal_set = frozenset([g for g in goals if window.contains(g) and await grid.is_free(g)])
    if not goal_set:
        return None
    # An end walled in (a chest ringed by walls) would make the search below visit the whole window: a small
    # flood from each end finds that at once, and no wider window can help then.
    for side, other in ((goal_set, set(starts)), (set(starts), goal_set)):
        pocket = await _pocket(grid, side, window, diagonal)
        if pocket is not None and not pocket & other:
            grid.sealed = True
            grid.pocket = frozenset(pocket)
            return None
    counter = itertools.count()
    frontier: list[tuple[float, int, Tile, int]] = []
    cost: dict[tuple[Tile, int], float] = {}
    parent: dict[tuple[Tile, int], tuple[Tile, int] | None] = {}
    for start in starts:
        if window.contains(start) and await grid.is_free(start):
            state = (start, -1)
            cost[state] = 0.0
            parent[state] = None
            heapq.heappush(frontier, (_h(start, goal_set, diagonal), next(counter), start, -1))
    while frontier:
        _, _, tile, heading = heapq.heappop(frontier)
        state = (tile, heading)
        if tile in goal_set:
            path = []
            node: tuple[Tile, int] | None = state
            while node is not None:
                path.append(node[0])
                node = parent[node]
            return path[::-1]
        here = cost[state]
        for index, (dx, dy) in enumerate(_DIAGONAL_STEPS if diagonal else _STEPS):
            nxt = (tile[0] + dx, tile[1] + dy)
            if not window.contains(nxt) or not await grid.is_free(nxt):
                continue
            step = (_SQRT2 if dx and dy else 1.0) + (0.01 if heading not in (-1, index) else 0.0)
            new_state = (nxt, index)
            if here + step < cost.get(new_state, float("inf")):
                cost[new_state] = here + step
                parent[new_state] = state
                heapq.heappush(frontier, (here + step + _h(nxt, goal_set, diagonal), next(counter), nxt, index))
    return None
