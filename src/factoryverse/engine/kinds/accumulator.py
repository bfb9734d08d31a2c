"""Accumulators: a buffer of `buffer_capacity` charged from what other producers could give beyond the demand (up to
`input_flow_limit`) and discharged, last, for what they cannot give (up to `output_flow_limit`).

The charge is linear between network solutions; the solver (mechanics/electric_solver.py) computes the tick it
fills or empties and solves the network again then.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.mechanics.electric_network import add_producer, remove_producer
from factoryverse.engine.mechanics.energy import EnergySource
from factoryverse.engine.prototypes import parse_energy

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["AccumulatorKind", "AccumulatorState"]


class AccumulatorState(EnergySource):
    """`stored` joules at tick `since`, changing `flow` joules per tick (positive: charging) from then on. Also the
    entity's energy source, for `LuaEntity.energy`."""

    __slots__ = ("priority", "network", "stored", "since", "flow", "capacity", "input_limit", "output_limit")
    is_accumulator = True
    notify_drawn = False

    def __init__(self, owner: Entity, capacity: float, input_limit: float, output_limit: float):
        super().__init__(owner, 0.0)
        self.priority = "tertiary"
        self.network: Any = None
        self.stored = 0.0
        self.since = 0
        self.flow = 0.0
        self.capacity = capacity
        self.input_limit = input_limit  # joules per tick
        self.output_limit = output_limit

    def _eps(self) -> float:
        return self.capacity * 1e-9 + 1e-6

    def energy_at(self, tick: int) -> float:
        e = self.stored + self.flow * (tick - self.since) if self.flow and tick > self.since else self.stored
        if e >= self.capacity - self._eps():
            return self.capacity
        return max(0.0, e) if e > self._eps() else 0.0

    def settle(self, tick: int) -> None:
        self.stored = self.energy_at(tick)
        self.since = tick

    def set_flow(self, tick: int, flow: float) -> None:
        self.settle(max(tick, self.since))
        self.flow = flow

    def input_room(self) -> float:
        return self.input_limit if self.stored < self.capacity else 0.0

    def output_room(self) -> float:
        return self.output_limit if self.stored > 0 else 0.0

    def end_tick(self, tick: int) -> int | None:
        """The tick the buffer is full (charging) or empty (discharging) at the current flow."""
        if self.flow > 0:
            left = (self.capacity - self.stored) / self.flow
        elif self.flow < 0:
            left = self.stored / -self.flow
        else:
            return None
        return tick + max(1, math.ceil(left - 1e-9))

    def energy(self, tick: int) -> float:
        return self.energy_at(tick)

    def max_power(self, tick: int) -> float:
        return self.output_room()

    def on_drawn(self, tick: int, power: float) -> None:
        pass


class AccumulatorKind(Kind):
    types: ClassVar[tuple[str, ...]] = ("accumulator",)

    def attach(self, world: World, entity: Entity) -> None:
        spec = entity.proto.get("energy_source") or {}
        entity.state = AccumulatorState(
            entity,
            parse_energy(spec.get("buffer_capacity", "0J")),
            parse_energy(spec.get("input_flow_limit", "0W")) / 60.0,
            parse_energy(spec.get("output_flow_limit", "0W")) / 60.0,
        )
        entity.state.since = world.electric.effective()
        entity.energy = entity.state
        add_producer(world, entity.state)

    def destroyed(self, world: World, entity: Entity) -> None:
        remove_producer(world, entity.state)
        super().destroyed(world, entity)


def _buffer_size(lua: Any, entity: Entity) -> float:
    return entity.state.capacity


def _set_buffer_size(lua: Any, entity: Entity, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ScriptError(f"LuaEntity::electric_buffer_size: expected a non-negative number, got {value!r}")
    world = lua.engine.world
    state: AccumulatorState = entity.state
    state.settle(max(world.electric.effective(), state.since))
    state.capacity = float(value)
    state.stored = min(state.stored, state.capacity)
    if state.network is not None:
        world.electric.changed(state.network)


AccumulatorKind.getters = {"electric_buffer_size": _buffer_size}
AccumulatorKind.setters = {"electric_buffer_size": _set_buffer_size}
