"""Power for mechanics tests: the game's own global electric network on the surface, fed by an electric energy
interface (500 GW, the base prototype's `energy_production`), so electric machines built anywhere have full power
without poles standing in the tests' layouts."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.engine import Engine


def power_surface(engine: Engine, surface: str = "nauvis", x: float = -29.5, y: float = -29.5) -> Any:
    """Create the surface's global electric network and an electric energy interface on it, in a corner of the
    start area that no test clears. Returns the interface entity."""
    world = engine.world
    s = world.surfaces[surface]
    world.electric.create_global(s)
    return world.create_entity(s, "electric-energy-interface", x, y)


def set_production(engine: Engine, interface: Any, joules_per_tick: float) -> None:
    """The interface's `power_production` (joules per tick), set as a script does."""
    reply = engine.execute_command(
        f"/sc game.get_entity_by_unit_number({interface.unit_number}).power_production = {float(joules_per_tick)!r}"
    )
    assert not reply.startswith("Cannot execute command"), reply


def demand_of(entity: Any) -> float:
    """What a working electric machine asks of its network per tick: energy_usage plus drain."""
    return entity.energy.usage + entity.energy.drain
