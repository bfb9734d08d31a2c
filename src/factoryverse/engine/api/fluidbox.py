"""The fluid members of LuaEntity that Factorio 2.0 and 2.1 both have, and `LuaForce.get_fluid_production_statistics`.

An entity's fluid storages are its fluid boxes, numbered from 1 as the prototype lists them (mechanics/fluids.py);
each holds its share, by volume, of its network's pool. An entity without fluid boxes has 0 storages: it takes no
fluid and holds none. 2.0's `LuaFluidBox` (`entity.fluidbox`) and 2.1's per-storage members on LuaEntity are
version-only members, which the engine's registry does not serve yet (docs/known-differences.md).
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.api.flow_statistics import FlowStatisticsRef
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.mechanics.fluid_network import EPS
from factoryverse.engine.mechanics.fluid_statistics import fluid_statistics, fluid_statistics_now
from factoryverse.engine.mechanics.fluids import (
    box_amount, boxes_of, fluid_contents, fluid_temperature, insert_fluid, remove_fluid,
)

__all__ = ["FluidFlowStatisticsRef"]

Entity = api_class("LuaEntity")
Force = api_class("LuaForce")


def _fluid_name(state: Any, value: Any, method: str) -> str:
    name = getattr(value, "name", value)
    if not isinstance(name, str):
        raise ScriptError(f"Invalid fluid name for '{method}': expected a string, got {value!r}")
    if name not in state.engine.prototypes.raw.get("fluid", {}):
        raise ScriptError(f"Unknown fluid name: {name}")
    return name


def _amount(value: Any, method: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ScriptError(f"Invalid fluid amount for '{method}': expected a non-negative number, got {value!r}")
    return float(value)


def _fluid_table(state: Any, value: Any, method: str) -> tuple[str, float, float]:
    if not isinstance(value, dict):
        raise ScriptError(f"Invalid argument to '{method}': expected a Fluid table ({{name=, amount=}}), got {value!r}")
    name = _fluid_name(state, value.get("name"), method)
    amount = _amount(value.get("amount"), method)
    temperature = value.get("temperature")
    if temperature is None:
        temperature = fluid_temperature(state.engine.world, name)
    elif isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
        raise ScriptError(f"Invalid fluid temperature for '{method}': {temperature!r}")
    return name, amount, float(temperature)


def _box(e: Any, index: Any, method: str) -> Any:
    boxes = boxes_of(e) or []
    if isinstance(index, bool) or not isinstance(index, (int, float)) or index != int(index):
        raise ScriptError(f"Invalid fluid storage index for '{method}': {index!r}")
    i = int(index)
    if not 1 <= i <= len(boxes):
        raise ScriptError(f"Fluid storage index {i} out of range: {e.name} has {len(boxes)} fluid storage(s)")
    return boxes[i - 1]


def _fluid_of(state: Any, box: Any) -> Any:
    tick = state.engine.world.tick
    amount = box_amount(box, tick)
    net = box.network
    if net is None or net.fluid is None or amount <= EPS:
        return None
    return {"name": net.fluid, "amount": amount, "temperature": net.temperature}


@Entity.getter("fluids_count")
def _fluids_count(state, e):
    return len(boxes_of(e) or ())


@Entity.method("insert_fluid")
def _insert_fluid(state, e, fluid):
    name, amount, temperature = _fluid_table(state, fluid, "insert_fluid")
    return insert_fluid(state.engine.world, e, name, amount, temperature)


@Entity.method("remove_fluid")
def _remove_fluid(state, e, first, amount=None):
    """2.0: remove_fluid{name=, amount=, ...}; 2.1: remove_fluid(index, amount). Returns the amount removed."""
    world = state.engine.world
    if isinstance(first, dict):
        name = _fluid_name(state, first.get("name"), "remove_fluid")
        return remove_fluid(world, e, name, _amount(first.get("amount"), "remove_fluid"))
    box = _box(e, first, "remove_fluid")
    want = _amount(amount, "remove_fluid")
    net = box.network
    if net is None or net.fluid is None:
        return 0.0
    got = net.take(world.tick, min(want, box_amount(box, world.tick)))
    if got:
        net.solve(world, world.tick)
    return got


@Entity.method("get_fluid_contents")
def _get_fluid_contents(state, e):
    return fluid_contents(e, state.engine.world.tick)


@Entity.method("get_fluid_count")
def _get_fluid_count(state, e, fluid=None):
    contents = fluid_contents(e, state.engine.world.tick)
    if fluid is None:
        return sum(contents.values())
    return contents.get(_fluid_name(state, fluid, "get_fluid_count"), 0.0)


@Entity.method("clear_fluid_inside")
def _clear_fluid_inside(state, e):
    """Empties the entity's boxes and the networks they belong to, as the API says ("and connected segments")."""
    world = state.engine.world
    for box in boxes_of(e) or ():
        net = box.network
        if net is not None and net.fluid is not None:
            net.take(world.tick, net.level(world.tick))
            net.solve(world, world.tick)


@Entity.method("get_fluid")
def _get_fluid(state, e, index):
    return _fluid_of(state, _box(e, index, "get_fluid"))


@Entity.method("set_fluid")
def _set_fluid(state, e, index, fluid=None):
    """The storage holds `fluid` (up to its volume) afterwards, or nothing when `fluid` is nil (2.0)."""
    world = state.engine.world
    box = _box(e, index, "set_fluid")
    net = box.network
    parsed = None if fluid is None else _fluid_table(state, fluid, "set_fluid")
    if parsed is not None:
        name = parsed[0]
        if (box.filter is not None and box.filter != name) or (net.filter is not None and net.filter != name):
            raise ScriptError(f"Can't set {name} into a fluid storage filtered for {box.filter or net.filter}")
        if net.fluid is not None and net.fluid != name and net.level(world.tick) - box_amount(box, world.tick) > EPS:
            raise ScriptError(f"Can't set {name}: the storage's network holds {net.fluid}")
    net.take(world.tick, box_amount(box, world.tick))
    if parsed is not None:
        name, amount, temperature = parsed
        if net.amount <= EPS:
            net.fluid = None
        net.add(world.tick, name, min(amount, box.volume), temperature)
    net.solve(world, world.tick)


# -- fluid production statistics ----------------------------------------------------------------------------


class FluidFlowStatisticsRef(FlowStatisticsRef):
    """`force.get_fluid_production_statistics(surface)`: fluids pumped, boiled and crafted (input) and burnt, boiled
    and used by recipes (output), per fluid name (mechanics/fluids.py records them)."""

    __slots__ = ()

    def __init__(self, force: Any, surface: Any, world: Any):
        super().__init__(force, surface)
        self.oid = f"fluid-flow:{force.oid}:{surface.index}"

    def read(self) -> Any:
        return fluid_statistics_now(_world(self.surface), self.force, self.surface)

    def write(self, world: Any) -> Any:
        return fluid_statistics(world, self.force, self.surface, create=True)

    def stored(self, world: Any) -> Any:
        return fluid_statistics(world, self.force, self.surface)


def _world(surface: Any) -> Any:
    return surface.on_entity_moved.__self__  # every surface's move hook is its world's (kinds/steam_engine.py)


@Force.method("get_fluid_production_statistics")
def _get_fluid_production_statistics(state, force, surface):
    world = state.engine.world
    found = _args.surface(world, surface, "get_fluid_production_statistics")
    return FluidFlowStatisticsRef(force, found, world)


# -- LuaFluidBox (2.0 only) ---------------------------------------------------------------------------------------

FluidBox = api_class("LuaFluidBox", versioned=True)


class FluidBoxRef:
    """`entity.fluidbox` on 2.0: the entity's fluid boxes, indexed from 1."""

    lua_class = "LuaFluidBox"
    __slots__ = ("oid", "owner")

    def __init__(self, owner: Any):
        self.oid = f"fluidbox:{owner.oid}"
        self.owner = owner

    @property
    def valid(self) -> bool:
        return bool(self.owner.valid)


@Entity.getter("fluidbox", versioned=True)
def _fluidbox(state, e):
    return FluidBoxRef(e)


FluidBox.attributes("owner")


@FluidBox.length_operator
def _fluidbox_length(state, fb):
    return len(boxes_of(fb.owner) or ())


@FluidBox.index_operator
def _fluidbox_index(state, fb, index):
    return _fluid_of(state, _box(fb.owner, index, "LuaFluidBox[]"))


@FluidBox.method("get_capacity", versioned=True)
def _get_capacity(state, fb, index):
    return _box(fb.owner, index, "get_capacity").volume


@FluidBox.method("get_connections", versioned=True)
def _get_connections(state, fb, index):
    box = _box(fb.owner, index, "get_connections")
    return [FluidBoxRef(owner) for owner, _ in box.links if owner.valid]


@FluidBox.method("get_fluid_segment_id", versioned=True)
def _get_fluid_segment_id(state, fb, index):
    net = _box(fb.owner, index, "get_fluid_segment_id").network
    return None if net is None else net.id


@FluidBox.method("get_fluid_segment_contents", versioned=True)
def _get_fluid_segment_contents(state, fb, index):
    net = _box(fb.owner, index, "get_fluid_segment_contents").network
    level = 0.0 if net is None else net.level(state.engine.world.tick)
    return {net.fluid: level} if net is not None and net.fluid is not None and level > EPS else {}


@FluidBox.method("get_filter", versioned=True)
def _get_filter(state, fb, index):
    box = _box(fb.owner, index, "get_filter")
    return None if box.filter is None else {"name": box.filter}


@FluidBox.method("get_locked_fluid", versioned=True)
def _get_locked_fluid(state, fb, index):
    box = _box(fb.owner, index, "get_locked_fluid")
    return box.filter  # the only fluid the box takes: its prototype's filter


@FluidBox.method("flush", versioned=True)
def _flush(state, fb, index, fluid=None):
    """Empties the box's network (of `fluid` only, when given); returns what was removed per fluid."""
    world = state.engine.world
    net = _box(fb.owner, index, "flush").network
    if net is None or net.fluid is None:
        return {}
    if fluid is not None and _fluid_name(state, fluid, "flush") != net.fluid:
        return {}
    name = net.fluid
    got = net.take(world.tick, net.level(world.tick))
    net.solve(world, world.tick)
    net.changed(world)
    return {name: got} if got else {}


# -- 2.1's per-storage members of LuaEntity -------------------------------------------------------------------------
# A storage's "segment" is the pool its box belongs to (mechanics/fluids.py). Where the API does not say what a
# method returns, ours returns the amount it moved (add_fluid, add/remove_fluid_segment_fluid) or nothing.


def _segment_fluid(state: Any, net: Any) -> Any:
    tick = state.engine.world.tick
    if net is None or net.fluid is None or net.level(tick) <= EPS:
        return None
    return {"name": net.fluid, "amount": net.level(tick), "temperature": net.temperature}


def _changed(world: Any, net: Any) -> None:
    net.solve(world, world.tick)
    net.changed(world)


@Entity.method("get_fluid_capacity", versioned=True)
def _get_fluid_capacity(state, e, index):
    return _box(e, index, "get_fluid_capacity").volume


@Entity.method("get_fluid_filter", versioned=True)
def _get_fluid_filter(state, e, index):
    box = _box(e, index, "get_fluid_filter")
    return None if box.filter is None else {"name": box.filter}


@Entity.method("add_fluid", versioned=True)
def _add_fluid(state, e, index, fluid):
    world = state.engine.world
    box = _box(e, index, "add_fluid")
    name, amount, temperature = _fluid_table(state, fluid, "add_fluid")
    net = box.network
    if box.filter is not None and box.filter != name:
        return 0.0
    put = net.add(world.tick, name, min(amount, box.volume - box_amount(box, world.tick)), temperature)
    if put:
        _changed(world, net)
    return put


@Entity.method("clear_fluid", versioned=True)
def _clear_fluid(state, e, index):
    world = state.engine.world
    box = _box(e, index, "clear_fluid")
    if box.network.take(world.tick, box_amount(box, world.tick)):
        _changed(world, box.network)


@Entity.method("clear_fluids", versioned=True)
def _clear_fluids(state, e):
    world = state.engine.world
    for box in boxes_of(e) or ():
        if box.network.take(world.tick, box_amount(box, world.tick)):
            _changed(world, box.network)


@Entity.method("extract_fluid", versioned=True)
def _extract_fluid(state, e, params):
    if not isinstance(params, dict):
        raise ScriptError(f"Invalid argument to 'extract_fluid': expected a table, got {params!r}")
    name = _fluid_name(state, params.get("name"), "extract_fluid")
    return remove_fluid(state.engine.world, e, name, _amount(params.get("amount"), "extract_fluid"))


@Entity.method("has_fluid_segment", versioned=True)
def _has_fluid_segment(state, e, index):
    return _box(e, index, "has_fluid_segment").network is not None


@Entity.method("get_fluid_segment_id", versioned=True)
def _entity_segment_id(state, e, index):
    net = _box(e, index, "get_fluid_segment_id").network
    return None if net is None else net.id


@Entity.method("get_fluid_segment_fluid", versioned=True)
def _get_fluid_segment_fluid(state, e, index):
    return _segment_fluid(state, _box(e, index, "get_fluid_segment_fluid").network)


@Entity.method("get_fluid_segment_capacity", versioned=True)
def _get_fluid_segment_capacity(state, e, index):
    return _box(e, index, "get_fluid_segment_capacity").network.capacity


@Entity.method("get_fluid_segment_filter", versioned=True)
def _get_fluid_segment_filter(state, e, index):
    net = _box(e, index, "get_fluid_segment_filter").network
    return None if net.filter is None else {"name": net.filter}


@Entity.method("add_fluid_segment_fluid", versioned=True)
def _add_fluid_segment_fluid(state, e, index, fluid):
    world = state.engine.world
    net = _box(e, index, "add_fluid_segment_fluid").network
    name, amount, temperature = _fluid_table(state, fluid, "add_fluid_segment_fluid")
    put = net.add(world.tick, name, amount, temperature)
    if put:
        _changed(world, net)
    return put


@Entity.method("remove_fluid_segment_fluid", versioned=True)
def _remove_fluid_segment_fluid(state, e, index, amount):
    world = state.engine.world
    net = _box(e, index, "remove_fluid_segment_fluid").network
    got = net.take(world.tick, _amount(amount, "remove_fluid_segment_fluid"))
    if got:
        _changed(world, net)
    return got


@Entity.method("clear_fluid_segment_fluid", versioned=True)
def _clear_fluid_segment_fluid(state, e, index):
    world = state.engine.world
    net = _box(e, index, "clear_fluid_segment_fluid").network
    if net.take(world.tick, net.level(world.tick)):
        _changed(world, net)


@Entity.method("set_fluid_segment_fluid", versioned=True)
def _set_fluid_segment_fluid(state, e, index, fluid):
    world = state.engine.world
    net = _box(e, index, "set_fluid_segment_fluid").network
    name, amount, temperature = _fluid_table(state, fluid, "set_fluid_segment_fluid")
    if net.filter is not None and net.filter != name:
        raise ScriptError(f"Can't set {name} into a fluid segment filtered for {net.filter}")
    net.take(world.tick, net.level(world.tick))
    net.fluid = None
    net.add(world.tick, name, amount, temperature)
    _changed(world, net)


@Entity.method("get_fluid_box_neighbours", versioned=True)
def _get_fluid_box_neighbours(state, e, index):
    box = _box(e, index, "get_fluid_box_neighbours")
    return [owner for owner, _ in box.links if owner.valid]


@Entity.getter("fluidbox_neighbours", versioned=True)
def _fluidbox_neighbours(state, e):
    return [[owner for owner, _ in box.links if owner.valid] for box in boxes_of(e) or ()]
