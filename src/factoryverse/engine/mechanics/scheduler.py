"""Wake-up ticks: each machine is updated only at the ticks where something can happen to it.

A machine knows the next tick at which its state changes in a way the game would show (a craft or mining cycle
ends, a fuel item is taken, fuel runs out) and schedules itself then; between those ticks its progress and burnt
fuel are linear in the tick, so they are computed when read. A machine that cannot progress schedules nothing and is
woken by what it waits on (an inventory, its resource, its energy source).

The queue is a heap of (tick, sequence, generation, entity). Rescheduling an entity bumps its generation, so its
older entries are skipped when they come up (no search to cancel). Entries of one tick run in the order they were
scheduled: the run is the same in every game with the same inputs.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["Scheduler"]


class Scheduler:
    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, int, Entity]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(self, entity: Entity, tick: int) -> None:
        """Run `entity`'s update at `tick`, replacing whatever was scheduled for it."""
        entity.gen += 1
        entity.due = tick
        self._seq += 1
        heapq.heappush(self._heap, (tick, self._seq, entity.gen, entity))

    def pending(self) -> list[tuple[int, Entity]]:
        """(tick, entity) of every live entry, in the order they will run."""
        return [(t, e) for t, _, gen, e in sorted(self._heap) if gen == e.gen and e.valid]

    def cancel(self, entity: Entity) -> None:
        entity.gen += 1
        entity.due = None

    def run_due(self, tick: int, update: Callable[[Entity, int], None]) -> int:
        """Call `update(entity, tick)` for every live entry due at or before `tick`, in (tick, sequence) order,
        including entries scheduled for `tick` while running. Returns how many ran."""
        heap = self._heap
        pop = heapq.heappop
        ran = 0
        while heap and heap[0][0] <= tick:
            _, _, gen, entity = pop(heap)
            if gen != entity.gen or not entity.valid:
                continue  # rescheduled or cancelled since, or destroyed
            entity.due = None
            update(entity, tick)
            ran += 1
        return ran
