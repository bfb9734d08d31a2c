"""Radars: chart around themselves as the energy they draw completes scans.

Every joule a radar takes counts toward two scans at once (the wiki's Radar page: a sector takes
`energy_per_sector / energy_usage` = 10 MJ / 300 kW = 33.3 s, the nearby pulse about once a second):

* a nearby scan every `energy_per_nearby_scan`, charting again every chunk within
  `max_distance_of_nearby_sector_revealed` of the radar's chunk (7x7);
* a sector scan every `energy_per_sector`, charting one chunk of the ring out to `max_distance_of_sector_revealed`
  (29x29 less the nearby 7x7): the nearest one its force has not charted, or else the one this radar scanned
  longest ago.

A radar is updated only when a scan completes (or its power changes); both counters grow linearly in between.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.machine import MachineKind, ticks_to_complete
from factoryverse.engine.mechanics.charting import chart_now
from factoryverse.engine.mechanics.energy import EPS
from factoryverse.engine.prototypes import parse_energy
from factoryverse.engine.world.mapgen import CHUNK_SIZE

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["RadarKind", "RadarState", "sector_offsets"]


class RadarState:
    """Joules drawn toward the next nearby and sector scans as of the start of tick `since`, growing `rate` per tick
    from then; `scanned`: chunk -> the tick this radar last finished a sector scan of it."""

    __slots__ = ("status", "nearby", "sector", "since", "rate", "scanned")

    def __init__(self, status: str):
        self.status = status
        self.nearby = 0.0
        self.sector = 0.0
        self.since = 0
        self.rate = 0.0
        self.scanned: dict[tuple[int, int], int] = {}

    def sector_at(self, tick: int) -> float:
        return self.sector + self.rate * max(0, tick - self.since)


@lru_cache(maxsize=None)
def sector_offsets(near: int, far: int) -> tuple[tuple[int, int], ...]:
    """The chunk offsets a sector scan covers (beyond `near`, within `far`), nearest first, then row by row."""
    ring = [(dx, dy) for dy in range(-far, far + 1) for dx in range(-far, far + 1) if max(abs(dx), abs(dy)) > near]
    return tuple(sorted(ring, key=lambda d: (d[0] * d[0] + d[1] * d[1], d[1], d[0])))


def _energy(entity: Entity, field: str) -> float:
    return parse_energy(entity.proto[field])


def _chunk_of(entity: Entity) -> tuple[int, int]:
    return int(entity.x // CHUNK_SIZE), int(entity.y // CHUNK_SIZE)


def _radar_scan_progress(lua: Any, entity: Entity) -> float:
    progress = entity.state.sector_at(lua.engine.world.tick) / _energy(entity, "energy_per_sector")
    return min(1.0, max(0.0, progress))


class RadarKind(MachineKind):
    types: ClassVar[tuple[str, ...]] = ("radar",)
    getters = {"radar_scan_progress": _radar_scan_progress}

    def attach(self, world: World, entity: Entity) -> None:
        entity.state = RadarState("working")
        super().attach(world, entity)
        if not entity.energy.can_supply():
            entity.state.status = entity.energy.blocked_status
        world.wake(entity)

    def update(self, world: World, entity: Entity, tick: int) -> None:
        state: RadarState = entity.state
        # Catch up the silent ticks since the last update, then do this tick's work.
        if state.rate:
            silent = tick - state.since
            state.nearby += state.rate * silent
            state.sector += state.rate * silent
            state.rate = 0.0
        source = entity.energy
        source.sync(tick)
        state.since = tick + 1
        nxt = self.work(world, entity, tick)
        if nxt is None:
            world.sleep(entity)
            return
        source.run(tick + 1)
        take = source.next_event(tick + 1)
        world.schedule(entity, nxt if take is None else min(nxt, take))

    def work(self, world: World, entity: Entity, tick: int) -> int | None:
        state: RadarState = entity.state
        factor = self.draw(entity, tick)
        if factor <= 0:
            return None  # woken when its power comes back
        rate = entity.energy.usage * factor
        per_nearby = _energy(entity, "energy_per_nearby_scan")
        per_sector = _energy(entity, "energy_per_sector")
        state.nearby += rate
        state.sector += rate
        if state.nearby + EPS >= per_nearby:
            state.nearby = max(0.0, state.nearby - per_nearby)
            self._scan_nearby(world, entity)
        if state.sector + EPS >= per_sector:
            state.sector = max(0.0, state.sector - per_sector)
            self._scan_sector(world, entity, tick)
        state.rate = rate
        return tick + min(ticks_to_complete(state.nearby, rate, per_nearby),
                          ticks_to_complete(state.sector, rate, per_sector))

    def _scan_nearby(self, world: World, entity: Entity) -> None:
        near = int(entity.proto["max_distance_of_nearby_sector_revealed"])
        cx, cy = _chunk_of(entity)
        for dy in range(-near, near + 1):
            for dx in range(-near, near + 1):
                chart_now(world, entity.force, entity.surface, cx + dx, cy + dy)

    def _scan_sector(self, world: World, entity: Entity, tick: int) -> None:
        state: RadarState = entity.state
        proto = entity.proto
        offsets = sector_offsets(int(proto["max_distance_of_nearby_sector_revealed"]),
                                 int(proto["max_distance_of_sector_revealed"]))
        if not offsets:
            return
        cx, cy = _chunk_of(entity)
        charted = entity.force.charted.get(entity.surface.index, ())
        best, best_tick = None, None
        for dx, dy in offsets:
            chunk = (cx + dx, cy + dy)
            if chunk not in charted:
                best = chunk
                break
            last = state.scanned.get(chunk, -1)
            if best_tick is None or last < best_tick:
                best, best_tick = chunk, last
        assert best is not None
        state.scanned[best] = tick
        chart_now(world, entity.force, entity.surface, best[0], best[1])
