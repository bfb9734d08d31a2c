"""LuaFlowStatistics for items: `force.get_item_production_statistics(surface)`.

Reads come from the force's ItemFlowStatistics for the surface (mechanics/statistics.py), computed from the tick
when read. A game where nothing was produced on a surface has no statistics object there; reading one does not make
it (reads never change the state hash), the first write does.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.api.defines import define_name
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.mechanics.statistics import PRECISIONS, SAMPLES, ItemFlowStatistics, sample_length

__all__ = ["FlowStatisticsRef"]

Flow = api_class("LuaFlowStatistics")
Force = api_class("LuaForce")

_EMPTY = ItemFlowStatistics()  # what a surface without statistics reads as (never written)
_PRECISION_INDEX = {name: i for i, (name, _) in enumerate(PRECISIONS)}


class FlowStatisticsRef:
    lua_class = "LuaFlowStatistics"
    __slots__ = ("oid", "force", "surface")

    def __init__(self, force: Any, surface: Any):
        self.oid = f"item-flow:{force.oid}:{surface.index}"
        self.force = force
        self.surface = surface

    @property
    def valid(self) -> bool:
        return bool(self.force.valid) and bool(getattr(self.surface, "valid", True))

    def read(self) -> ItemFlowStatistics:
        return self.force.item_statistics.get(self.surface.index) or _EMPTY  # type: ignore[return-value]

    def write(self, world: Any) -> ItemFlowStatistics:
        return world.item_statistics(self.force, self.surface)

    def stored(self, world: Any) -> ItemFlowStatistics | None:
        """The statistics `clear` empties (None: nothing recorded yet). Fluids: api/fluidbox.py."""
        return self.force.item_statistics.get(self.surface.index)  # type: ignore[return-value]


@Force.method("get_item_production_statistics")
def _get_item_production_statistics(state, force, surface):
    world = state.engine.world
    found = _args.surface(world, surface, "get_item_production_statistics")
    return FlowStatisticsRef(force, found)


def _id(state, value: Any, method: str, f: Any = None) -> str:
    """FlowStatisticsID (a name, a prototype or {name=, quality=}) -> a prototype name: an item's or fluid's, or for
    electric network statistics (`names_entities`) an entity's."""
    quality = "normal"
    if isinstance(value, dict):
        name, quality = value.get("name"), value.get("quality", "normal")
    else:
        name = value
    name = getattr(name, "name", name)
    if not isinstance(name, str):
        raise ScriptError(f"Invalid argument #1 (id) to '{method}': expected FlowStatisticsID, got {value!r}")
    if getattr(f, "names_entities", False):
        if name not in state.engine.prototypes.entities:
            raise ScriptError(f"Unknown entity name: {name}")
    elif name not in state.engine.prototypes.items and name not in state.engine.prototypes.raw.get("fluid", {}):
        raise ScriptError(f"Unknown item name: {name}")
    if getattr(quality, "name", quality) != "normal":
        raise ScriptError(f"{method}: qualities other than normal are not implemented by this engine yet")
    return name


def _number(value: Any, method: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScriptError(f"Invalid argument #2 (count) to '{method}': expected number, got {value!r}")
    return value


def _storage(f: Any) -> dict[str, float]:
    """The storage side: only electric network statistics have one (accumulator charge)."""
    storage = getattr(f, "storage", None)
    return storage() if storage is not None else {}


Flow.attributes("force")


@Flow.getter("input_counts")
def _input_counts(state, f):
    return dict(f.read().input.totals)


@Flow.getter("output_counts")
def _output_counts(state, f):
    return dict(f.read().output.totals)


@Flow.getter("storage_counts")
def _storage_counts(state, f):
    return _storage(f)


@Flow.method("get_input_count")
def _get_input_count(state, f, id):
    return f.read().input.totals.get(_id(state, id, "get_input_count", f), 0)


@Flow.method("get_output_count")
def _get_output_count(state, f, id):
    return f.read().output.totals.get(_id(state, id, "get_output_count", f), 0)


@Flow.method("get_storage_count")
def _get_storage_count(state, f, id):
    return _storage(f).get(_id(state, id, "get_storage_count", f), 0)


@Flow.method("set_input_count")
def _set_input_count(state, f, id, count):
    name = _id(state, id, "set_input_count", f)
    f.write(state.engine.world).input.set_total(name, _number(count, "set_input_count"))


@Flow.method("set_output_count")
def _set_output_count(state, f, id, count):
    name = _id(state, id, "set_output_count", f)
    f.write(state.engine.world).output.set_total(name, _number(count, "set_output_count"))


@Flow.method("on_flow")
def _on_flow(state, f, id, count):
    """A positive count is produced (input), a negative one consumed (output)."""
    name = _id(state, id, "on_flow", f)
    count = _number(count, "on_flow")
    if count:
        world = state.engine.world
        stats = f.write(world)
        (stats.input if count > 0 else stats.output).add(world.tick, name, abs(count))


@Flow.method("clear")
def _clear(state, f):
    stats = f.stored(state.engine.world)
    if stats is not None:
        stats.clear()


@Flow.method("get_flow_count")
def _get_flow_count(state, f, params):
    if not isinstance(params, dict):
        raise ScriptError("Invalid argument #1 (params) to 'get_flow_count': expected table")
    for key in ("name", "category", "precision_index"):
        if params.get(key) is None:
            raise ScriptError(f"value for required field '{key}' is missing")
    name = _id(state, params["name"], "get_flow_count", f)
    category = params["category"]
    if category not in ("input", "output", "storage"):
        raise ScriptError(f"Invalid category '{category}': expected \"input\", \"output\" or \"storage\"")
    precision_name = define_name("flow_precision_index", params["precision_index"], state.api_version)
    if precision_name is None:
        raise ScriptError(f"Invalid precision_index {params['precision_index']!r}: use defines.flow_precision_index")
    precision = _PRECISION_INDEX[precision_name]
    sample = params.get("sample_index")
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, (int, float))
                               or sample != int(sample) or not 1 <= sample <= SAMPLES):
        raise ScriptError(f"Invalid sample_index {sample!r}: must be between 1 and {SAMPLES}")
    if category == "storage":
        # Only electric networks have a storage side: what accumulators hold now, whatever the window (docs/
        # known-differences.md, "Electric machines").
        return float(_storage(f).get(name, 0.0))
    stats = f.read()
    side = stats.input if category == "input" else stats.output
    # Reads between ticks (and in on_tick) see every tick the game has finished.
    count = side.flow(state.engine.world.tick, name, precision, None if sample is None else int(sample))
    if params.get("count"):
        return float(count)
    # Per minute, as the statistics window shows it: the window (or the one sample) is so many minutes long.
    ticks = sample_length(precision) if sample is not None else PRECISIONS[precision][1]
    return count * 3600.0 / ticks
