"""The save's C slot loops (engine/save/_cslots.c, built by `make cslots`; the test builds it when it is missing):
the same columns as Python reads, slots set from varying and one-value columns, and a clear error, before anything
is set, for an object of another class, a name that is no plain slot, an unset slot or a column of the wrong
length."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools" / "save"))
import build_cslots  # noqa: E402

from factoryverse.engine.save import _object_table  # noqa: E402
from factoryverse.engine.world.entity import Entity  # noqa: E402


@pytest.fixture(scope="module")
def cslots():
    assert build_cslots.main() == 0, "the C slot loops did not build: install gcc and Python's headers"
    return importlib.import_module("factoryverse.engine.save._cslots")


class _Point:
    __slots__ = ("x", "y", "tag")

    @property
    def both(self) -> tuple:
        return (self.x, self.y)


class _Other:
    __slots__ = ("x", "y", "tag")


def _points(n: int) -> list[_Point]:
    out = []
    for i in range(n):
        p = _Point()
        p.x, p.y, p.tag = float(i), -i, [i]
        out.append(p)
    return out


def test_read_gives_each_slot_as_python_reads_it(cslots) -> None:
    points = _points(6)
    columns = cslots.read(_Point, ("tag", "x", "y"), points)
    assert columns == [[p.tag for p in points], [p.x for p in points], [p.y for p in points]]
    assert all(a is p.tag for a, p in zip(columns[0], points))  # the objects themselves, not copies
    assert cslots.read(_Point, ("x",), []) == [[]]


def test_fill_sets_varying_and_one_value_columns(cslots) -> None:
    fresh = [_Point.__new__(_Point) for _ in range(3)]
    shared = object()
    cslots.fill(_Point, ("x", "y", "tag"), fresh, [[1.0, 2.0, 3.0], (5,), (shared,)], (True, False, False))
    assert [(p.x, p.y) for p in fresh] == [(1.0, 5), (2.0, 5), (3.0, 5)] and all(p.tag is shared for p in fresh)
    cslots.fill(_Point, ("x",), fresh, [(9.0,)], (False,))  # a set slot is replaced
    assert [p.x for p in fresh] == [9.0, 9.0, 9.0]


def test_bad_input_is_refused_before_anything_is_set(cslots) -> None:
    points = _points(2)
    with pytest.raises(TypeError, match="not a _Point"):
        cslots.read(_Point, ("x",), [points[0], _Other()])
    with pytest.raises(TypeError, match="no slot"):
        cslots.read(_Point, ("both",), points)  # a property, not a slot
    with pytest.raises(TypeError, match="no slot"):
        cslots.read(_Point, ("missing",), points)
    del points[1].y
    with pytest.raises(AttributeError):
        cslots.read(_Point, ("x", "y"), points)
    with pytest.raises(ValueError, match="column 1 has 1 values for 2 objects"):
        cslots.fill(_Point, ("x", "y"), points, [[7.0, 8.0], [1]], (True, True))
    assert points[0].x == 0.0  # nothing was set
    with pytest.raises(TypeError, match="not a _Point"):
        cslots.fill(_Point, ("x",), [_Other()], [(1.0,)], (False,))


def test_entities_are_served_by_the_c_loops(cslots) -> None:
    names = _object_table._table_names(Entity)
    assert names and cslots.read(Entity, names, []) == [[] for _ in names]


def test_distinct_drops_repeated_objects_in_first_seen_order(cslots) -> None:
    a, b, c = [1], [1], [2]  # a and b are equal, not the same
    assert [id(x) for x in cslots.distinct([a, b, a, c, b, None, None])] == [id(a), id(b), id(c), id(None)]
    many = [object() for _ in range(5000)]
    assert cslots.distinct(many + many[::-1]) == many
    with pytest.raises(TypeError):
        cslots.distinct((a, b))


def test_group_keys_objects_by_their_slot_values_in_first_seen_order(cslots) -> None:
    points = _points(5)
    for p, tag in zip(points, ["b", "a", "b", "c", "a"]):
        p.tag = tag
    groups = cslots.group(_Point, ("tag",), points)
    assert list(groups) == [("b",), ("a",), ("c",)]
    assert groups[("b",)] == [points[0], points[2]] and groups[("a",)] == [points[1], points[4]]
    del points[3].tag
    with pytest.raises(AttributeError):
        cslots.group(_Point, ("tag",), points)
