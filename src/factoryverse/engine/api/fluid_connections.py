"""What a fluid box is and what it joins: its prototype, its pipe connections, its filter, its segment's extent, and
its linked connections (a script-made link between `linked` pipe connections, which no base prototype has: an
entity never has one, so the list is empty and registering one is an error naming the id).

2.0 asks `LuaFluidBox` (`entity.fluidbox.get_pipe_connections(i)`, ...); 2.1 asks LuaEntity for the same with the
storage index (`entity.get_fluid_box_pipe_connections(i)`, ...). Both read the boxes of mechanics/fluids.py, whose
"segment" is the network (pool) the box belongs to.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api.fluidbox import FluidBox, FluidBoxRef, _box, _fluid_name
from factoryverse.engine.api.prototypes import _fluidbox_prototypes
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.mechanics.fluids import fluid_system, pipe_connections, set_box_filter

__all__: list[str] = []

Entity = api_class("LuaEntity")


def _prototype(state: Any, e: Any, index: Any, method: str) -> Any:
    box = _box(e, index, method)
    protos = _fluidbox_prototypes(state, state.engine_prototypes.entity(e.name))
    return protos[box.index] if box.index < len(protos) else None


def _connections(state: Any, e: Any, index: Any, method: str, target: Any) -> list[dict[str, Any]]:
    box = _box(e, index, method)
    out = []
    for c in pipe_connections(state.engine.world, e, box.index):
        item = {
            "flow_direction": c["flow_direction"],
            "connection_type": c["connection_type"],
            "position": {"x": c["position"][0], "y": c["position"][1]},
            "target_position": {"x": c["target_position"][0], "y": c["target_position"][1]},
        }
        if "target" in c:
            owner, i = c["target"]
            item["target"] = target(owner)
            item["target_fluidbox_index"] = i + 1
            item["target_pipe_connection_index"] = c["target_connection"] + 1
        out.append(item)
    return out


def _set_filter(state: Any, e: Any, index: Any, spec: Any, method: str) -> bool:
    box = _box(e, index, method)
    if spec is None:
        return set_box_filter(state.engine.world, box, None, False)
    if isinstance(spec, str):  # 2.1's FluidFilterWrite also takes a name
        spec = {"name": spec}
    if not isinstance(spec, dict):
        raise ScriptError(f"Invalid argument #2 (filter) to '{method}': expected a table {{name=, force=}} or nil, "
                          f"got {spec!r}")
    if spec.get("minimum_temperature") is not None or spec.get("maximum_temperature") is not None:
        raise ScriptError(f"'{method}': temperature limits on a filter are not implemented by this engine yet")
    name = _fluid_name(state, spec.get("name"), method)
    return set_box_filter(state.engine.world, box, name, bool(spec.get("force")))


def _extent(state: Any, e: Any, index: Any, method: str) -> Any:
    """The segment's extent: the tiles its owners cover."""
    net = _box(e, index, method).network
    if net is None:
        return None
    left = top = float("inf")
    right = bottom = float("-inf")
    for box in fluid_system(state.engine.world).members.get(net.id, {}).values():
        x0, y0, x1, y1 = box.owner.footprint()
        left, top, right, bottom = min(left, x0), min(top, y0), max(right, x1), max(bottom, y1)
    return {"left_top": {"x": left, "y": top}, "right_bottom": {"x": right, "y": bottom}}


def _no_link(e: Any, link_id: Any, method: str) -> ScriptError:
    return ScriptError(f"'{method}': {e.name} has no linked fluid box connection with id {link_id!r} (no base "
                       "prototype has linked connections)")


# -- 2.0: LuaFluidBox ---------------------------------------------------------------------------------------------


@FluidBox.method("get_prototype", versioned=True)
def _fb_prototype(state, fb, index):
    return _prototype(state, fb.owner, index, "get_prototype")


@FluidBox.method("get_pipe_connections", versioned=True)
def _fb_pipe_connections(state, fb, index):
    return _connections(state, fb.owner, index, "get_pipe_connections", FluidBoxRef)


@FluidBox.method("set_filter", versioned=True)
def _fb_set_filter(state, fb, index, filter=None):
    return _set_filter(state, fb.owner, index, filter, "set_filter")


@FluidBox.method("get_fluid_segment_extent_bounding_box", versioned=True)
def _fb_extent(state, fb, index):
    return _extent(state, fb.owner, index, "get_fluid_segment_extent_bounding_box")


@FluidBox.method("get_linked_connections", versioned=True)
def _fb_links(state, fb):
    return []


@FluidBox.method("get_linked_connection", versioned=True)
def _fb_link(state, fb, this_linked_connection_id):
    return None


@FluidBox.method("add_linked_connection", versioned=True)
def _fb_add_link(state, fb, this_linked_connection_id, other_entity, other_linked_connection_id):
    raise _no_link(fb.owner, this_linked_connection_id, "add_linked_connection")


@FluidBox.method("remove_linked_connection", versioned=True)
def _fb_remove_link(state, fb, this_linked_connection_id):
    return None  # there is no record to remove


# -- 2.1: LuaEntity's per-storage members ---------------------------------------------------------------------------


@Entity.method("get_fluid_box_prototype", versioned=True)
def _e_prototype(state, e, index):
    return _prototype(state, e, index, "get_fluid_box_prototype")


@Entity.method("get_fluid_box_pipe_connections", versioned=True)
def _e_pipe_connections(state, e, index):
    return _connections(state, e, index, "get_fluid_box_pipe_connections", lambda owner: owner)


@Entity.method("set_fluid_filter", versioned=True)
def _e_set_filter(state, e, index, filter=None):
    return _set_filter(state, e, index, filter, "set_fluid_filter")


@Entity.method("get_fluid_segment_extent_bounding_box", versioned=True)
def _e_extent(state, e, index):
    return _extent(state, e, index, "get_fluid_segment_extent_bounding_box")


@Entity.method("get_fluid_box_linked_connections", versioned=True)
def _e_links(state, e):
    return []


@Entity.method("get_fluid_box_linked_connection", versioned=True)
def _e_link(state, e, this_linked_connection_id):
    return None


@Entity.method("add_fluid_box_linked_connection", versioned=True)
def _e_add_link(state, e, this_linked_connection_id, other_entity, other_linked_connection_id):
    raise _no_link(e, this_linked_connection_id, "add_fluid_box_linked_connection")


@Entity.method("remove_fluid_box_linked_connection", versioned=True)
def _e_remove_link(state, e, this_linked_connection_id):
    return None  # there is no record to remove
