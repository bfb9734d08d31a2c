"""Fluid production statistics (`LuaForce.get_fluid_production_statistics`): what each force's pumps, boilers and
crafting machines put into (input) and took out of (output) fluid networks, per surface and fluid.

A flow's stretch at one rate is recorded when the rate changes, spread over the samples it covers; a read adds the
stretches still running to a copy, so reading never changes the game (nor its state hash).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.mechanics.fluid_network import RECORDERS

if TYPE_CHECKING:
    from factoryverse.engine.world.world import World

__all__ = ["fluid_statistics", "fluid_statistics_now"]


def _add_span(side: Any, name: str, t0: int, t1: int, rate: float) -> None:
    """Add `rate` per tick over ticks [t0, t1) to a statistics side, spread over the samples it covers (only the
    300 a read can still reach, per precision)."""
    from factoryverse.engine.mechanics.statistics import SAMPLES, _LENGTHS

    total = side.totals.get(name, 0) + rate * (t1 - t0)
    side.totals[name] = total
    per = side.samples.get(name)
    if per is None:
        per = side.samples[name] = [{} for _ in _LENGTHS]
    for ring, length in zip(per, _LENGTHS):
        last = (t1 - 1) // length
        first = max(t0 // length, last - SAMPLES)
        get = ring.get
        # Only the first and last samples can be partly covered; those between take a whole sample each (a long
        # stretch covers all 300 of the finest precision, so this loop is the cost of a record).
        for n in (first,) if first == last else (first, *range(first + 1, last), last):
            part = length if first < n < last else min(t1, (n + 1) * length) - max(t0, n * length)
            if part > 0:
                ring[n] = get(n, 0) + rate * part
        # Samples no read can reach any more (a read sees the 300 before its tick's): dropped once they are as many
        # as those kept, so the scan is rare.
        if len(ring) > 2 * SAMPLES + 2:
            for old in [k for k in ring if k < last - SAMPLES]:
                del ring[old]


def fluid_statistics(world: World, force: Any, surface: Any, create: bool = False) -> Any:
    """The force's fluid flow statistics on the surface (an ItemFlowStatistics of fluid names), or None."""
    from factoryverse.engine.mechanics.statistics import ItemFlowStatistics

    from factoryverse.engine.mechanics.fluids import fluid_system  # fluids.py imports this module

    stats = fluid_system(world).statistics
    key = (force.name, surface.index)
    found = stats.get(key)
    if found is None and create:
        found = stats[key] = ItemFlowStatistics()
    return found


def _record(world: World, flow: Any, fluid: str, t0: int, t1: int) -> None:
    owner = flow.entity
    stats = fluid_statistics(world, owner.force, owner.surface, create=True)
    _add_span(stats.input if flow.sign > 0 else stats.output, fluid, t0, t1, flow.rate)


RECORDERS[0] = _record  # closed stretches of every flow land here (mechanics/fluid_network.py)


def fluid_statistics_now(world: World, force: Any, surface: Any) -> Any:
    """What `get_fluid_production_statistics` reads at the current tick: the recorded flows plus every flow still
    running, added to a copy (a read never changes the game)."""
    import copy

    from factoryverse.engine.mechanics.statistics import ItemFlowStatistics

    stored = fluid_statistics(world, force, surface)
    view = copy.deepcopy(stored) if stored is not None else ItemFlowStatistics()
    system = world.__dict__.get("fluids")
    if system is None:
        return view
    tick = world.tick
    seen: set[int] = set()
    for members in system.members.values():
        for box in members.values():
            net = box.network
            if net is None or net.id in seen:
                continue
            seen.add(net.id)
            for flow in net.flows.values():
                e = flow.entity
                if flow.rate and tick > flow.since and net.fluid and e.force is force and e.surface is surface:
                    _add_span(view.input if flow.sign > 0 else view.output, net.fluid, flow.since, tick, flow.rate)
    return view
