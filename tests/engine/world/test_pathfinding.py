"""The tile-grid A* behind LuaSurface.request_path: shortest, legal, deterministic paths."""

from __future__ import annotations

import heapq
import math
import os
import random
import subprocess
import sys

import pytest

from factoryverse.engine.world.pathfinding import PathfindingError, find_path, path_length

STRAIGHT, DIAGONAL = 1000, 1414


def _blocker(tiles, bounds=None):
    """is_blocked over a set of tiles; outside ``bounds`` (x0, y0, x1, y1 inclusive) everything is blocked."""
    tiles = set(tiles)

    def is_blocked(x: int, y: int) -> bool:
        if bounds is not None:
            x0, y0, x1, y1 = bounds
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                return True
        return (x, y) in tiles

    return is_blocked


def _segment_tiles(path):
    """Every tile a simplified path walks through, assuming waypoints at tile centres (or inside the end tiles)."""
    tiles = [(math.floor(path[0][0]), math.floor(path[0][1]))]
    for (ax, ay), (bx, by) in zip(path, path[1:]):
        (tx, ty), (ux, uy) = (math.floor(ax), math.floor(ay)), (math.floor(bx), math.floor(by))
        dx, dy = ux - tx, uy - ty
        assert dx == 0 or dy == 0 or abs(dx) == abs(dy), f"segment {ax, ay} -> {bx, by} is not straight or diagonal"
        n = max(abs(dx), abs(dy))
        sx, sy = (dx > 0) - (dx < 0), (dy > 0) - (dy < 0)
        tiles.extend((tx + sx * i, ty + sy * i) for i in range(1, n + 1))
    return tiles


def _assert_legal(is_blocked, path):
    """No step enters a blocked tile (the start tile excepted) and no diagonal step brushes a blocked corner."""
    tiles = _segment_tiles(path)
    for (ax, ay), (bx, by) in zip(tiles, tiles[1:]):
        assert max(abs(bx - ax), abs(by - ay)) == 1
        assert not is_blocked(bx, by), f"path enters blocked tile {(bx, by)}"
        if ax != bx and ay != by:
            assert not is_blocked(bx, ay) and not is_blocked(ax, by), f"corner cut at {(ax, ay)} -> {(bx, by)}"
    return tiles


def _tile_cost(tiles):
    return sum(DIAGONAL if a[0] != b[0] and a[1] != b[1] else STRAIGHT for a, b in zip(tiles, tiles[1:]))


def _reference_cost(is_blocked, start, targets, bounds):
    """Plain Dijkstra with the same move rules, for comparison."""
    x0, y0, x1, y1 = bounds
    dist = {start: 0}
    queue = [(0, start)]
    while queue:
        d, (x, y) = heapq.heappop(queue)
        if d > dist[(x, y)]:
            continue
        if (x, y) in targets:
            return d
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                n = (x + dx, y + dy)
                if (dx, dy) == (0, 0) or not (x0 <= n[0] <= x1 and y0 <= n[1] <= y1) or is_blocked(*n):
                    continue
                if dx and dy and (is_blocked(x + dx, y) or is_blocked(x, y + dy)):
                    continue
                nd = d + (DIAGONAL if dx and dy else STRAIGHT)
                if nd < dist.get(n, math.inf):
                    dist[n] = nd
                    heapq.heappush(queue, (nd, n))
    return None


def test_straight_line_is_start_and_goal_only():
    assert find_path(_blocker(()), (0.5, 0.5), (10.5, 0.5)) == [(0.5, 0.5), (10.5, 0.5)]


def test_path_begins_at_start_and_ends_at_exact_goal():
    path = find_path(_blocker(()), (0.3, 0.7), (6.25, 0.8))
    assert path == [(0.3, 0.7), (6.25, 0.8)]


def test_open_field_path_keeps_only_the_corner():
    path = find_path(_blocker(()), (0.5, 0.5), (20.5, 5.5))
    assert len(path) == 3, path
    assert path_length(path) == pytest.approx(15 + 5 * math.sqrt(2))


def test_goes_around_a_wall_by_a_shortest_route():
    wall = {(5, y) for y in range(-6, 7)}
    blocked = _blocker(wall)
    path = find_path(blocked, (0.5, 0.5), (10.5, 0.5))
    tiles = _assert_legal(blocked, path)
    bounds = (-20, -20, 30, 20)
    assert _tile_cost(tiles) == _reference_cost(blocked, (0, 0), {(10, 0)}, bounds)
    assert path[0] == (0.5, 0.5) and path[-1] == (10.5, 0.5)
    assert all(abs(y - 0.5) > 6 for x, y in path[1:-1] if math.floor(x) == 5)


def test_goes_through_the_only_gap():
    wall = {(5, y) for y in range(-30, 31) if y != 3}
    blocked = _blocker(wall, bounds=(-10, -30, 20, 30))
    path = find_path(blocked, (0.5, 0.5), (10.5, 0.5))
    tiles = _assert_legal(blocked, path)
    assert (5, 3) in tiles


def test_no_diagonal_past_a_blocked_corner():
    blocked = _blocker({(1, 0)})
    path = find_path(blocked, (0.5, 0.5), (1.5, 1.5))
    assert path == [(0.5, 0.5), (0.5, 1.5), (1.5, 1.5)]


def test_enclosed_goal_is_unreachable():
    ring = {(x, y) for x in range(8, 13) for y in range(-2, 3) if x in (8, 12) or y in (-2, 2)}
    assert find_path(_blocker(ring, bounds=(-20, -20, 30, 20)), (0.5, 0.5), (10.5, 0.5)) is None


def test_enclosed_start_is_unreachable():
    ring = {(x, y) for x in range(-2, 3) for y in range(-2, 3) if abs(x) == 2 or abs(y) == 2}
    assert find_path(_blocker(ring), (0.5, 0.5), (30.5, 0.5)) is None


def test_node_budget_ends_a_search_on_an_open_map():
    ring = {(x, y) for x in range(98, 103) for y in range(-2, 3) if x in (98, 102) or y in (-2, 2)}
    blocked = _blocker(ring)  # infinite open map: only the budget can end this search
    assert find_path(blocked, (0.5, 0.5), (100.5, 0.5), max_nodes=2000) is None
    assert find_path(blocked, (0.5, 0.5), (90.5, 0.5), max_nodes=2000) is not None


def test_blocked_goal_without_radius_fails_at_once():
    calls = []

    def blocked(x, y):
        calls.append((x, y))
        return (x, y) == (10, 0)

    assert find_path(blocked, (0.5, 0.5), (10.5, 0.5)) is None
    assert calls == [(10, 0)]


def test_radius_ends_on_nearest_free_tile_within_radius():
    building = {(x, y) for x in range(9, 12) for y in range(-1, 2)}  # 3x3 entity centred on the goal
    blocked = _blocker(building)
    goal = (10.5, 0.5)
    path = find_path(blocked, (0.5, 0.5), goal, radius=2.0)
    end = path[-1]
    end_tile = (math.floor(end[0]), math.floor(end[1]))
    assert not blocked(*end_tile)
    assert end == (end_tile[0] + 0.5, end_tile[1] + 0.5)
    assert math.dist(end, goal) <= 2.0
    tiles = _assert_legal(blocked, path)
    targets = {(x, y) for x in range(5, 16) for y in range(-5, 6)
               if math.dist((x + 0.5, y + 0.5), goal) <= 2.0 and not blocked(x, y)}
    assert _tile_cost(tiles) == _reference_cost(blocked, (0, 0), targets, (-10, -10, 20, 10))


def test_radius_with_free_goal_stops_inside_radius():
    path = find_path(_blocker(()), (0.5, 0.5), (20.5, 0.5), radius=3.0)
    assert path[-1] == (17.5, 0.5)


def test_blocked_start_tile_is_searched_from():
    blocked = _blocker({(0, 0)})
    path = find_path(blocked, (0.5, 0.5), (5.5, 0.5))
    assert path == [(0.5, 0.5), (5.5, 0.5)]


def test_same_tile_gives_start_and_goal():
    assert find_path(_blocker(()), (0.2, 0.2), (0.8, 0.9)) == [(0.2, 0.2), (0.8, 0.9)]


def test_deterministic_whatever_the_oracle_set_order():
    rng = random.Random(5)
    cells = [(x, y) for x in range(-20, 21) for y in range(-20, 21) if rng.random() < 0.25]
    cells = [c for c in cells if c not in ((-18, -18), (18, 18))]
    shuffled = cells[:]
    random.Random(9).shuffle(shuffled)
    bounds = (-20, -20, 20, 20)
    a = find_path(_blocker(cells, bounds), (-17.5, -17.5), (18.5, 18.5))
    b = find_path(_blocker(shuffled, bounds), (-17.5, -17.5), (18.5, 18.5))
    assert a is not None and a == b


def test_deterministic_across_python_hash_seeds():
    script = (
        "from factoryverse.engine.world.pathfinding import find_path\n"
        "walls = {(x, y) for x in range(-30, 31) for y in range(-30, 31) if (x * 7 + y * 13) % 5 == 0 and x % 3}\n"
        "print(find_path(lambda x, y: (x, y) in walls or abs(x) > 30 or abs(y) > 30, (-29.5, 0.5), (29.5, 2.5)))\n"
    )
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1 and outputs.pop().startswith("[(-29.5, 0.5)")


@pytest.mark.parametrize("density", [0.1, 0.25, 0.4])
def test_matches_reference_dijkstra_on_random_grids(density):
    rng = random.Random(int(density * 100))
    for _ in range(40):
        w = rng.randint(3, 10)
        bounds = (-w, -w, w, w)
        cells = {(x, y) for x in range(-w, w + 1) for y in range(-w, w + 1) if rng.random() < density}
        start = (rng.randint(-w, w), rng.randint(-w, w))
        goal = (rng.randint(-w, w), rng.randint(-w, w))
        cells -= {start, goal}
        blocked = _blocker(cells, bounds)
        path = find_path(blocked, (start[0] + 0.5, start[1] + 0.5), (goal[0] + 0.5, goal[1] + 0.5))
        expected = _reference_cost(blocked, start, {goal}, bounds)
        if expected is None:
            assert path is None
        else:
            assert path is not None
            assert _tile_cost(_assert_legal(blocked, path)) == expected


def test_path_length():
    assert path_length([(0, 0), (3, 4), (3, 10)]) == pytest.approx(11.0)
    assert path_length(None) == 0.0
    assert path_length([(1, 1)]) == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"radius": -1.0}, "radius"),
    ({"radius": float("nan")}, "radius"),
    ({"max_nodes": 0}, "max_nodes"),
])
def test_bad_options_raise_typed_error(kwargs, message):
    with pytest.raises(PathfindingError, match=message):
        find_path(_blocker(()), (0.5, 0.5), (3.5, 0.5), **kwargs)


@pytest.mark.parametrize("start", [(float("nan"), 0.0), ("a", 0), (1.0,), (2.0 ** 31, 0.0)])
def test_bad_positions_raise_typed_error(start):
    with pytest.raises(PathfindingError, match="start"):
        find_path(_blocker(()), start, (3.5, 0.5))
