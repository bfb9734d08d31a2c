"""Electric poles: copper wires to the poles in reach and a supply area powering what it overlaps
(mechanics/electric_grid.py keeps the wires and networks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.mechanics import electric_grid
from factoryverse.engine.mechanics.electric_grid import PoleState

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["ElectricPoleKind"]


class ElectricPoleKind(Kind):
    types: ClassVar[tuple[str, ...]] = ("electric-pole",)

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        entity.state = PoleState(float(proto.get("maximum_wire_distance", 0)), float(proto.get("supply_area_distance", 0)))
        world.electric.add_pole(entity)

    def destroyed(self, world: World, entity: Entity) -> None:
        world.electric.remove_pole(entity)
        super().destroyed(world, entity)


def _statistics(lua: Any, entity: Entity) -> Any:
    from factoryverse.engine.api.power import ElectricStatisticsRef

    return ElectricStatisticsRef(entity)


ElectricPoleKind.getters = {"electric_network_statistics": _statistics}
electric_grid.POLE_TYPES[:] = ElectricPoleKind.types
