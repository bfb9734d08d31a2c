"""Electric energy interfaces: a producer of `energy_production` and a load of `energy_usage` on their network, at
their energy source's `usage_priority` (the base game's: "tertiary", after solar panels and steam engines), both
changeable by scripts. The API reads power in joules per tick, as the game does (`energy_production` "500GW"
reads 500e9 / 60). Their buffer is not modelled: production goes to the network as it is made
(docs/known-differences.md, "Electric energy interfaces").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.mechanics.electric_network import add_producer, producer_changed, remove_producer
from factoryverse.engine.prototypes import parse_energy

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["EnergyInterfaceKind", "EnergyInterfaceState"]


class EnergyInterfaceState:
    """Joules per tick produced and used, and the buffer's size in joules; a producer (mechanics/electric_network.py)
    whose usage is a load the network always carries."""

    __slots__ = ("owner", "priority", "network", "production", "usage", "buffer_size")
    notify_drawn = False

    def __init__(self, owner: Entity, priority: str, production: float, usage: float, buffer_size: float):
        self.owner = owner
        self.priority = priority
        self.network: Any = None
        self.production = production
        self.usage = usage
        self.buffer_size = buffer_size

    @property
    def fixed_load(self) -> float:
        return self.usage

    def max_power(self, tick: int) -> float:
        return self.production

    def on_drawn(self, tick: int, power: float) -> None:
        pass


def _number(member: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ScriptError(f"LuaEntity::{member}: expected a non-negative number, got {value!r}")
    return float(value)


def _set_production(lua: Any, entity: Entity, value: Any) -> None:
    entity.state.production = _number("power_production", value)
    producer_changed(lua.engine.world, entity.state)


def _set_usage(lua: Any, entity: Entity, value: Any) -> None:
    world = lua.engine.world
    usage = _number("power_usage", value)
    state = entity.state
    if state.network is not None:
        # The load is aggregated in the network: take the old one out and put the new one in.
        grid = world.electric
        net = state.network
        grid._detach(state)
        state.usage = usage
        grid._attach(state, net)
        grid.commit()
    else:
        state.usage = usage


def _set_buffer(lua: Any, entity: Entity, value: Any) -> None:
    entity.state.buffer_size = _number("electric_buffer_size", value)


def _getter(slot: str) -> Any:
    def get_value(lua: Any, entity: Entity) -> float:
        return getattr(entity.state, slot)

    return get_value


class EnergyInterfaceKind(Kind):
    types: ClassVar[tuple[str, ...]] = ("electric-energy-interface",)
    getters = {
        "power_production": _getter("production"),
        "power_usage": _getter("usage"),
        "electric_buffer_size": _getter("buffer_size"),
    }
    setters = {
        "power_production": _set_production,
        "power_usage": _set_usage,
        "electric_buffer_size": _set_buffer,
    }

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        source = proto.get("energy_source") or {}
        entity.state = EnergyInterfaceState(
            entity,
            source.get("usage_priority", "tertiary"),
            parse_energy(proto.get("energy_production", "0W")) / 60,
            parse_energy(proto.get("energy_usage", "0W")) / 60,
            parse_energy(source.get("buffer_capacity", "0J")),
        )
        add_producer(world, entity.state)

    def destroyed(self, world: World, entity: Entity) -> None:
        remove_producer(world, entity.state)
        super().destroyed(world, entity)
