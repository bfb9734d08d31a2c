"""Boilers: burn fuel to turn water from box 1 into steam at `target_temperature` in box 2.

Warming one unit from the water's temperature to `target_temperature` takes the steam's `heat_capacity` per degree
(fluid prototype), so at `energy_consumption` (1.8 MW) a base boiler makes 1,800,000 / (200 x 150) = 60 steam/s.
It makes as much as the water coming in and the room for steam allow (mechanics/fluid_network.py), burning fuel
for exactly that: a tick of work takes that tick's whole energy from the fuel burning, else the next fuel item
(docs/known-differences.md, "Burner energy"). Rate-based between updates: an update comes when fuel is taken, or
when the water or steam network fills or runs dry.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from factoryverse.engine.kinds.fluid_box_kind import FluidBoxKind
from factoryverse.engine.mechanics.energy import make_energy_source
from factoryverse.engine.mechanics.fluid_network import EPS
from factoryverse.engine.mechanics.fluids import (
    FluidBox, attach_boxes, connect_boxes, flow_key, heat_capacity,
)
from factoryverse.engine.prototypes import parse_energy
from factoryverse.engine.world.inventory import FUEL

if TYPE_CHECKING:
    from factoryverse.engine.mechanics.burner import Burner
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["BoilerKind", "BoilerState", "next_fuel_tick"]


class BoilerState:
    """Its water and steam boxes, steam made per tick now (`rate`), and its status."""

    __slots__ = ("boxes", "rate", "status")

    def __init__(self, boxes: list[FluidBox]):
        self.boxes = boxes
        self.rate = 0.0
        self.status = "no_fuel"


def next_fuel_tick(tick: int, remaining: float, need: float) -> int | None:
    """The first tick after `tick` whose work `remaining` joules (at the start of `tick`, `need` going every tick)
    can no longer pay for: the next fuel item is taken then."""
    if need <= EPS:
        return None

    def short(j: int) -> bool:
        return remaining - need * j < need - EPS

    j = max(1, math.floor(remaining / need) - 1)
    while j > 1 and short(j - 1):
        j -= 1
    while not short(j):
        j += 1
    return tick + j


class BoilerKind(FluidBoxKind):
    types: ClassVar[tuple[str, ...]] = ("boiler",)
    scheduled: ClassVar[bool] = True
    rate_based: ClassVar[bool] = True  # its update only reads rates: re-planning twice in a tick is harmless
    insert_order: ClassVar[tuple[str, ...]] = (FUEL,)
    main_inventory_name: ClassVar[str | None] = FUEL

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        usage = parse_energy(proto.get("energy_consumption", "0W")) / 60.0
        entity.energy = make_energy_source(world, entity, proto.get("energy_source"), usage)
        entity.state = BoilerState(attach_boxes(world, entity))
        connect_boxes(world, entity)
        for inv in entity.inventories.values():
            inv.subscribe(entity, world.wake)
        world.wake(entity)

    def update(self, world: World, entity: Entity, tick: int) -> None:
        state: BoilerState = entity.state
        burner: Burner = entity.burner  # type: ignore[assignment]
        water, steam = state.boxes[0].network, state.boxes[1].network
        target = float(entity.proto.get("target_temperature", 165))
        out_fluid = state.boxes[1].filter or "steam"
        # Joules per unit of steam made: warmed from the water's temperature at the steam's heat capacity.
        per_unit = heat_capacity(world, out_fluid) * max(0.0, target - water.temperature)
        top = burner.usage / per_unit if per_unit > EPS else 0.0
        fw = water.flow(flow_key(entity, 0), entity, -1, tick)
        fs = steam.flow(flow_key(entity, 1), entity, +1, tick, target)
        fw.cap = fs.cap = top
        burner.sync(tick)
        can_burn = burner.remaining > EPS or burner.inventory.first() is not None
        ok = can_burn and steam.accepts(out_fluid) and water.fluid is not None and water.accepts(state.boxes[0].filter or water.fluid)
        most = top if ok else 0.0
        if most and steam.fluid is None:
            steam.fluid = out_fluid
        rate = self._plan(world, water, steam, fw, fs, most, tick)
        need = rate * per_unit
        starved = False
        while rate > EPS and burner.remaining < need - EPS:
            stack = burner.inventory.first()
            if stack is None:
                rate = self._plan(world, water, steam, fw, fs, 0.0, tick)
                need = 0.0
                starved = True
                break
            name = stack.name
            burner.inventory.remove(name, 1)
            world.record_consumption(entity.force, entity.surface, name, 1)
            burner.currently_burning = name
            burner.remaining += burner.fuel_values[name] * burner.effectivity
        burner.since = tick
        burner.rate = need
        state.rate = rate
        if rate > EPS:
            state.status = "working"
        elif starved or not can_burn:
            state.status = "no_fuel"
        elif water.level(tick) <= EPS:
            state.status = "no_input_fluid"
        else:
            state.status = "full_output"
        nxt = next_fuel_tick(tick, burner.remaining, need)
        for t in (water.next_event, steam.next_event):
            if t is not None and (nxt is None or t < nxt):
                nxt = t
        if nxt is None:
            world.sleep(entity)
        else:
            world.schedule(entity, nxt)

    @staticmethod
    def _plan(world: World, water, steam, fw, fs, most: float, tick: int) -> float:
        """Declare `most` on both sides and settle on what both networks grant (water in = steam out)."""
        fw.max = fs.max = most
        water.solve(world, tick)
        steam.solve(world, tick)
        rate = min(fw.rate, fs.rate)
        if rate < most - EPS:
            fw.max = fs.max = rate
            water.solve(world, tick)
            steam.solve(world, tick)
            rate = min(fw.rate, fs.rate)
        return rate

    def status(self, world: World, entity: Entity) -> str | None:
        return entity.state.status
