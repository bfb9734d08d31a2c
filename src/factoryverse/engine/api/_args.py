"""Reading Factorio-style arguments: positions as {x=,y=} or {1,2}, boxes, item stacks, surfaces by name or index."""

from __future__ import annotations

import math
from typing import Any

from factoryverse.engine.errors import ScriptError

__all__ = ["position", "opt_position", "area", "radius", "item_stack", "position_table", "names", "require_table",
           "surface"]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def position(value: Any, what: str = "position") -> tuple[float, float]:
    if isinstance(value, dict) and "x" in value and "y" in value:
        x, y = value["x"], value["y"]
    elif isinstance(value, (list, tuple)) and len(value) >= 2:
        x, y = value[0], value[1]
    elif hasattr(value, "lua_class") and hasattr(value, "x"):
        x, y = value.x, value.y
    else:
        raise ScriptError(f"Invalid MapPosition for {what}: expected {{x=number, y=number}} or {{number, number}}, got {value!r}")
    if not _is_number(x) or not _is_number(y):
        raise ScriptError(f"Invalid MapPosition for {what}: x and y must be numbers, got {value!r}")
    if not (math.isfinite(x) and math.isfinite(y)):
        # NaN compares false with every bound, so it would slip past the map-size check below.
        raise ScriptError(f"Invalid MapPosition for {what}: x and y must be finite numbers, got ({x}, {y})")
    if abs(x) > 1_000_000 or abs(y) > 1_000_000:
        raise ScriptError(f"MapPosition {what} ({x}, {y}) is outside the map (at most 1,000,000 tiles from the origin)")
    return (float(x), float(y))


def opt_position(value: Any, what: str = "position") -> tuple[float, float] | None:
    return None if value is None else position(value, what)


def area(value: Any, what: str = "area") -> tuple[float, float, float, float]:
    if isinstance(value, dict) and "left_top" in value:
        lt, rb = position(value["left_top"], what), position(value.get("right_bottom"), what)
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        lt, rb = position(value[0], what), position(value[1], what)
    else:
        raise ScriptError(f"Invalid BoundingBox for {what}: expected {{left_top=, right_bottom=}} or {{{{x1,y1}},{{x2,y2}}}}")
    return (lt[0], lt[1], rb[0], rb[1])


def radius(value: Any, what: str = "radius") -> float:
    """A search radius or distance: a finite number, zero or more."""
    if not _is_number(value) or not math.isfinite(value) or value < 0:
        raise ScriptError(f"Invalid {what}: expected a finite number >= 0, got {value!r}")
    return float(value)


def position_table(x: float, y: float) -> dict[str, float]:
    return {"x": x, "y": y}


def item_stack(value: Any) -> tuple[str, int]:
    """ItemStackIdentification: an item name, or {name=, count=}."""
    if isinstance(value, str):
        return (value, 1)
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        count = value.get("count", 1)
        if not isinstance(count, (int, float)) or count < 0:
            raise ScriptError(f"Invalid item count {count!r}")
        return (value["name"], int(count))
    raise ScriptError(f"Invalid ItemStackIdentification: expected an item name or {{name=, count=}}, got {value!r}")


def names(value: Any) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(v) for v in value}
    if isinstance(value, dict) and not value:
        return set()
    raise ScriptError(f"expected a name or an array of names, got {value!r}")


def require_table(value: Any, what: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and not value:
        return {}
    raise ScriptError(f"{what} expects a table of parameters, got {type(value).__name__}")


def surface(world: Any, value: Any, method: str) -> Any:
    """A SurfaceIdentification (name, index or LuaSurface) -> the live surface, or the game's errors."""
    if isinstance(value, str):
        found = world.surfaces.get(value)
    elif _is_number(value):
        found = world.surface_by_index(int(value))
    elif getattr(value, "lua_class", None) == "LuaSurface":
        found = value if value.valid else None
    else:
        raise ScriptError(f"Invalid argument #1 (surface) to '{method}': expected SurfaceIdentification, got {value!r}")
    if found is None:
        raise ScriptError(f"Given surface doesn't exist: {value!r}")
    return found
