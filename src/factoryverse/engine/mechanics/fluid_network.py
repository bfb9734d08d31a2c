"""Fluid networks: every set of connected fluid boxes holds one pooled volume of one fluid, as 2.0's fluid segments.

A network is rate-based between events. Producers (offshore pumps, boilers) and consumers (boilers, steam engines)
each declare a `Flow`: the most they would move per tick now (`max`). `solve` grants each flow its `rate`:

* while the pool is neither full nor empty everyone moves at `max`;
* on the tick the pool would overflow (run dry) producers (consumers) are scaled so that it ends exactly full
  (empty), and from the next tick on they are scaled to what the other side moves: a full pool's producers share
  the consumers' draw, an empty pool's consumers share the producers' inflow, in proportion to their `max`.

So the level is linear in the tick between events and read from the tick (`level`). `next_event` is the tick at
which the pool fills or runs dry at the current rates; every contributor schedules its update no later than that.
A flow whose rate changes is re-planned in the same tick (`replan`): its owner's update reads rates, never sets
them, so running it twice in one tick is harmless. Each flow integrates what it moved (`total_at`), exactly, for
statistics and for what its owner turns it into (steam, electric energy).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["Flow", "FluidNetwork", "replan", "EPS"]

# Fluid amounts below this are rounding, not fluid.
EPS = 1e-9

# What a closed stretch of a flow is reported to: the fluid statistics (set by mechanics/fluids.py).
RECORDERS: list[Any] = [lambda world, flow, fluid, t0, t1: None]


class Flow:
    """One entity's production (`sign` +1) or consumption (-1) in one network: `rate` units per tick from `since`,
    `total` moved before `since`."""

    __slots__ = ("entity", "sign", "cap", "max", "rate", "since", "total", "temperature", "wait")

    def __init__(self, entity: Entity, sign: int, tick: int, temperature: float | None = None):
        self.entity = entity
        self.sign = sign
        self.cap = 0.0  # the most it ever moves per tick: an empty (full) pool's inflow (outflow) is shared by it
        self.max = 0.0
        self.rate = 0.0
        self.since = tick
        self.total = 0.0
        self.temperature = temperature  # what a producer's fluid comes out at
        # A machine waiting for this much fluid (a consumer) or room (a producer): the network's next event comes
        # no later than the tick the pool has it, so the machine is woken then.
        self.wait = 0.0

    def total_at(self, tick: int) -> float:
        return self.total + self.rate * max(0, tick - self.since)

    def set_rate(self, tick: int, rate: float, world: Any = None, fluid: str | None = None) -> None:
        """Move `rate` per tick from `tick` on; what was moved until then goes to the force's fluid statistics."""
        if world is not None and fluid is not None and self.rate and tick > self.since:
            RECORDERS[0](world, self, fluid, self.since, tick)
        self.total = self.total_at(tick)
        self.since = max(self.since, tick)
        self.rate = rate


class FluidNetwork:
    """A pool of `capacity` units (the sum of its boxes' volumes): `amount` of `fluid` at `temperature` at the start
    of tick `since`, changing by `rate` per tick. `filter` is the one fluid its boxes allow (None: any). Which boxes
    belong to it is kept by the fluid system (mechanics/fluids.py), not here: the state hash walks a network once
    per box."""

    __slots__ = ("id", "fluid", "temperature", "amount", "since", "rate", "capacity", "filter", "flows",
                 "next_event", "blocked")

    def __init__(self, net_id: int, capacity: float, tick: int, filter: str | None = None):
        self.id = net_id
        self.fluid: str | None = None
        self.temperature = 15.0
        self.amount = 0.0
        self.since = tick
        self.rate = 0.0
        self.capacity = float(capacity)
        self.filter = filter
        # owner unit_number * 8 + the owner's flow slot -> Flow, in the order they joined
        self.flows: dict[int, Flow] = {}
        self.next_event: int | None = None
        # Over the pipeline extent: nothing flows (entity status pipeline_overextended).
        self.blocked = False

    # -- reading ----------------------------------------------------------------------------------------------

    def level(self, tick: int) -> float:
        if not self.rate or tick <= self.since:
            return self.amount
        v = self.amount + self.rate * (tick - self.since)
        return 0.0 if v < EPS else (self.capacity if v > self.capacity - EPS else v)

    def room(self, tick: int) -> float:
        return max(0.0, self.capacity - self.level(tick))

    def accepts(self, fluid: str) -> bool:
        return (self.filter is None or self.filter == fluid) and (self.fluid is None or self.fluid == fluid)

    # -- changing ---------------------------------------------------------------------------------------------

    def sync(self, tick: int) -> None:
        if tick > self.since:
            self.amount = self.level(tick)
            self.since = tick
        if self.amount <= EPS:
            self.amount = 0.0
            if not any(f.sign > 0 and (f.rate > 0 or f.max > 0) for f in self.flows.values()):
                self.fluid = None  # an empty pool takes whichever fluid comes next

    def add(self, tick: int, fluid: str, amount: float, temperature: float) -> float:
        """Put up to `amount` of `fluid` in now (a script, a finished craft); returns what went in."""
        self.sync(tick)
        if amount <= 0 or not self.accepts(fluid):
            return 0.0
        put = min(amount, self.capacity - self.amount)
        if put <= EPS:
            return 0.0
        self.temperature = _mix(self.amount, self.temperature, put, temperature)
        self.amount += put
        self.fluid = fluid
        return put

    def take(self, tick: int, amount: float) -> float:
        """Take up to `amount` out now; returns what came out."""
        self.sync(tick)
        got = min(amount, self.amount)
        if got <= EPS:
            return 0.0
        self.amount -= got
        if self.amount <= EPS:
            self.amount = 0.0
        return got

    def solve(self, world: Any, tick: int) -> None:
        """Grant every flow its rate from `tick` on (see the module docstring); re-plan the owners whose rate or
        whose next event changed."""
        self.sync(tick)
        flows = self.flows
        produce = consume = 0.0
        for f in flows.values():
            if f.sign > 0:
                produce += f.max
            else:
                consume += f.max
        if self.blocked:
            produce = consume = 0.0
        level, cap = self.amount, self.capacity
        fp = fc = 1.0
        partial = False
        net = produce - consume
        if net > EPS and level + net > cap + EPS:
            fp = (cap - level + consume) / produce
            partial = cap - level > EPS
        elif net < -EPS and level + net < -EPS:
            fc = (level + produce) / consume
            partial = level > EPS
        rate = 0.0
        changed: list[Entity] = []
        for f in flows.values():
            r = 0.0 if self.blocked else f.max * (fp if f.sign > 0 else fc)
            if abs(r - f.rate) > EPS:
                f.set_rate(tick, r, world, self.fluid)
                changed.append(f.entity)
            rate += f.sign * f.rate
            if f.sign > 0 and f.rate > EPS:
                self.temperature = f.temperature if f.temperature is not None else self.temperature
        self.rate = 0.0 if abs(rate) <= EPS else rate
        if partial:
            nxt: int | None = tick + 1
        elif self.rate > 0:
            nxt = tick + max(1, math.floor((cap + EPS - level) / self.rate))
        elif self.rate < 0:
            nxt = tick + max(1, math.floor((level + EPS) / -self.rate))
        else:
            nxt = None
        for f in flows.values():
            if f.wait <= 0:
                continue
            if f.sign < 0 and self.rate > 0 and level < f.wait - EPS:
                t = tick + max(1, math.ceil((f.wait - level) / self.rate - EPS))
            elif f.sign > 0 and self.rate < 0 and cap - level < f.wait - EPS:
                t = tick + max(1, math.ceil((f.wait - cap + level) / -self.rate - EPS))
            else:
                continue
            nxt = t if nxt is None else min(nxt, t)
        if nxt != self.next_event:
            self.next_event = nxt
            changed = [f.entity for f in flows.values()]
        for entity in changed:
            replan(world, entity)

    def changed(self, world: Any) -> None:
        """Fluid came or went at once (a script, a craft): everyone moving fluid here plans again."""
        for f in self.flows.values():
            replan(world, f.entity)

    def flow(self, key: int, entity: Entity, sign: int, tick: int, temperature: float | None = None) -> Flow:
        """The flow `key` of `entity` in this network, made on first use."""
        f = self.flows.get(key)
        if f is None:
            f = self.flows[key] = Flow(entity, sign, tick, temperature)
        return f


def _mix(a: float, ta: float, b: float, tb: float) -> float:
    total = a + b
    return tb if total <= EPS or a <= EPS else (a * ta + b * tb) / total


def replan(world: Any, entity: Entity) -> None:
    """Update `entity` again this tick (or at the next one the world runs), unless it is due already: what it
    moves changed. A `rate_based` kind's update only reads the rates, so a second one in the same tick is harmless;
    any other kind is poked for its next update."""
    if not entity.valid or not entity.kind.scheduled:
        return
    if not getattr(entity.kind, "rate_based", False):
        world.poke(entity)  # a machine whose update does a tick's work (an assembler) runs once a tick
        return
    due = entity.due
    if due is not None and due <= world.tick:
        return
    world.scheduler.schedule(entity, world.tick)
