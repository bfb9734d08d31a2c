"""The game loop owns the cyclic collector: nothing is collected inside a tick, cycles are collected between."""

from __future__ import annotations

import gc
import weakref

from factoryverse.engine.server.gc_pacing import CollectorPacing


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycles(n: int) -> list[weakref.ref]:
    refs = []
    for _ in range(n):
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        refs.append(weakref.ref(a))
    return refs


def test_no_collection_runs_inside_a_tick_and_cycles_go_between_ticks():
    gc.collect()
    was = gc.isenabled()
    with CollectorPacing() as pacing:
        assert not gc.isenabled()
        before = gc.get_stats()[0]["collections"]
        refs = _cycles(20 * gc.get_threshold()[0])  # a "tick" allocating far past gen0's threshold
        assert gc.get_stats()[0]["collections"] == before
        assert all(r() is not None for r in refs)
        assert pacing.between_ticks() >= 0
        # Cycles that stayed young are gone after the pause; promoted ones wait for their generation's turn.
        for _ in range(200):
            _cycles(gc.get_threshold()[0])
            pacing.between_ticks()
        assert sum(r() is None for r in refs) == len(refs)
    assert gc.isenabled() == was


def test_a_pause_with_nothing_allocated_collects_nothing():
    gc.collect()
    with CollectorPacing() as pacing:
        gc.collect()  # counts back to zero
        assert pacing.between_ticks() == -1
        assert pacing.collections == [0, 0, 0]
