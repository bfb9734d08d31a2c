"""Tile-grid A* for small entities (characters), behind ``LuaSurface.request_path``.

The surface passes a collision oracle ``is_blocked(tx, ty)``; this module knows nothing else about the world.
Moves go to the 8 neighbouring tiles; a diagonal move needs both tiles it brushes past to be free, so a path
never squeezes between two blocked corners. Costs are integers (1000 straight, 1414 diagonal) so ties compare
exactly, and the open list orders by (f, h, y, x), so the same world always gives the same path.

Tile coordinates are limited to +-2**30, far beyond Factorio's own map limit of +-1,000,000.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence

__all__ = ["PathfindingError", "find_path", "path_length"]

_STRAIGHT = 1000
_DIAGONAL = 1414
# Tile keys: y * 2**32 + x, with x decoded from the low 32 bits as a signed value.
_COORD_LIMIT = 1 << 30
_HALF = 1 << 31
_LOW = 0xFFFFFFFF
# (index, dx, dy, key offset, cost, straight moves a diagonal brushes past) in a fixed order, straight moves
# first so their verdicts are known when the diagonals need them. The order never depends on anything else.
_EXPANSION = tuple(
    (i, dx, dy, (dy << 32) + dx, _STRAIGHT if i < 4 else _DIAGONAL, sa, sb)
    for i, (dx, dy, sa, sb) in enumerate((
        (1, 0, 0, 0), (0, 1, 0, 0), (-1, 0, 0, 0), (0, -1, 0, 0),
        (1, 1, 0, 1), (-1, 1, 2, 1), (-1, -1, 2, 3), (1, -1, 0, 3),
    ))
)
# Octile distance over-states a straight-line distance by at most sqrt(4 - 2*sqrt(2)) ~ 1.0824.
_OCTILE_PER_EUCLID = 1.0824


class PathfindingError(ValueError):
    """A path request that cannot be searched as given (bad positions, radius or node budget)."""


def _point(value: object, label: str) -> tuple[float, float]:
    try:
        x, y = value  # type: ignore[misc]
        x, y = float(x), float(y)
    except (TypeError, ValueError) as exc:
        raise PathfindingError(f"{label} must be an (x, y) pair of numbers, got {value!r}") from exc
    if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) >= _COORD_LIMIT:
        raise PathfindingError(f"{label} must be finite and within +-{_COORD_LIMIT} tiles, got {value!r}")
    return x, y


def find_path(is_blocked: Callable[[int, int], bool], start: tuple[float, float], goal: tuple[float, float], *,
              radius: float = 0.0, max_nodes: int = 200_000) -> list[tuple[float, float]] | None:
    """A shortest 8-connected path from ``start`` to ``goal`` over tiles that ``is_blocked`` says are free.

    The result starts with ``start`` itself, then the tile centres ``(x+0.5, y+0.5)`` where the path turns, and
    ends with ``goal`` when the search reaches the goal's tile, or with the centre of the first free tile whose
    centre lies within ``radius`` of ``goal`` (as Factorio's ``request_path{radius=...}``). A blocked start tile
    is searched from all the same, since a character can stand where a tile is partly covered.

    Returns None when no such tile is reachable or when more than ``max_nodes`` tiles were expanded first; on an
    open map an unreachable goal costs the whole budget, so callers bound it to what they can afford.
    """
    sx, sy = _point(start, "start")
    gx, gy = _point(goal, "goal")
    if not isinstance(radius, (int, float)) or isinstance(radius, bool) or not math.isfinite(radius) or radius < 0:
        raise PathfindingError(f"radius must be a finite number >= 0, got {radius!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise PathfindingError(f"max_nodes must be a positive int, got {max_nodes!r}")

    start_tile = (math.floor(sx), math.floor(sy))
    goal_tile = (math.floor(gx), math.floor(gy))
    targets = _target_tiles(is_blocked, goal_tile, gx, gy, radius)
    if not targets:
        return None
    slack = 0 if radius == 0 else math.ceil(_STRAIGHT * _OCTILE_PER_EUCLID * (radius + math.sqrt(0.5))) + 1
    tiles = _search(is_blocked, start_tile, goal_tile, targets, slack, max_nodes)
    if tiles is None:
        return None
    end = (gx, gy) if tiles[-1] == goal_tile else (tiles[-1][0] + 0.5, tiles[-1][1] + 0.5)
    return _waypoints(tiles, (sx, sy), end)


def _target_tiles(is_blocked: Callable[[int, int], bool], goal_tile: tuple[int, int], gx: float, gy: float,
                  radius: float) -> set[tuple[int, int]]:
    """Free tiles the path may end on: the goal's own tile, and with a radius every tile centred within it."""
    targets = set()
    if not is_blocked(*goal_tile):
        targets.add(goal_tile)
    if radius > 0:
        r2 = radius * radius
        for ty in range(math.floor(gy - radius - 0.5), math.ceil(gy + radius + 0.5) + 1):
            for tx in range(math.floor(gx - radius - 0.5), math.ceil(gx + radius + 0.5) + 1):
                if (tx + 0.5 - gx) ** 2 + (ty + 0.5 - gy) ** 2 <= r2 and not is_blocked(tx, ty):
                    targets.add((tx, ty))
    return targets


def _search(is_blocked: Callable[[int, int], bool], start: tuple[int, int], goal_tile: tuple[int, int],
            targets: set[tuple[int, int]], slack: int, max_nodes: int) -> list[tuple[int, int]] | None:
    """A* over tiles; ``slack`` is subtracted from the octile distance to the goal tile so the heuristic stays
    admissible when any target within the radius will do.

    A tile is keyed by the int ``y * 2**32 + x`` (so a neighbour is a fixed offset away) and the open list holds
    ``(f * 2**48 + h, key)`` (h < 2**42 within the coordinate limit): f first, then the smaller h, then the
    key, all exact integer comparisons.
    """
    gtx, gty = goal_tile
    target_keys = {(ty << 32) + tx for tx, ty in targets}
    blocked: dict[int, bool] = {}
    g_cost: dict[int, int] = {}
    parent: dict[int, int] = {}
    closed: set[int] = set()
    heappush, heappop = heapq.heappush, heapq.heappop
    straight, diagonal = _STRAIGHT, _DIAGONAL

    sx, sy = start
    start_key = (sy << 32) + sx
    g_cost[start_key] = 0
    open_heap = [(0, start_key)]
    expanded = 0
    while open_heap:
        key = heappop(open_heap)[1]
        if key in closed:
            continue
        if key in target_keys:
            return _trace(parent, key)
        closed.add(key)
        expanded += 1
        if expanded > max_nodes:
            return None
        x = ((key + _HALF) & _LOW) - _HALF
        y = (key - x) >> 32
        g = g_cost[key]
        free = [False, False, False, False]
        for i, dx, dy, off, cost, side_a, side_b in _EXPANSION:
            nkey = key + off
            b = blocked.get(nkey)
            if b is None:
                b = blocked[nkey] = bool(is_blocked(x + dx, y + dy))
            if i < 4:
                free[i] = not b
            elif not (free[side_a] and free[side_b]):
                continue  # a diagonal step may not brush past a blocked tile
            if b or nkey in closed:
                continue
            ng = g + cost
            old = g_cost.get(nkey)
            if old is None or ng < old:
                g_cost[nkey] = ng
                parent[nkey] = key
                adx = x + dx - gtx
                if adx < 0:
                    adx = -adx
                ady = y + dy - gty
                if ady < 0:
                    ady = -ady
                h = (straight * (adx - ady) + diagonal * ady if adx > ady else
                     straight * (ady - adx) + diagonal * adx) - slack
                if h < 0:
                    h = 0
                heappush(open_heap, (((ng + h) << 48) + h, nkey))
    return None


def _trace(parent: dict[int, int], key: int) -> list[tuple[int, int]]:
    keys = [key]
    while key in parent:
        key = parent[key]
        keys.append(key)
    keys.reverse()
    out = []
    for k in keys:
        x = ((k + _HALF) & _LOW) - _HALF
        out.append((x, (k - x) >> 32))
    return out


def _waypoints(tiles: list[tuple[int, int]], start: tuple[float, float],
               end: tuple[float, float]) -> list[tuple[float, float]]:
    """Start, the centres of the tiles where the direction changes, then the end point."""
    points = [start]
    for i in range(1, len(tiles) - 1):
        (ax, ay), (bx, by), (cx, cy) = tiles[i - 1], tiles[i], tiles[i + 1]
        if (bx - ax, by - ay) != (cx - bx, cy - by):
            points.append((bx + 0.5, by + 0.5))
    if end != points[-1]:
        points.append(end)
    return points


def path_length(path: Sequence[tuple[float, float]] | None) -> float:
    """Total straight-line length of a waypoint list (0 for None, empty or a single point)."""
    if not path:
        return 0.0
    return sum(math.hypot(bx - ax, by - ay) for (ax, ay), (bx, by) in zip(path, path[1:]))
