"""The state of a crafting machine with fluid boxes: a CraftingState that also has `boxes` (mechanics/fluids.py);
its recipes' fluids are handled by mechanics/fluid_recipes.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from factoryverse.engine.kinds.crafting import CraftingState
from factoryverse.engine.mechanics.fluids import attach_boxes, box_specs, connect_boxes

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["FluidCraftingState", "crafting_state"]


class FluidCraftingState(CraftingState):
    __slots__ = ("boxes",)

    def __init__(self, speed: float, status: str):
        super().__init__(speed, status)
        self.boxes: list = []


def crafting_state(world: World, entity: Entity, speed: float, status: str) -> CraftingState:
    """A new machine's state, with its fluid boxes joined to their neighbours when its prototype has any."""
    if not box_specs(entity.proto):
        return CraftingState(speed, status)
    state = FluidCraftingState(speed, status)
    entity.state = state
    state.boxes = attach_boxes(world, entity)
    connect_boxes(world, entity)
    return state
