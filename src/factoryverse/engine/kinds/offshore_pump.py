"""Offshore pumps: `pumping_speed` units per tick (1,200 water/s for the base pump) of the fluid of the tile at
`fluid_source_offset`, into the pump's box while its network has room.

Rate-based: the pump is updated only when its network fills, or when what it may pump changes (mechanics/
fluid_network.py); between those updates it pumps at a constant rate, read from the tick.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.fluid_box_kind import FluidBoxKind
from factoryverse.engine.mechanics.fluids import (
    FluidBox, attach_boxes, connect_boxes, flow_key, fluid_temperature,
)
from factoryverse.engine.world.geometry import rotate_vector

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["OffshorePumpKind", "OffshorePumpState", "source_tile"]


class OffshorePumpState:
    """Its box, the fluid under its source position (None: none there), and its status."""

    __slots__ = ("boxes", "fluid", "status")

    def __init__(self, boxes: list[FluidBox], fluid: str | None):
        self.boxes = boxes
        self.fluid = fluid
        self.status = "working" if fluid else "no_input_fluid"


def source_tile(world: World, entity: Entity) -> tuple[int, int]:
    """The tile the pump draws from: its position plus `fluid_source_offset`, turned with it."""
    off = entity.proto.get("fluid_source_offset") or (0, 0)
    dx, dy = rotate_vector((float(off[0]), float(off[1])), entity.direction)
    return (math.floor(entity.x + dx), math.floor(entity.y + dy))


def _source_fluid(world: World, entity: Entity) -> str | None:
    x, y = source_tile(world, entity)
    tile = world.protos.tiles.get(entity.surface.tile_name(x, y)) or {}
    return tile.get("fluid")


def _get_fluid_source_tile(lua: Any, entity: Entity) -> Any:
    from factoryverse.engine.api.surface import TileRef  # the API imports the kinds, not the other way

    x, y = source_tile(lua.engine.world, entity)
    return TileRef(entity.surface, x, y)


def _get_fluid_source_fluid(lua: Any, entity: Entity) -> Any:
    return entity.state.fluid


class OffshorePumpKind(FluidBoxKind):
    types: ClassVar[tuple[str, ...]] = ("offshore-pump",)
    scheduled: ClassVar[bool] = True
    rate_based: ClassVar[bool] = True  # its update only reads rates: re-planning twice in a tick is harmless
    methods = {"get_fluid_source_fluid": _get_fluid_source_fluid, "get_fluid_source_tile": _get_fluid_source_tile}

    def attach(self, world: World, entity: Entity) -> None:
        entity.state = OffshorePumpState(attach_boxes(world, entity), _source_fluid(world, entity))
        connect_boxes(world, entity)
        world.wake(entity)

    def moved(self, world: World, entity: Entity) -> None:
        entity.state.fluid = _source_fluid(world, entity)
        super().moved(world, entity)

    def update(self, world: World, entity: Entity, tick: int) -> None:
        state: OffshorePumpState = entity.state
        net = state.boxes[0].network
        fluid = state.fluid
        speed = float(entity.proto.get("pumping_speed", 0))
        temperature = fluid_temperature(world, fluid) if fluid else 15.0
        flow = net.flow(flow_key(entity, 0), entity, +1, tick, temperature)
        flow.cap = speed
        ok = fluid is not None and net.accepts(fluid) and not net.blocked
        flow.max = speed if ok else 0.0
        if ok and net.fluid is None:
            net.fluid = fluid
        net.solve(world, tick)
        if not ok:
            state.status = "no_input_fluid"
        else:
            state.status = "working" if flow.rate >= speed - 1e-9 else "full_output"
        if net.next_event is not None:
            world.schedule(entity, net.next_event)
        else:
            world.sleep(entity)

    def status(self, world: World, entity: Entity) -> str | None:
        state: OffshorePumpState = entity.state
        net = state.boxes[0].network
        if state.status == "working" and net is not None and net.room(world.tick) <= 1e-9:
            return "full_output"  # filled since its last update (which comes on this tick)
        return state.status
