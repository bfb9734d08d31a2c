"""What every machine shares: an energy source, and progress that is linear in the tick between scheduled updates.

A machine's update at tick T is exactly what a per-tick update at T would do (`work`). It then tells the scheduler
the next tick at which something can happen (its cycle completes, its burner takes a fuel item), and until then
progress grows by `rate` per tick and the energy source draws one tick's usage per tick, both computed when read.
A machine that can't work schedules nothing and sleeps until what it waits on wakes it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.mechanics.energy import EPS, make_energy_source
from factoryverse.engine.prototypes import parse_energy

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["MachineKind", "MachineState", "ticks_to_complete"]


class MachineState:
    """`progress` (ticks of work at speed 1) as of the start of tick `since`, growing `rate` per tick from then."""

    __slots__ = ("status", "progress", "since", "rate", "speed")

    def __init__(self, speed: float, status: str):
        self.status = status
        self.progress = 0.0
        self.since = 0
        self.rate = 0.0
        self.speed = speed

    def progress_at(self, tick: int) -> float:
        if self.rate and tick > self.since:
            return self.progress + self.rate * (tick - self.since)
        return self.progress


def ticks_to_complete(progress: float, rate: float, need: float) -> int:
    """The number m >= 1 of further ticks of work after which `progress` reaches `need`, with the arithmetic the
    updates use (catch up m - 1 silent ticks, then add one tick's rate), so the completion tick is exact."""

    def done(m: int) -> bool:
        return (progress + rate * (m - 1)) + rate + EPS >= need

    m = max(1, math.ceil((need - EPS - progress) / rate))
    while m > 1 and done(m - 1):
        m -= 1
    while not done(m):
        m += 1
    return m


class MachineKind(Kind):
    scheduled: ClassVar[bool] = True
    # The prototype field giving the machine's speed (crafting_speed, mining_speed).
    speed_field: ClassVar[str] = ""

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        usage = parse_energy(proto.get("energy_usage", "0W")) / 60.0
        entity.energy = make_energy_source(world, entity, proto.get("energy_source"), usage)
        for inv in entity.inventories.values():
            inv.subscribe(entity, world.wake)

    def update(self, world: World, entity: Entity, tick: int) -> None:
        state = entity.state
        # Catch up the silent ticks since the last update, then do this tick's work.
        if state.rate:
            state.progress += state.rate * (tick - state.since)
            state.rate = 0.0
        source = entity.energy
        source.sync(tick)
        state.since = tick + 1
        nxt = self.work(world, entity, tick)
        if nxt is None:
            state.rate = 0.0
            world.sleep(entity)
            return
        if state.rate:
            source.run(tick + 1)
            take = source.next_event(tick + 1)
            if take is not None and take < nxt:
                nxt = take
        world.schedule(entity, nxt)

    def work(self, world: World, entity: Entity, tick: int) -> int | None:
        """This tick's work, as a per-tick update would do it. Returns the tick of the next update (setting
        `state.rate` for the ticks until then) or None to sleep until woken."""
        raise NotImplementedError

    def draw(self, entity: Entity, tick: int) -> float:
        """Take this tick's energy; the fraction of full speed the machine works at, 0 (with the status set) if none."""
        factor = entity.energy.draw(tick)
        state = entity.state
        if factor <= 0:
            state.status = entity.energy.blocked_status
        else:
            state.status = "working" if factor >= 1 else "low_power"
        return factor

    def status(self, world: World, entity: Entity) -> str | None:
        return entity.state.status

    @staticmethod
    def energy_reading(world: World, entity: Entity) -> Any:
        return entity.energy.energy(world.tick)
