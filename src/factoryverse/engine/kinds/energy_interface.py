"""Electric energy interfaces: placed with the prototype's production, usage and buffer, which scripts may change.

They feed nothing until electric networks exist (docs/known-differences.md, "Electric machines"); the power issue
connects them. The API reads power in joules per tick, as the game does (`energy_production` "500GW" reads
500e9 / 60).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.prototypes import parse_energy

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["EnergyInterfaceKind", "EnergyInterfaceState"]


class EnergyInterfaceState:
    """Joules per tick produced and used, and the buffer's size in joules."""

    __slots__ = ("production", "usage", "buffer_size")

    def __init__(self, production: float, usage: float, buffer_size: float):
        self.production = production
        self.usage = usage
        self.buffer_size = buffer_size


def _number(member: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ScriptError(f"LuaEntity::{member}: expected a non-negative number, got {value!r}")
    return float(value)


def _setter(member: str, slot: str) -> Any:
    def set_value(lua: Any, entity: Entity, value: Any) -> None:
        setattr(entity.state, slot, _number(member, value))

    return set_value


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
        "power_production": _setter("power_production", "production"),
        "power_usage": _setter("power_usage", "usage"),
        "electric_buffer_size": _setter("electric_buffer_size", "buffer_size"),
    }

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        source = proto.get("energy_source") or {}
        entity.state = EnergyInterfaceState(
            parse_energy(proto.get("energy_production", "0W")) / 60,
            parse_energy(proto.get("energy_usage", "0W")) / 60,
            parse_energy(source.get("buffer_capacity", "0J")),
        )
