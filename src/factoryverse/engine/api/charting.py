"""LuaForce's chart members: requests carried out over the next ticks, and the charted chunks a force has
(mechanics/charting.py)."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.mechanics.charting import chunks_in_area

__all__: list[str] = []

Force = api_class("LuaForce")


def _surface(state: Any, value: Any) -> Any:
    from factoryverse.engine.api.surface import _surface_arg

    return _surface_arg(state, value)


def _surfaces(state: Any, value: Any) -> list[Any]:
    """The surface a `surface?` parameter names, or every surface."""
    if value is None:
        return list(state.engine.world.surfaces.values())
    return [_surface(state, value)]


def _chunk(value: Any, what: str) -> tuple[int, int]:
    x, y = _args.position(value, what)
    return int(x), int(y)


def _rows(chunks: Any) -> list[tuple[int, int]]:
    return sorted(chunks, key=lambda c: (c[1], c[0]))


@Force.method("is_chunk_charted")
def _is_chunk_charted(state, f, surface, position):
    s = _surface(state, surface)
    cx, cy = _chunk(position, "is_chunk_charted")
    return f.is_charted(s.index, cx, cy)


@Force.method("chart")
def _chart(state, f, surface, area):
    s = _surface(state, surface)
    state.engine.world.charting.request(f, s, chunks_in_area(*_args.area(area, "chart")))


@Force.method("is_chunk_requested_for_charting")
def _is_chunk_requested_for_charting(state, f, surface, chunk_position):
    s = _surface(state, surface)
    cx, cy = _chunk(chunk_position, "is_chunk_requested_for_charting")
    return state.engine.world.charting.is_requested(f, s, cx, cy)


@Force.method("cancel_charting")
def _cancel_charting(state, f, surface=None):
    state.engine.world.charting.cancel(f, None if surface is None else _surface(state, surface))


@Force.method("chart_all")
def _chart_all(state, f, surface=None):
    charting = state.engine.world.charting
    for s in _surfaces(state, surface):
        charting.request(f, s, _rows(s.chunks))


@Force.method("rechart")
def _rechart(state, f, surface=None):
    charting = state.engine.world.charting
    for s in _surfaces(state, surface):
        charting.request(f, s, _rows(f.charted.get(s.index, ())))


@Force.method("clear_chart")
def _clear_chart(state, f, surface=None):
    for s in _surfaces(state, surface):
        f.charted.pop(s.index, None)


@Force.method("unchart_chunk")
def _unchart_chunk(state, f, chunk_position, surface):
    s = _surface(state, surface)
    f.charted.get(s.index, set()).discard(_chunk(chunk_position, "unchart_chunk"))
