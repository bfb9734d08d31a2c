"""The cyclic garbage collector runs between ticks, never inside one.

Left to itself, CPython's collector starts whenever allocations cross its thresholds, which is usually in the
middle of a tick; a full collection walks every object of the world (6 to 9 ms with 5,000 entities), so a tick
that happens to trigger one looks as slow as a mod doing heavy work (benchmarks/snapshot_bootstrap.py). The
game loop owns the collector instead: it is disabled while the loop runs, and `between_ticks()` collects the
generations whose thresholds were crossed, with CPython's own policy, at a point where no tick is running. Games
allocate little per tick, so nothing piles up; a command or job that allocates a great deal is followed by the
same collections at the next pause.
"""

from __future__ import annotations

import gc
from types import TracebackType

__all__ = ["CollectorPacing"]


class CollectorPacing:
    """`with CollectorPacing() as gc_pacing:` ... `gc_pacing.between_ticks()` after each tick."""

    def __init__(self) -> None:
        self._was_enabled = False
        self.collections = [0, 0, 0]  # per generation, for tests and benchmarks
        self._heap = 0  # objects tracked after the last full collection
        self._allocated = 0  # allocations (net, by gen0's count) since then

    def __enter__(self) -> CollectorPacing:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._heap = len(gc.get_objects())
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._was_enabled:
            gc.enable()

    def between_ticks(self) -> int:
        """Collect what CPython would have collected by now; the generation collected, or -1 for none."""
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if t0 == 0 or c0 < t0:
            return -1
        self._allocated += c0
        # CPython's cascade: an older generation is collected when the younger one has been collected often enough
        # since it last was. A full collection also waits until what was allocated since the last one is a quarter
        # of the heap (CPython counts the survivors of gen1 instead, which Python cannot read; allocations are an
        # upper bound on them), so a big world is not walked again and again for little new garbage.
        if t2 and c2 >= t2 and c1 >= t1 and self._allocated * 4 >= self._heap:
            gen = 2
        elif t1 and c1 >= t1:
            gen = 1
        else:
            gen = 0
        gc.collect(gen)
        self.collections[gen] += 1
        if gen == 2:
            self._heap = len(gc.get_objects())
            self._allocated = 0
        return gen
