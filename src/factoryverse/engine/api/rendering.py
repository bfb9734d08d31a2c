"""LuaRendering (`rendering`) and LuaRenderObject: objects a mod draws, kept as game state; nothing is drawn.

The objects live in the world (`world.rendering`, engine/world/render_objects.py, made on first use), so saves,
forks and the state hash carry them. An object made at tick T with `time_to_live` N is valid through tick T+N-1;
those that expired are dropped from the world at the next rendering call.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api._args import position
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.world.render_objects import TARGETS as _TARGETS
from factoryverse.engine.world.render_objects import RenderObject, rendering_state

__all__ = ["RenderingHandle"]

Rendering = api_class("LuaRendering")
RenderObj = api_class("LuaRenderObject")

_COMMON = {"time_to_live": 0, "blink_interval": 0, "forces": None, "players": None, "visible": True,
           "only_in_alt_mode": False, "render_mode": "game"}
_ON_GROUND = {"draw_on_ground": False}
_ORIENTED = {"orientation": 0, "orientation_target": None, "use_target_orientation": False}
_SCALED = {"x_scale": 1, "y_scale": 1, "render_layer": "arrow", "oriented_offset": {"x": 0, "y": 0}}
# Per type: the properties it has (the documented defaults of the optional ones; None where absent means "unset"),
# and which of them draw_* requires.
_TYPES: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "text": ({"text": None, "target": None, "color": None, "scale": 1, "font": "default", "orientation": 0,
              "alignment": "left", "vertical_alignment": "top", "scale_with_zoom": False, "use_rich_text": False,
              **_ON_GROUND}, ("text", "surface", "target", "color")),
    "line": ({"color": None, "width": None, "gap_length": 0, "dash_length": 0, "dash_offset": 0, "from": None,
              "to": None, **_ON_GROUND}, ("color", "width", "from", "to", "surface")),
    "circle": ({"color": None, "radius": None, "width": 1, "filled": False, "target": None, **_ON_GROUND},
               ("color", "radius", "target", "surface")),
    "rectangle": ({"color": None, "width": 1, "filled": False, "left_top": None, "right_bottom": None, **_ON_GROUND},
                  ("color", "left_top", "right_bottom", "surface")),
    "arc": ({"color": None, "max_radius": None, "min_radius": None, "start_angle": None, "angle": None,
             "target": None, **_ON_GROUND}, ("color", "max_radius", "min_radius", "start_angle", "angle", "target",
                                             "surface")),
    "polygon": ({"color": None, "vertices": None, "target": None, **_ORIENTED, **_ON_GROUND},
                ("color", "vertices", "surface")),
    "sprite": ({"sprite": None, "color": None, "target": None, **_ORIENTED, **_SCALED}, ("sprite", "target", "surface")),
    "light": ({"sprite": None, "orientation": 0, "scale": 1, "intensity": 1, "minimum_darkness": 0, "oriented": False,
               "color": {"r": 1, "g": 1, "b": 1, "a": 1}, "target": None}, ("sprite", "target", "surface")),
    "animation": ({"animation": None, "color": None, "target": None, "animation_speed": 1, "animation_offset": 0,
                   **_ORIENTED, **_SCALED}, ("animation", "target", "surface")),
}
# -- argument shapes ----------------------------------------------------------------------------------------------


def _target(value: Any, what: str) -> dict[str, Any]:
    """ScriptRenderTargetWrite -> ScriptRenderTarget as the game reads it back: {entity, offset} or {position}."""
    if getattr(value, "lua_class", None) == "LuaEntity":
        return {"entity": value, "offset": {"x": 0, "y": 0}}
    if isinstance(value, dict) and ("entity" in value or "position" in value):
        if value.get("entity") is not None:
            x, y = position(value.get("offset") or {"x": 0, "y": 0}, f"{what}.offset")
            return {"entity": value["entity"], "offset": {"x": x, "y": y}}
        x, y = position(value["position"], f"{what}.position")
        return {"position": {"x": x, "y": y}}
    x, y = position(value, what)
    return {"position": {"x": x, "y": y}}


def _color(value: Any) -> dict[str, float]:
    if isinstance(value, (list, tuple)):
        value = dict(zip("rgba", value))
    if not isinstance(value, dict):
        raise ScriptError(f"Invalid Color: expected {{r, g, b, a}} or {{number, number, number, number}}, got {value!r}")
    c = {k: float(value.get(k, 0)) for k in "rgb"}
    scale = 255 if any(v > 1 for v in (*c.values(), value.get("a", 0))) else 1  # the game's 0-255 colors
    c["a"] = float(value.get("a", scale))
    return {k: v / scale for k, v in c.items()}


def _convert(key: str, value: Any, what: str) -> Any:
    if value is None:
        return None
    if key in _TARGETS:
        return _target(value, f"{what}.{key}")
    if key == "vertices":
        return [_target(v, f"{what}.vertices") for v in (value if isinstance(value, list) else [])]
    if key == "color":
        return _color(value)
    if key in ("oriented_offset",):
        x, y = position(value, f"{what}.{key}")
        return {"x": x, "y": y}
    if key in ("forces", "players"):
        items = value if isinstance(value, list) else [value]
        return [getattr(v, "name", v) if key == "forces" else getattr(v, "index", v) for v in items] or None
    if key == "time_to_live" and (not isinstance(value, (int, float)) or value < 0 or int(value) != value):
        raise ScriptError(f"Invalid time_to_live: expected a uint32, got {value!r}")
    return value


# -- LuaRendering -------------------------------------------------------------------------------------------------


class RenderingHandle:
    """`rendering` in every state."""

    lua_class = "LuaRendering"

    def __init__(self, engine: Any):
        self.engine, self.oid, self.valid = engine, "rendering", True


def _mod_name(state: Any) -> str:
    # The level's objects (console, scenario) belong to no mod: "" selects them in get_all_objects and clear.
    name = getattr(state, "name", "level")
    return "" if name == "level" else name


def _draw(type_: str):
    props_of, required = _TYPES[type_]
    what = f"draw_{type_}"

    def draw(state, handle, params):
        from factoryverse.engine.api.game import _surface

        if not isinstance(params, dict):
            raise ScriptError(f"Invalid argument #1 (params) to '{what}': expected table, got {type(params).__name__}")
        if type_ in ("sprite", "animation") and "tint" in params:
            params = {**params, "color": params["tint"]}
        for key in required:
            if params.get(key) is None:
                raise ScriptError(f"value for required field '{key}' is missing")
        world = handle.engine.world
        surface = _surface(handle.engine, params["surface"])
        if surface is None:
            raise ScriptError(f"{what}: unknown surface {params['surface']!r}")
        props = {**_COMMON, **props_of}
        for key in props:
            if params.get(key) is not None:
                props[key] = _convert(key, params[key], what)
        rs = rendering_state(world)
        rs.purge()
        obj = RenderObject(rs, world.oids(), rs.next_id, type_, _mod_name(state), surface.index, props)
        rs.next_id += 1
        rs.set_ttl(obj, int(props["time_to_live"]))
        rs.objects[obj.id] = obj
        return obj

    draw.__name__ = what
    return draw


for _type in _TYPES:
    Rendering.method(f"draw_{_type}")(_draw(_type))


@Rendering.method("get_object_by_id")
def _get_object_by_id(state, handle, object_id):
    rs = rendering_state(handle.engine.world)
    rs.purge()
    return rs.objects.get(object_id)


@Rendering.method("get_all_objects")
def _get_all_objects(state, handle, mod_name=None):
    rs = rendering_state(handle.engine.world)
    rs.purge()
    return [o for o in rs.objects.values() if mod_name is None or o.mod_name == mod_name]


@Rendering.method("clear")
def _clear(state, handle, mod_name=None):
    """Destroys every object, or those of `mod_name` ("": those of no mod), as the docs say."""
    rs = rendering_state(handle.engine.world)
    for rid in [rid for rid, o in rs.objects.items() if mod_name is None or o.mod_name == mod_name]:
        rs.objects.pop(rid).destroyed = True


# -- LuaRenderObject ----------------------------------------------------------------------------------------------


RenderObj.getter("id")(lambda state, obj: obj.id)
RenderObj.getter("type")(lambda state, obj: obj.type)


@RenderObj.getter("surface")
def _surface_of(state, obj):
    return obj.owner.world.surface_by_index(obj.surface)


def _prop(key: str) -> None:
    def read(state, obj):
        if key == "time_to_live":
            return 0 if obj.expires is None else obj.expires - obj.owner.world.tick
        if key not in obj.props:
            raise ScriptError(f"LuaRenderObject::{key} is not available for a {obj.type} object")
        value = obj.props[key]
        if key in ("forces", "players") and value is None:
            return []
        return value

    def write(state, obj, value):
        if key not in obj.props:
            raise ScriptError(f"LuaRenderObject::{key} is not available for a {obj.type} object")
        converted = _convert(key, value, f"LuaRenderObject::{key}")
        if key == "time_to_live":
            obj.owner.set_ttl(obj, int(converted))
        obj.props[key] = converted

    RenderObj.getter(key)(read)
    RenderObj.setter(key)(write)


for _key in sorted({k for props, _ in _TYPES.values() for k in props} | set(_COMMON)):
    _prop(_key)


@RenderObj.method("destroy")
def _destroy(state, obj):
    obj.destroyed = True
    obj.owner.objects.pop(obj.id, None)


@RenderObj.method("bring_to_front")
def _bring_to_front(state, obj):
    objects = obj.owner.objects
    objects[obj.id] = objects.pop(obj.id)


@RenderObj.method("move_to_back")
def _move_to_back(state, obj):
    objects = obj.owner.objects
    rest = {rid: o for rid, o in objects.items() if rid != obj.id}
    objects.clear()
    objects[obj.id] = obj
    objects.update(rest)


@RenderObj.method("set_corners")
def _set_corners(state, obj, left_top, right_bottom):
    if obj.type != "rectangle":
        raise ScriptError(f"LuaRenderObject::set_corners is not available for a {obj.type} object")
    obj.props["left_top"] = _convert("left_top", left_top, "set_corners")
    obj.props["right_bottom"] = _convert("right_bottom", right_bottom, "set_corners")


@RenderObj.method("set_dashes")
def _set_dashes(state, obj, dash_length, gap_length):
    if obj.type != "line":
        raise ScriptError(f"LuaRenderObject::set_dashes is not available for a {obj.type} object")
    obj.props["dash_length"], obj.props["gap_length"] = dash_length, gap_length
