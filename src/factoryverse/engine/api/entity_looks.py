"""LuaEntity members about how an entity looks: `color`, `name_tag`, `orientation`, `selection_box`.

What a script sets is kept in `Entity.looks` (world/looks.py); reads fall back to what the prototype and the
entity's direction give.
"""

from __future__ import annotations

import math
from typing import Any

from factoryverse.engine.api.entity import Entity
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds import COLORED_TYPES, VEHICLE_TYPES
from factoryverse.engine.world.geometry import BBox, rotate_box
from factoryverse.engine.world.looks import Looks

__all__ = ["color_of"]


def _looks(e: Any) -> Looks:
    looks = getattr(e, "looks", None)
    if looks is None:
        looks = e.looks = Looks()
    return looks


def _read(e: Any, field: str) -> Any:
    looks = getattr(e, "looks", None)  # a save made before the slot existed has none
    return None if looks is None else getattr(looks, field)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def color_of(value: Any, what: str) -> tuple[float, float, float, float]:
    """A Color as the API takes it ({r, g, b, a} or {r, g, b, a} by position; any value above 1 means the game's
    0-255 scale; a defaults to fully opaque)."""
    if isinstance(value, (list, tuple)):
        value = dict(zip("rgba", value))
    if not isinstance(value, dict) or not all(_number(value.get(k, 0)) for k in "rgba"):
        raise ScriptError(f"Invalid Color for {what}: expected {{r=number, g=number, b=number, a=number}} or "
                          f"{{number, number, number, number}}, got {value!r}")
    rgb = [float(value.get(k, 0)) for k in "rgb"]
    scale = 255.0 if any(v > 1 for v in (*rgb, float(value.get("a", 0)))) else 1.0
    a = float(value.get("a", scale))
    return (rgb[0] / scale, rgb[1] / scale, rgb[2] / scale, a / scale)


def _color_table(c: tuple[float, float, float, float]) -> dict[str, float]:
    return {"r": c[0], "g": c[1], "b": c[2], "a": c[3]}


@Entity.getter("color")
def _color(state, e):
    """The color set by script, else the prototype's own (rolling stock, train stops); nil for an entity that has
    no custom color."""
    if e.type not in COLORED_TYPES:
        return None
    c = _read(e, "color")
    if c is not None:
        return _color_table(c)
    default = e.proto.get("color")
    return None if default is None else _color_table(color_of(default, "the prototype's color"))


@Entity.setter("color")
def _set_color(state, e, value):
    if e.type not in COLORED_TYPES:
        raise ScriptError(f"Entity {e.name} ({e.type}) has no color that can be set.")
    if value is None:
        if getattr(e, "looks", None) is not None:
            e.looks.color = None  # back to the prototype's
        return
    _looks(e).color = color_of(value, "LuaEntity.color")


@Entity.getter("name_tag")
def _name_tag(state, e):
    return _read(e, "name_tag")


@Entity.setter("name_tag")
def _set_name_tag(state, e, value):
    if value is not None and not isinstance(value, str):
        raise ScriptError(f"Invalid name_tag: expected a string or nil, got {value!r}")
    if value is None and getattr(e, "looks", None) is None:
        return
    _looks(e).name_tag = value or None  # an empty tag is no tag


@Entity.getter("orientation")
def _orientation(state, e):
    """A vehicle's smooth orientation; any other entity's direction as a fraction of a turn (16 directions)."""
    smooth = _read(e, "orientation") if e.type in VEHICLE_TYPES else None
    return smooth if smooth is not None else e.direction / 16


@Entity.setter("orientation")
def _set_orientation(state, e, value):
    if e.type not in VEHICLE_TYPES:
        raise ScriptError(f"Entity {e.name} ({e.type}) is not a vehicle: its orientation is its direction.")
    if not _number(value):
        raise ScriptError(f"Invalid RealOrientation: expected a number, got {value!r}")
    _looks(e).orientation = float(value) % 1.0


@Entity.getter("selection_box")
def _selection_box(state, e):
    """The prototype's selection box turned to the entity's direction, around its position."""
    box = e.proto.get("selection_box")
    base = BBox(float(box[0][0]), float(box[0][1]), float(box[1][0]), float(box[1][1])) if box else BBox(0, 0, 0, 0)
    b = rotate_box(base, e.direction)
    return {"left_top": {"x": e.x + b.left, "y": e.y + b.top}, "right_bottom": {"x": e.x + b.right, "y": e.y + b.bottom}}
