"""The API of electricity: LuaWireConnector (copper wires of poles), LuaEntity's electric members, a pole's
`electric_network_statistics` (LuaFlowStatistics in joules, with precision windows) and LuaSurface's day-night cycle.

Only members both 2.0 and 2.1 have; the wires and networks themselves live in mechanics/electric_grid.py.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from factoryverse.engine.api.defines import define_value
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.mechanics.electric_grid import PoleState, wire_reach
from factoryverse.engine.mechanics.electric_solver import flows, settle
from factoryverse.engine.mechanics.statistics import ItemFlowStatistics, add_span

__all__ = ["WireConnectorRef", "ElectricStatisticsRef", "GlobalElectricStatisticsRef"]

Entity = api_class("LuaEntity")
Wire = api_class("LuaWireConnector")
Surface = api_class("LuaSurface")

_POLE_COPPER = "pole_copper"


def _is_pole(e: Any) -> bool:
    return isinstance(getattr(e, "state", None), PoleState)


class WireConnectorRef:
    """A pole's copper wire connector (the only connector kind the engine has)."""

    lua_class = "LuaWireConnector"
    __slots__ = ("oid", "entity")

    def __init__(self, entity: Any):
        self.oid = f"wire:{entity.oid}:copper"
        self.entity = entity

    @property
    def valid(self) -> bool:
        return bool(self.entity.valid)


class ElectricStatisticsRef:
    """A pole's network's energy flows in joules per prototype name, with the game's precision windows: input is
    what consumers (and charging accumulators) took, output what producers gave, storage what accumulators hold
    (the sides the game's electric network GUI shows)."""

    lua_class = "LuaFlowStatistics"
    __slots__ = ("oid", "entity")
    names_entities = True  # ids are entity prototype names, not items

    def __init__(self, entity: Any):
        self.oid = f"electric-flow:{entity.oid}"
        self.entity = entity

    @property
    def valid(self) -> bool:
        return bool(self.entity.valid)

    def network(self) -> Any:
        return self.entity.state.network

    def read(self) -> ItemFlowStatistics:
        """The statistics up to now: the recorded flows plus the current solution's since its last event, added to
        a copy (a read never changes the game, nor its state hash)."""
        net = self.network()
        if net is None:
            return ItemFlowStatistics()
        view = copy.deepcopy(net.statistics)
        tick = net.surface.tick_source()
        if tick > net.since:
            consumed, produced = flows(net)
            for name, rate in consumed.items():
                add_span(view.input, name, net.since, tick, rate)
            for name, rate in produced.items():
                add_span(view.output, name, net.since, tick, rate)
        return view

    def storage(self) -> dict[str, float]:
        """Joules the network's accumulators hold now, per prototype name."""
        net = self.network()
        out: dict[str, float] = {}
        if net is None:
            return out
        tick = net.surface.tick_source()
        for acc in net.accumulators.values():
            name = acc.owner.name
            out[name] = out.get(name, 0.0) + acc.energy_at(tick)
        return out

    def write(self, world: Any) -> ItemFlowStatistics:
        net = self.network()
        if net is None:  # a pole always has a network; kept for a pole being destroyed
            raise ScriptError("This electric pole has no electric network")
        # Settle first so a written total is not followed by the open stretch counted from before the write.
        settle(net, max(world.electric.effective(), net.since))
        return net.statistics

    def stored(self, world: Any) -> ItemFlowStatistics | None:
        net = self.network()
        if net is None:
            return None
        settle(net, max(world.electric.effective(), net.since))
        return net.statistics


class GlobalElectricStatisticsRef(ElectricStatisticsRef):
    """`surface.global_electric_network_statistics`: the flows of the surface's global electric network (none
    until `create_global_electric_network`, when it reads as empty)."""

    __slots__ = ("surface", "grid")

    def __init__(self, surface: Any, grid: Any):
        self.oid = f"global-electric-flow:{surface.index}"
        self.entity = None
        self.surface = surface
        self.grid = grid

    @property
    def valid(self) -> bool:
        return bool(getattr(self.surface, "valid", True))

    def network(self) -> Any:
        return self.grid.global_nets.get(self.surface.index)

    def write(self, world: Any) -> ItemFlowStatistics:
        if self.network() is None:
            raise ScriptError("This surface has no global electric network: create_global_electric_network() first")
        return super().write(world)


# -- LuaEntity ----------------------------------------------------------------------------------------------------


@Entity.getter("electric_network_id")
def _electric_network_id(state, e):
    net = state.engine.world.electric.network_of(e)
    return None if net is None else net.id


@Entity.method("is_connected_to_electric_network")
def _is_connected(state, e):
    return state.engine.world.electric.network_of(e) is not None


@Entity.getter("energy_generated_last_tick")
def _energy_generated_last_tick(state, e):
    """Joules a generator (steam engine, solar panel, electric energy interface) gives its network per tick under
    the network's current solution; 0 for anything else."""
    obj = state.engine.world.electric.members.get(e.oid)
    net = getattr(obj, "network", None)
    if net is None:
        return 0.0
    if e.oid in net.solar:
        return net.solar_drawn * obj.solar_peak / net.solar_peak if net.solar_peak else 0.0
    return float(net.drawn.get(e.oid, 0.0))


@Entity.getter("electric_drain")
def _electric_drain(state, e):
    source = e.energy
    return source.drain if getattr(source, "kind", "") == "electric" else None


@Entity.method("get_electric_input_flow_limit")
def _input_flow_limit(state, e, quality=None):
    st = e.state
    return st.input_limit if getattr(st, "is_accumulator", False) else None


@Entity.method("get_electric_output_flow_limit")
def _output_flow_limit(state, e, quality=None):
    st = e.state
    return st.output_limit if getattr(st, "is_accumulator", False) else None


@Entity.setter("energy")
def _set_energy(state, e, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ScriptError(f"LuaEntity::energy: expected a non-negative number, got {value!r}")
    st = e.state
    if not getattr(st, "is_accumulator", False):
        raise ScriptError("LuaEntity::energy can be set only on accumulators in this engine (docs/known-differences.md)")
    grid = state.engine.world.electric
    st.settle(max(grid.effective(), st.since))
    st.stored = min(float(value), st.capacity)
    if st.network is not None:
        grid.changed(st.network)


@Entity.method("get_wire_connector")
def _get_wire_connector(state, e, wire_connector_id, or_create):
    if not _is_pole(e) or wire_connector_id != define_value("wire_connector_id", _POLE_COPPER, state.api_version):
        return None
    return WireConnectorRef(e)


@Entity.method("get_wire_connectors")
def _get_wire_connectors(state, e, or_create):
    if not _is_pole(e):
        return {}
    return {define_value("wire_connector_id", _POLE_COPPER, state.api_version): WireConnectorRef(e)}


@Entity.method("can_wires_reach")
def _can_wires_reach(state, e, entity):
    other = _entity_arg(entity, "can_wires_reach")
    return _is_pole(e) and _is_pole(other) and wire_reach(e, other)


def _entity_arg(value: Any, method: str) -> Any:
    if getattr(value, "lua_class", None) == "LuaWireConnector":
        return value.entity
    if getattr(value, "lua_class", None) != "LuaEntity" or not value.valid:
        raise ScriptError(f"Invalid argument to '{method}': expected a valid LuaEntity or LuaWireConnector")
    return value


# -- LuaWireConnector --------------------------------------------------------------------------------------------


@Wire.getter("owner")
def _owner(state, w):
    return w.entity


@Wire.getter("wire_connector_id")
def _connector_id(state, w):
    return define_value("wire_connector_id", _POLE_COPPER, state.api_version)


@Wire.getter("wire_type")
def _wire_type(state, w):
    return define_value("wire_type", "copper", state.api_version)


@Wire.getter("is_ghost")
def _is_ghost(state, w):
    return False


@Wire.getter("network_id")
def _network_id(state, w):
    net = w.entity.state.network
    return None if net is None else net.id


def _connections(state, w) -> list[dict[str, Any]]:
    origin = define_value("wire_origin", "player", state.api_version)
    return [{"target": WireConnectorRef(p), "origin": origin} for p in w.entity.state.wires.values()]


Wire.getter("connections")(_connections)
Wire.getter("real_connections")(_connections)


@Wire.getter("connection_count")
def _connection_count(state, w):
    return len(w.entity.state.wires)


Wire.getter("real_connection_count")(_connection_count)


def _target(value: Any, method: str) -> Any:
    if getattr(value, "lua_class", None) != "LuaWireConnector":
        raise ScriptError(f"Invalid argument #1 (target) to '{method}': expected LuaWireConnector, got {value!r}")
    if not value.valid:
        raise ScriptError("LuaWireConnector API call when LuaWireConnector was invalid.")
    return value


@Wire.method("connect_to")
def _connect_to(state, w, target, reach_check=None, origin=None):
    """True if a wire was made; false when out of reach (with reach_check, the default), to itself or already
    connected."""
    other = _target(target, "connect_to").entity
    a = w.entity
    if other is a or other.oid in a.state.wires:
        return False
    if (reach_check is None or reach_check) and not wire_reach(a, other):
        return False
    if a.surface is not other.surface:
        return False
    state.engine.world.electric.connect(a, other)
    return True


@Wire.method("disconnect_from")
def _disconnect_from(state, w, target, origin=None):
    other = _target(target, "disconnect_from").entity
    a = w.entity
    if other.oid not in a.state.wires:
        return False
    state.engine.world.electric.disconnect(a, other)
    return True


@Wire.method("disconnect_all")
def _disconnect_all(state, w, origin=None):
    a = w.entity
    others = list(a.state.wires.values())
    for other in others:
        state.engine.world.electric.disconnect(a, other)
    return bool(others)


@Wire.method("is_connected_to")
def _is_connected_to(state, w, target, origin=None):
    return _target(target, "is_connected_to").entity.oid in w.entity.state.wires


@Wire.method("can_wire_reach")
def _can_wire_reach(state, w, other_connector):
    other = _entity_arg(other_connector, "can_wire_reach")
    return _is_pole(other) and wire_reach(w.entity, other)


@Wire.method("have_common_neighbour")
def _have_common_neighbour(state, w, other_connector, ignore_ghost_neighbours=None):
    other = _target(other_connector, "have_common_neighbour").entity
    return any(oid in other.state.wires for oid in w.entity.state.wires)


# -- LuaSurface: the day-night cycle ------------------------------------------------------------------------------


def _day(state, s, change: bool = False):
    return state.engine.world.electric.day(s, change)


def _tick(state) -> int:
    return state.engine.world.electric.effective()


def _fraction(member: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 <= value <= 1):
        raise ScriptError(f"LuaSurface::{member}: expected a number between 0 and 1, got {value!r}")
    return float(value)


@Surface.getter("daytime")
def _daytime(state, s):
    return _day(state, s).daytime(state.engine.world.tick)


@Surface.setter("daytime")
def _set_daytime(state, s, value):
    _day(state, s, True).set_daytime(_tick(state), _fraction("daytime", value))
    state.engine.world.electric.daylight_changed(s)


@Surface.getter("ticks_per_day")
def _ticks_per_day(state, s):
    return _day(state, s).ticks_per_day


@Surface.setter("ticks_per_day")
def _set_ticks_per_day(state, s, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1 or value != int(value):
        raise ScriptError(f"LuaSurface::ticks_per_day: expected a positive whole number, got {value!r}")
    day = _day(state, s, True)
    day.reanchor(_tick(state))
    day.ticks_per_day = int(value)
    state.engine.world.electric.daylight_changed(s)


def _flag(slot: str) -> None:
    @Surface.getter(slot if slot != "frozen" else "freeze_daytime")
    def get(state, s):
        return getattr(_day(state, s), slot)

    @Surface.setter(slot if slot != "frozen" else "freeze_daytime")
    def put(state, s, value):
        if not isinstance(value, bool):
            raise ScriptError(f"LuaSurface::{slot}: expected a boolean, got {value!r}")
        day = _day(state, s, True)
        day.reanchor(_tick(state))
        setattr(day, slot, value)
        state.engine.world.electric.daylight_changed(s)


_flag("always_day")
_flag("frozen")


def _phase(member: str) -> None:
    @Surface.getter(member)
    def get(state, s):
        return getattr(_day(state, s), member)

    @Surface.setter(member)
    def put(state, s, value):
        day = _day(state, s, True)
        v = _fraction(member, value)
        phases = {m: getattr(day, m) for m in ("dusk", "evening", "morning", "dawn")}
        phases[member] = v
        if not (phases["dusk"] <= phases["evening"] <= phases["morning"] <= phases["dawn"]):
            raise ScriptError(f"LuaSurface::{member}: dusk <= evening <= morning <= dawn must hold, got {phases}")
        setattr(day, member, v)
        state.engine.world.electric.daylight_changed(s)


for _m in ("dusk", "evening", "morning", "dawn"):
    _phase(_m)


@Surface.getter("solar_power_multiplier")
def _solar_multiplier(state, s):
    return _day(state, s).solar_multiplier


@Surface.setter("solar_power_multiplier")
def _set_solar_multiplier(state, s, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ScriptError(f"LuaSurface::solar_power_multiplier: expected a non-negative number, got {value!r}")
    _day(state, s, True).solar_multiplier = float(value)
    state.engine.world.electric.daylight_changed(s)


@Surface.method("create_global_electric_network")
def _create_global(state, s):
    state.engine.world.electric.create_global(s)


@Surface.method("destroy_global_electric_network")
def _destroy_global(state, s):
    state.engine.world.electric.destroy_global(s)


@Surface.getter("has_global_electric_network")
def _has_global(state, s):
    return s.index in state.engine.world.electric.global_nets


@Surface.getter("min_brightness")
def _min_brightness(state, s):
    return _day(state, s).min_brightness


@Surface.setter("min_brightness")
def _set_min_brightness(state, s, value):
    _day(state, s, True).min_brightness = _fraction("min_brightness", value)


@Surface.getter("global_electric_network_statistics")
def _global_electric_network_statistics(state, s):
    return GlobalElectricStatisticsRef(s, state.engine.world.electric)
