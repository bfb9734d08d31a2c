"""Steam engines (prototype type `generator`): electric producers burning up to `fluid_usage_per_tick` steam.

A unit of steam gives (its temperature, capped at `maximum_temperature`, minus the fluid's `default_temperature`)
x `heat_capacity` x `effectivity` joules: 150 x 200 J for 165 degree steam, so 0.5 units per tick make 900 kW. The
engine is a producer of mechanics/electric_network.py: it offers `max_power` (all it could burn, or its share of
the steam flowing into an empty network) and burns exactly what the network draws (`on_drawn`), from the tick the
network says. It is updated only when what it draws or what its steam network holds changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.fluid_box_kind import FluidBoxKind
from factoryverse.engine.mechanics.fluid_network import EPS, replan
from factoryverse.engine.mechanics.fluids import (
    FluidBox, attach_boxes, connect_boxes, flow_key, heat_capacity,
)

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["SteamEngineKind", "SteamEngineState", "SteamEngineProducer", "world_of"]


def world_of(entity: Entity) -> Any:
    """The world an entity lives in. A producer is called back by its electric network with the tick only, and its
    state (saved and hashed with the entity) cannot hold the world; every surface is told about moves by its world
    (`Surface.on_entity_moved`, a method of the world), which names it."""
    return entity.surface.on_entity_moved.__self__


class SteamEngineState:
    """Its steam box and status (the producer side is `entity.energy`, a `SteamEngineProducer`)."""

    __slots__ = ("boxes", "status")

    def __init__(self, boxes: list[FluidBox]):
        self.boxes = boxes
        self.status = "no_input_fluid"


class SteamEngineProducer:
    """The engine as mechanics/electric_network.py's producer protocol has it: `owner`, `priority`, `network`, what
    the network draws now (`power`, joules per tick) and the `max_power` it offered last. It is the entity's energy
    source (`entity.energy`), not its state: the network points back at it, and the state hash walks states."""

    __slots__ = ("owner", "priority", "network", "boxes", "power", "offered")
    kind = "electric"
    drain = 0.0  # `LuaEntity.electric_drain`: a generator draws nothing while idle

    def __init__(self, owner: Entity, boxes: list[FluidBox]):
        self.owner = owner
        self.priority = (owner.proto.get("energy_source") or {}).get("usage_priority", "secondary-output")
        self.network: Any = None
        self.boxes = boxes
        self.power = 0.0
        self.offered = 0.0

    def energy(self, tick: int) -> float:
        """`LuaEntity.energy`: the engine's buffer holds the tick's output the network takes."""
        return self.power

    def invalidate(self) -> None:
        self.network = None

    def _joules_per_unit(self, world: Any) -> float:
        proto = self.owner.proto
        net = self.boxes[0].network
        fluid = net.fluid if net is not None else None
        if fluid is None or (self.boxes[0].filter is not None and fluid != self.boxes[0].filter):
            return 0.0
        fproto = world.protos.raw.get("fluid", {}).get(fluid) or {}
        temperature = min(net.temperature, float(proto.get("maximum_temperature", net.temperature)))
        rise = temperature - float(fproto.get("default_temperature", 15))
        return max(0.0, rise) * heat_capacity(world, fluid) * float(proto.get("effectivity", 1))

    def max_power(self, tick: int) -> float:
        """All it could burn (joules per tick), or its share of the steam flowing into an empty network."""
        world = world_of(self.owner)
        net = self.boxes[0].network
        per_unit = self._joules_per_unit(world)
        if net is None or net.blocked or per_unit <= 0:
            return 0.0
        usage = float(self.owner.proto.get("fluid_usage_per_tick", 0))
        if net.level(tick) > EPS:
            return usage * per_unit
        inflow = sum(f.max for f in net.flows.values() if f.sign > 0)
        caps = sum(f.cap for f in net.flows.values() if f.sign < 0) or usage
        return min(usage, inflow * usage / caps) * per_unit

    def on_drawn(self, tick: int, power: float) -> None:
        """The electric network takes `power` joules per tick from `tick` on: the engine's next update (at `tick`)
        burns the steam for it."""
        self.power = float(power)
        replan(world_of(self.owner), self.owner)


def _electric(world: World) -> Any:
    return world.__dict__.get("electric")


class SteamEngineKind(FluidBoxKind):
    types: ClassVar[tuple[str, ...]] = ("generator",)
    scheduled: ClassVar[bool] = True
    rate_based: ClassVar[bool] = True  # its update only reads rates: re-planning twice in a tick is harmless

    def attach(self, world: World, entity: Entity) -> None:
        boxes = attach_boxes(world, entity)
        entity.state = SteamEngineState(boxes)
        entity.energy = SteamEngineProducer(entity, boxes)  # type: ignore[assignment]
        connect_boxes(world, entity)
        if _electric(world) is not None:
            from factoryverse.engine.mechanics.electric_network import add_producer

            add_producer(world, entity.energy)
        world.wake(entity)

    def destroyed(self, world: World, entity: Entity) -> None:
        if _electric(world) is not None:
            from factoryverse.engine.mechanics.electric_network import remove_producer

            remove_producer(world, entity.energy)
        super().destroyed(world, entity)

    def update(self, world: World, entity: Entity, tick: int) -> None:
        state: SteamEngineState = entity.state
        producer: SteamEngineProducer = entity.energy  # type: ignore[assignment]
        net = state.boxes[0].network
        usage = float(entity.proto.get("fluid_usage_per_tick", 0))
        flow = net.flow(flow_key(entity, 0), entity, -1, tick)
        flow.cap = usage
        per_unit = producer._joules_per_unit(world)
        flow.max = min(usage, producer.power / per_unit) if per_unit > 0 else 0.0
        net.solve(world, tick)
        offered = producer.max_power(tick)
        if abs(offered - producer.offered) > EPS:
            producer.offered = offered
            if _electric(world) is not None:
                from factoryverse.engine.mechanics.electric_network import producer_changed

                producer_changed(world, producer)
        if flow.rate > EPS:
            state.status = "working"
        elif offered > EPS:
            state.status = "working" if producer.network is not None else "not_plugged_in_electric_network"
        else:
            state.status = "no_input_fluid"
        if net.next_event is not None:
            world.schedule(entity, net.next_event)
        else:
            world.sleep(entity)

    def status(self, world: World, entity: Entity) -> str | None:
        return entity.state.status
