"""belt_line: belts chained in travel order, rebuilt locally when belts are built, removed or rotated."""

from __future__ import annotations

import random

import duckdb

from factoryverse.db.derived import Changes, rebuild_derived, update_derived
from factoryverse.db.derived._belt_line import _extend_line_end, _Known, build_belt_lines

from .conftest import as_rebuilt, batch, drop_entity, put_belt, table_rows

_LINES = ("SELECT line_id, surface, entity_keys, belt_count, ST_AsText(geom), first_key, last_key, is_loop "
          "FROM belt_line ORDER BY line_id")
_MEMBERS = "SELECT * FROM belt_line_member ORDER BY entity_key"
_STEP = {"north": (0, -1), "east": (1, 0), "south": (0, 1), "west": (-1, 0)}
_OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}


class World:
    """Belts on a grid with the neighbours Factorio reports: a belt feeds the belt its front faces unless that
    one faces straight back; only the belt a delta is about gets a fresh record, as fv_snapshot does."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.cells: dict[tuple[int, int], tuple[int, str]] = {}
        self.next_key = 100

    def _output(self, cell: tuple[int, int], direction: str) -> int | None:
        dx, dy = _STEP[direction]
        front = self.cells.get((cell[0] + dx, cell[1] + dy))
        if front is None or front[1] == _OPPOSITE[direction]:
            return None
        return front[0]

    def _record(self, cell: tuple[int, int]) -> None:
        key, direction = self.cells[cell]
        out = self._output(cell, direction)
        inputs = sorted(k for c, (k, d) in self.cells.items() if c != cell and self._output(c, d) == key)
        put_belt(self.con, key, cell[0] + 0.5, cell[1] + 0.5, direction, inputs=inputs,
                 outputs=[] if out is None else [out])

    def build(self, cell: tuple[int, int], direction: str) -> int:
        key = self.next_key
        self.next_key += 1
        self.cells[cell] = (key, direction)
        self._record(cell)
        return key

    def remove(self, cell: tuple[int, int]) -> int:
        key, _ = self.cells.pop(cell)
        drop_entity(self.con, key)
        return key

    def rotate(self, cell: tuple[int, int], direction: str) -> int:
        self.cells[cell] = (self.cells[cell][0], direction)
        self._record(cell)
        return self.cells[cell][0]

    def refresh(self, cell: tuple[int, int]) -> int:
        self._record(cell)
        return self.cells[cell][0]


def _lines(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return table_rows(con, "SELECT line_id, entity_keys, is_loop FROM belt_line ORDER BY line_id")


def test_a_straight_run_is_one_line_in_travel_order(db: duckdb.DuckDBPyConnection) -> None:
    world = World(db)
    for x in (3, 2, 1, 0):  # built back to front: each new belt's record knows its output, not the reverse
        world.build((x, 0), "east")
    assert rebuild_derived(db)["belt_line"] == 1
    assert table_rows(db, _LINES) == [
        (103, "nauvis", [103, 102, 101, 100], 4, "LINESTRING (0 0.5, 0.5 0.5, 1.5 0.5, 2.5 0.5, 3.5 0.5, 4 0.5)",
         103, 100, False)]
    assert table_rows(db, "SELECT ST_Length(geom) FROM belt_line") == [(4.0,)]


def test_a_curve_continues_and_a_side_load_does_not_split_the_main_line(db: duckdb.DuckDBPyConnection) -> None:
    world = World(db)
    a, b, c = world.build((0, 0), "east"), world.build((1, 0), "east"), world.build((2, 0), "south")
    feeder = world.build((1, -1), "south")  # drops onto b from the side
    rebuild_derived(db)
    assert _lines(db) == [(a, [a, b, c], False), (feeder, [feeder], False)]


def test_removing_a_middle_belt_splits_the_line(db: duckdb.DuckDBPyConnection) -> None:
    world = World(db)
    keys = [world.build((x, 0), "east") for x in range(5)]
    rebuild_derived(db)
    with batch(db):
        gone = world.remove((2, 0))
        update_derived(db, Changes(entities_removed={gone}))
    assert _lines(db) == [(keys[0], keys[:2], False), (keys[3], keys[3:], False)]
    with batch(db):
        back = world.build((2, 0), "east")
        update_derived(db, Changes(entities_added={back}))
    assert _lines(db) == [(keys[0], [*keys[:2], back, *keys[3:]], False)]


def test_a_closed_loop_starts_at_its_smallest_key(db: duckdb.DuckDBPyConnection) -> None:
    world = World(db)
    ring = [((0, 0), "east"), ((1, 0), "south"), ((1, 1), "west"), ((0, 1), "north")]
    keys = [world.build(cell, d) for cell, d in ring]
    for cell, _ in ring:
        world.refresh(cell)
    rebuild_derived(db)
    assert _lines(db) == [(keys[0], keys, True)]
    assert table_rows(db, "SELECT ST_IsClosed(geom), ST_Length(geom) FROM belt_line") == [(True, 4.0)]


def test_random_building_matches_a_full_rebuild(db: duckdb.DuckDBPyConnection) -> None:
    rng = random.Random(7)
    world = World(db)
    # Mostly one way, so long lines, curves and side-loads form rather than isolated belts.
    directions = ["east"] * 5 + ["south"] * 2 + ["north", "west"]
    for step in range(80):
        with batch(db):
            changes = Changes()
            for _ in range(rng.randint(1, 3)):
                cell = (rng.randrange(9), rng.randrange(6))
                action = rng.random()
                if cell not in world.cells:
                    changes.entities_added.add(world.build(cell, rng.choice(directions)))
                elif action < 0.3:
                    key = world.remove(cell)
                    changes.entities_removed.add(key)
                    changes.entities_added.discard(key)
                    changes.entities_changed.discard(key)
                elif action < 0.5:
                    changes.entities_changed.add(world.rotate(cell, rng.choice(directions)))
                elif action < 0.6:
                    changes.entities_changed.add(world.refresh(cell))
            update_derived(db, changes)
        assert [table_rows(db, _LINES), table_rows(db, _MEMBERS)] == as_rebuilt(db, build_belt_lines, _LINES, _MEMBERS)
    # The walk did build chains, not only single belts.
    assert table_rows(db, "SELECT count(*) >= 10, max(belt_count) >= 4 FROM belt_line WHERE belt_count > 1") == [
        (True, True)]


def test_entities_that_are_not_belts_change_nothing(db: duckdb.DuckDBPyConnection) -> None:
    world = World(db)
    world.build((0, 0), "east")
    rebuild_derived(db)
    before = table_rows(db, _LINES)
    update_derived(db, Changes(entities_added={9999}, entities_removed={9998}))
    assert table_rows(db, _LINES) == before


def test_removing_the_belt_behind_turns_a_side_load_into_a_curve(db: duckdb.DuckDBPyConnection) -> None:
    # The side-loader's line is two hops from the removed belt, and no record of it changes.
    world = World(db)
    behind, target = world.build((0, 0), "east"), world.build((1, 0), "east")
    side = world.build((1, -1), "south")
    rebuild_derived(db)
    assert _lines(db) == [(behind, [behind, target], False), (side, [side], False)]
    with batch(db):
        update_derived(db, Changes(entities_removed={world.remove((0, 0))}))
    assert _lines(db) == [(side, [side, target], False)]


def _extends(con: duckdb.DuckDBPyConnection, changes: Changes) -> bool:
    """Whether the quick path for a belt laid at a line's end took the change (it then wrote the rows)."""
    known = _Known(con)
    known.fetch(changes.entities())
    return _extend_line_end(con, changes, known)


def test_a_belt_laid_at_a_line_end_extends_it_in_place_as_a_rebuild_would(db: duckdb.DuckDBPyConnection) -> None:
    world = World(db)
    world.build((0, 0), "east")
    rebuild_derived(db)
    # Laid front to back, as a player lays a run: each new belt's record names the line's last belt as its input.
    for cell, direction in [((1, 0), "east"), ((2, 0), "east"), ((3, 0), "south"), ((3, 1), "south")]:
        with batch(db):
            changes = Changes(entities_added={world.build(cell, direction)})
            assert _extends(db, changes)
        assert [table_rows(db, _LINES), table_rows(db, _MEMBERS)] == as_rebuilt(db, build_belt_lines, _LINES, _MEMBERS)
    assert table_rows(db, _LINES)[0][2:4] == ([100, 101, 102, 103, 104], 5)


def test_a_new_belt_that_is_not_a_plain_line_end_is_left_to_the_full_update(db: duckdb.DuckDBPyConnection) -> None:
    world = World(db)
    world.build((0, 0), "east")
    world.build((2, 0), "east")
    rebuild_derived(db)
    with batch(db):
        # Between two lines: it feeds the second one, so the lines join and the quick path must decline.
        changes = Changes(entities_added={world.build((1, 0), "east")})
        assert not _extends(db, changes)
        update_derived(db, changes)
    assert [table_rows(db, _LINES), table_rows(db, _MEMBERS)] == as_rebuilt(db, build_belt_lines, _LINES, _MEMBERS)
    assert _lines(db) == [(100, [100, 102, 101], False)]
