"""Fluid production statistics (`LuaForce.get_fluid_production_statistics`): what each force's pumps, boilers and
crafting machines put into (input) and took out of (output) fluid networks, per surface and fluid.

A flow's stretch at one rate is recorded when the rate changes, spread over the samples it covers; a read adds the
stretches still running to a copy, so reading never changes the game (nor its state hash).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.mechanics.fluid_network import RECORDERS
from factoryverse.engine.mechanics.statistics import add_span as _add_span

if TYPE_CHECKING:
    from factoryverse.engine.world.world import World

__all__ = ["fluid_statistics", "fluid_statistics_now"]


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
