"""The route search itself, on maps drawn as text: shortest, around walls, straight where it can, block-wise asks."""

from __future__ import annotations

import asyncio

from factoryverse.sdk.helpers._grid import TileMap, Window, find_path


def _grid(drawing: str) -> tuple[TileMap, dict[str, tuple[int, int]]]:
    """`#` is blocked (by a wall), `A`/`B` are marks; the map's tiles are what the game would answer for them."""
    walls, marks = set(), {}
    for y, line in enumerate(drawing.strip().splitlines()):
        for x, ch in enumerate(line.strip()):
            if ch == "#":
                walls.add((x, y))
            elif ch.isalpha():
                marks[ch] = (x, y)
    asked: list[int] = []

    async def probe(tiles):
        asked.append(len(tiles))
        return {t: ["stone-wall"] for t in tiles if t in walls}

    grid = TileMap(probe=probe)
    grid.asked = asked  # type: ignore[attr-defined]
    return grid, marks


def _search(grid, starts, goals, window, diagonal=False):
    return asyncio.run(find_path(grid, starts, goals, window, diagonal=diagonal))


def test_the_route_goes_around_a_wall_by_the_shortest_way():
    grid, m = _grid("""
        ..........
        ....#.....
        .A..#..B..
        ....#.....
        ..........
    """)
    path = _search(grid, [m["A"]], [m["B"]], Window(0, 0, 9, 4))
    assert path[0] == m["A"] and path[-1] == m["B"]
    assert len(path) == 6 + 4 + 1  # six steps east, two up and two down around the wall
    assert all(abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1 for a, b in zip(path, path[1:]))
    assert not set(path) & {(4, 1), (4, 2), (4, 3)}
    assert grid.asked == [256]  # one block of 16 x 16 tiles answered everything


def test_among_equally_short_routes_the_straighter_wins():
    grid, m = _grid("""
        A.....
        ......
        .....B
    """)
    path = _search(grid, [m["A"]], [m["B"]], Window(0, 0, 5, 2))
    steps = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(path, path[1:])]
    turns = sum(1 for s, t in zip(steps, steps[1:]) if s != t)
    assert len(path) == 8 and turns == 1


def test_diagonal_steps_shorten_pole_routes():
    grid, m = _grid("""
        A....
        .....
        .....
        ....B
    """)
    assert len(_search(grid, [m["A"]], [m["B"]], Window(0, 0, 4, 3), diagonal=True)) == 5
    assert len(_search(grid, [m["A"]], [m["B"]], Window(0, 0, 4, 3))) == 8


def test_a_walled_in_end_is_found_without_searching_the_window():
    grid, m = _grid("""
        ............
        .A.....###..
        .......#B#..
        .......###..
        ............
    """)
    assert _search(grid, [m["A"]], [m["B"]], Window(0, 0, 40, 40)) is None
    assert grid.sealed and grid.pocket == {m["B"]} and grid.pocket_walls() == ["stone-wall"]


def test_no_route_inside_the_window_is_none():
    grid, m = _grid("""
        .A.#.B.
        ...#...
        ...#...
    """)
    assert _search(grid, [m["A"]], [m["B"]], Window(0, 0, 6, 2)) is None
    assert not grid.sealed  # both sides reach the window's edge: a wider window may have a route
