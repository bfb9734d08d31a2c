"""Pipes and pipes to ground: fluid boxes that only join their neighbours (mechanics/fluids.py). A pipe to ground
joins the first pipe to ground facing back within `max_underground_distance` tiles of its underground connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from factoryverse.engine.kinds.fluid_box_kind import FluidBoxKind
from factoryverse.engine.mechanics.fluids import FluidBox, attach_boxes, boxes_of, connect_boxes

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["PipeKind", "PipeState"]


class PipeState:
    __slots__ = ("boxes",)

    def __init__(self, boxes: list[FluidBox]):
        self.boxes = boxes


class PipeKind(FluidBoxKind):
    """Passive fluid boxes: never scheduled; what flows through them is their network's business."""

    types: ClassVar[tuple[str, ...]] = ("pipe", "pipe-to-ground")

    def attach(self, world: World, entity: Entity) -> None:
        entity.state = PipeState(attach_boxes(world, entity))
        connect_boxes(world, entity)

    def status(self, world: World, entity: Entity) -> str | None:
        boxes = boxes_of(entity) or ()
        # The game shows a status on pipes only when their pipeline is too long to flow.
        return "pipeline_overextended" if any(b.network is not None and b.network.blocked for b in boxes) else None
