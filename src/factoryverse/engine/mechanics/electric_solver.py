"""Solving one electric network: what each producer gives and the satisfaction its consumers get, from one tick on.

Demand is the consumers' `energy_usage` (those working) plus every consumer's drain. Solar panels and primary
outputs supply it first, then secondary outputs (steam engines); what they could give beyond the demand charges
accumulators up to their `input_flow_limit`; tertiary producers (accumulators up to `output_flow_limit`, tertiary
energy interfaces) cover what is still missing. Producers of one class share their class's load in proportion to
what each can give. satisfaction = supplied / demanded (1 with no demand and some supply, 0 without supply).

The solution holds until the next event: a consumer starts or stops, a producer's power changes, an accumulator
fills or empties (its tick is computed here), or the daylight steps. Between events every flow is linear in the
tick, so accumulator charge and the statistics are settled only at events.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

from factoryverse.engine.mechanics.energy import EPS
from factoryverse.engine.mechanics.statistics import add_span

if TYPE_CHECKING:
    from factoryverse.engine.mechanics.electric_grid import ElectricGrid
    from factoryverse.engine.mechanics.electric_network import ElectricNetwork

__all__ = ["solve", "settle", "flows"]


def flows(net: ElectricNetwork) -> tuple[dict[str, float], dict[str, float]]:
    """Joules per tick by prototype name under the current solution: (consumed, produced)."""
    consumed: dict[str, float] = {}
    produced: dict[str, float] = {}
    sat = net.satisfaction
    for name, load in net.loads.items():
        if load and sat:
            consumed[name] = consumed.get(name, 0.0) + load * sat
    for oid, power in net.drawn.items():
        if power:
            name = net.producers[oid].owner.name
            produced[name] = produced.get(name, 0.0) + power
    if net.solar_drawn:
        for name, share in net.solar_names.items():
            produced[name] = produced.get(name, 0.0) + net.solar_drawn * share / net.solar_peak
    for acc in net.accumulators.values():
        flow = acc.flow
        if flow:
            side = consumed if flow > 0 else produced
            side[acc.owner.name] = side.get(acc.owner.name, 0.0) + abs(flow)
    return consumed, produced


def settle(net: ElectricNetwork, tick: int) -> None:
    """Account the flows of [since, tick): accumulator charge and the network's statistics."""
    span = tick - net.since
    if span <= 0:
        return
    consumed, produced = flows(net)
    stats = net.statistics
    for name, rate in consumed.items():
        add_span(stats.input, name, net.since, tick, rate)
    for name, rate in produced.items():
        add_span(stats.output, name, net.since, tick, rate)
    for acc in net.accumulators.values():
        if acc.flow:
            acc.settle(tick)
    net.since = tick


def solve(grid: ElectricGrid, net: ElectricNetwork, tick: int) -> None:
    """Solve `net` from `tick` on (a tick before its last solution counts as that one's)."""
    tick = max(tick, net.since)
    settle(net, tick)
    old = net.satisfaction
    demand = max(0.0, net.demand)
    day = grid.day(net.surface)
    solar = net.solar_peak * day.stepped_intensity(tick) * day.solar_multiplier if net.solar_peak else 0.0
    classes = {"main": solar, "secondary": 0.0, "tertiary": 0.0}
    powers: dict[int, tuple[str, float]] = {}
    for oid, producer in net.producers.items():
        m = max(0.0, float(producer.max_power(tick)))
        cls = _CLASS.get(producer.priority, "secondary")
        classes[cls] += m
        powers[oid] = (cls, m)
    a_in = a_out = 0.0
    for acc in net.accumulators.values():
        a_in += acc.input_room()
        a_out += acc.output_room()
    main, secondary = classes["main"], classes["secondary"]
    give_main = min(main, demand)
    missing = demand - give_main
    give_sec = min(secondary, missing)
    missing -= give_sec
    charge = 0.0
    if missing <= EPS:
        missing = 0.0
        charge = min(main - give_main + secondary - give_sec, a_in)
        extra = min(main - give_main, charge)
        give_main += extra
        give_sec += charge - extra
    tertiary = classes["tertiary"] + a_out
    give_ter = min(tertiary, missing)
    missing -= give_ter
    if demand > EPS:
        sat = 1.0 if missing <= EPS * demand else (demand - missing) / demand
    else:
        sat = 1.0 if main + secondary + tertiary > EPS else 0.0
    net.satisfaction = sat
    fractions = {
        "main": give_main / main if main > 0 else 0.0,
        "secondary": give_sec / secondary if secondary > 0 else 0.0,
        "tertiary": give_ter / tertiary if tertiary > 0 else 0.0,
    }
    net.solar_drawn = solar * fractions["main"]
    for oid, (cls, m) in powers.items():
        power = m * fractions[cls]
        if net.drawn.get(oid) != power:
            net.drawn[oid] = power
            producer = net.producers[oid]
            if getattr(producer, "notify_drawn", True):
                producer.on_drawn(tick, power)
    timer: int | None = None
    for acc in net.accumulators.values():
        if charge > 0:
            flow = charge * acc.input_room() / a_in
        elif give_ter > 0:
            flow = -give_ter * acc.output_room() / tertiary
        else:
            flow = 0.0
        acc.set_flow(tick, flow)
        end = acc.end_tick(tick)
        if end is not None and (timer is None or end < timer):
            timer = end
    if solar or net.solar_peak:
        step = day.next_step(tick)
        if step is not None and (timer is None or step < timer):
            timer = step
    net.timer = timer
    if timer is not None:
        grid.seq += 1
        heapq.heappush(grid.timers, (timer, grid.seq, net))
    if sat != old:
        grid.satisfaction_changed(net, woke=old <= 0 < sat)


# Producer priorities and the class each supplies in.
_CLASS = {"solar": "main", "primary-output": "main", "secondary-output": "secondary", "tertiary": "tertiary"}


def ticks_until(amount: float, rate: float) -> int:
    """Whole ticks of `rate` per tick until `amount` is used up (at least 1)."""
    return max(1, math.ceil(amount / rate - 1e-9))
