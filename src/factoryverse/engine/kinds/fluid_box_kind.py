"""What every kind with fluid boxes does when its entity moves or goes (pipes, tanks, pumps, boilers, engines)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.mechanics.fluids import detach_boxes, rejoin

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["FluidBoxKind"]


class FluidBoxKind(Kind):
    """Fluid boxes join their neighbours where the entity stands now, and leave their networks when it goes."""

    def moved(self, world: World, entity: Entity) -> None:
        rejoin(world, entity)
        world.poke(entity)  # a machine plans again with its new networks (nothing for a passive pipe)

    def destroyed(self, world: World, entity: Entity) -> None:
        detach_boxes(world, entity)
        super().destroyed(world, entity)
