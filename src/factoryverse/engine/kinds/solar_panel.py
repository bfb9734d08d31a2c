"""Solar panels: `production` times the surface's solar intensity (mechanics/daylight.py), given first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.mechanics.electric_network import add_producer, remove_producer
from factoryverse.engine.prototypes import parse_energy

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["SolarPanelKind", "SolarState"]


class SolarState:
    """A producer (mechanics/electric_network.py) the network sums with every other panel: it needs no call."""

    __slots__ = ("owner", "priority", "network", "grid", "solar_peak")
    notify_drawn = False

    def __init__(self, owner: Entity, grid: Any, peak: float):
        self.owner = owner
        self.priority = "solar"
        self.network: Any = None
        self.grid = grid
        self.solar_peak = peak  # joules per tick in full daylight

    def max_power(self, tick: int) -> float:
        day = self.grid.day(self.owner.surface)
        return self.solar_peak * day.stepped_intensity(tick) * day.solar_multiplier

    def on_drawn(self, tick: int, power: float) -> None:
        pass


class SolarPanelKind(Kind):
    types: ClassVar[tuple[str, ...]] = ("solar-panel",)

    def attach(self, world: World, entity: Entity) -> None:
        entity.state = SolarState(entity, world.electric, parse_energy(entity.proto.get("production", "0W")) / 60.0)
        add_producer(world, entity.state)

    def destroyed(self, world: World, entity: Entity) -> None:
        remove_producer(world, entity.state)
        super().destroyed(world, entity)
