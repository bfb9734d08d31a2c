"""The slot readers and fillers (engine/save/_slot_code.py), generated and compiled: every slot read into its column
and set back, one-value columns for all objects, and the generic path for slot names generated code cannot spell."""

from __future__ import annotations

import pytest

from factoryverse.engine.save import _slot_code
from factoryverse.engine.save._slot_code import filler, reader


@pytest.fixture(autouse=True, params=["generated", "c"])
def _path(request, monkeypatch):
    """Every test on both paths: the generated Python and, when built, the C loops."""
    monkeypatch.setattr(_slot_code, "_READERS", {})
    monkeypatch.setattr(_slot_code, "_FILLERS", {})
    if request.param == "generated":
        monkeypatch.setattr(_slot_code, "_cslots", None)
    elif not _slot_code.compiled():
        pytest.skip("the C slot loops are not built here (make cslots); tests/engine/save/test_cslots.py builds them")


class _Point:
    __slots__ = ("x", "y", "tag")


# A slot named by a keyword exists (type() accepts it) but `o.class` is no Python: the generic path serves it.
_Keyword = type("_Keyword", (), {"__slots__": ("class", "value")})


def _points(n: int) -> list[_Point]:
    out = []
    for i in range(n):
        p = _Point()
        p.x, p.y, p.tag = float(i), -i, "p" if i % 2 else None
        out.append(p)
    return out


def test_a_reader_gives_one_column_per_slot_in_the_objects_order() -> None:
    points = _points(5)
    assert reader(_Point, ("x", "y", "tag"))(points) == [
        [0.0, 1.0, 2.0, 3.0, 4.0], [0, -1, -2, -3, -4], [None, "p", None, "p", None]]
    assert reader(_Point, ("tag",))(points) == [[None, "p", None, "p", None]]


def test_a_reader_raises_for_an_unset_slot() -> None:
    points = _points(3)
    del points[1].y
    with pytest.raises(AttributeError):
        reader(_Point, ("x", "y"))(points)


def test_a_filler_sets_varying_and_one_value_columns() -> None:
    fresh = [_Point.__new__(_Point) for _ in range(4)]
    shared = object()
    filler(_Point, ("x", "y", "tag"), (True, False, True))(fresh, [[1.0, 2.0, 3.0, 4.0], (7,), ["a", "b", "c", "d"]])
    assert [(p.x, p.y, p.tag) for p in fresh] == [(1.0, 7, "a"), (2.0, 7, "b"), (3.0, 7, "c"), (4.0, 7, "d")]
    filler(_Point, ("x", "y", "tag"), (False, False, False))(fresh, [(0.5,), (8,), (shared,)])
    assert all(p.x == 0.5 and p.y == 8 and p.tag is shared for p in fresh)


def test_slot_names_that_are_no_identifiers_take_the_generic_path() -> None:
    objs = [_Keyword.__new__(_Keyword) for _ in range(3)]
    filler(_Keyword, ("class", "value"), (True, False))(objs, [["a", "b", "c"], (1,)])
    assert [getattr(o, "class") for o in objs] == ["a", "b", "c"]
    assert reader(_Keyword, ("class", "value"))(objs) == [["a", "b", "c"], [1, 1, 1]]


def test_distinct_keeps_the_first_of_each_object() -> None:
    a, b = [1], [1]
    assert [id(x) for x in _slot_code.distinct([a, b, a, None, b])] == [id(a), id(b), id(None)]


def test_group_keys_by_slot_values_in_first_seen_order() -> None:
    points = _points(4)
    groups = _slot_code.group(_Point, ("tag",), points)
    assert list(groups) == [(None,), ("p",)] and groups[("p",)] == [points[1], points[3]]
    assert list(_slot_code.group(_Point, ("tag", "y"), points)) == [(None, 0), ("p", -1), (None, -2), ("p", -3)]


class _PointLike(_Point):
    """A subclass: other layout checks apply, so the C loops refuse it and the generated code reads it."""

    __slots__ = ("extra",)


def test_objects_of_a_subclass_are_read_and_set_by_name() -> None:
    objs = [_PointLike.__new__(_PointLike) for _ in range(2)]
    filler(_Point, ("x", "y", "tag"), (True, False, False))(objs, [[1.0, 2.0], (3,), (None,)])
    assert reader(_Point, ("x", "y"))(objs) == [[1.0, 2.0], [3, 3]]
    assert list(_slot_code.group(_Point, ("y",), objs)) == [(3,)]
