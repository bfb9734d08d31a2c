"""The searches behind LuaSurface's find_* methods: entity filters, tile filters and the non-colliding scan.

Plain functions over world objects; `surface.py` registers the Lua-facing methods that call them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from factoryverse.engine.api import _args
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.ghost import GHOST_TYPES, TILE_GHOST, is_ghost
from factoryverse.engine.world._entity_index import EntityIndex
from factoryverse.engine.world.entity import GRID_FREE_TYPES
from factoryverse.engine.world.geometry import BBox
from factoryverse.engine.world.mapgen import CHUNK_SIZE
from factoryverse.engine.world.surface import MARKED

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.surface import Surface
    from factoryverse.engine.world.world import World

__all__ = [
    "MAX_PLACEMENT_CHECKS",
    "direction_arg",
    "find_entities",
    "find_non_colliding_position",
    "find_tiles",
    "layers_arg",
]

# find_non_colliding_position gives up after this many distinct placement checks (a radius of 0 is unbounded in
# the game, and a fine precision over a large radius would otherwise test millions of spots on the game thread).
MAX_PLACEMENT_CHECKS = 20_000
# Raw ring points may snap onto an already-tested spot (grid entities, force_to_tile_center); they are cheap but
# not free, so they are bounded too.
_MAX_CANDIDATES = 20 * MAX_PLACEMENT_CHECKS

# Real EntitySearchFilters keys the engine has no state for yet: refusing them beats answering as if absent.
_UNIMPLEMENTED_ENTITY_FILTERS = ("to_be_upgraded", "is_military_target", "has_item_inside")
# TileSearchFilters keys about state nothing in this engine creates (hidden tiles, tile deconstruction marks):
# `true` matches no tile and `false` every tile, as it would in a game that has none of them.
_ABSENT_TILE_STATE = ("has_hidden_tile", "has_double_hidden_tile", "to_be_deconstructed")
_NO_OP_QUALITY_COMPARATORS = (None, "=", ">=", "≥", "<=", "≤")


def layers_arg(mask: Any) -> frozenset[str] | None:
    """CollisionLayerID, an array of them, or a {layer=true} table (optionally under `layers`)."""
    if mask is None:
        return None
    if isinstance(mask, str):
        return frozenset([mask])
    if isinstance(mask, list):
        return frozenset(str(m) for m in mask)
    if isinstance(mask, dict):
        inner = mask.get("layers", mask)
        if isinstance(inner, dict):
            return frozenset(k for k, v in inner.items() if v)
    raise ScriptError(f"Invalid collision mask {mask!r}: expected a layer name, an array of them or {{layer=true}}")


def direction_arg(value: Any, what: str) -> int:
    """A defines.direction value: an integer 0..15 (north = 0, clockwise in sixteenths)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 15:
        raise ScriptError(f"{what}: direction must be a defines.direction value (an integer 0 to 15), got {value!r}")
    return value


def _limit(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScriptError(f"{what}: limit must be an integer >= 0, got {value!r}")
    return value


def _force_names(value: Any, what: str) -> set[str] | None:
    if value is None:
        return None
    out = set()
    for f in value if isinstance(value, list) else [value]:
        name = f if isinstance(f, str) else getattr(f, "name", None)
        if not isinstance(name, str):
            raise ScriptError(f"{what}: force must be a force, a force name or an array of them, got {f!r}")
        out.add(name)
    return out


def _check_quality(value: Any, what: str) -> None:
    """Every entity here is of normal quality, so only conditions that normal satisfies are accepted (as no-ops)."""
    if value is None:
        return
    quality, comparator = value, None
    if isinstance(value, dict):
        quality, comparator = value.get("quality"), value.get("comparator")
    name = quality if isinstance(quality, str) else getattr(quality, "name", None)
    if name != "normal" or comparator not in _NO_OP_QUALITY_COMPARATORS:
        raise ScriptError(f"{what}: the 'quality' filter is not implemented by this engine yet (only 'normal')")


def _entity_region(p: dict[str, Any]) -> tuple[BBox | None, Callable[[Entity], bool]]:
    # `position` has precedence over `area`, as the API documents.
    if p.get("position") is not None:
        x, y = _args.position(p["position"], "position")
        if p.get("radius") is not None:
            r = _args.radius(p["radius"], "radius")
            return BBox(x - r, y - r, x + r, y + r), lambda e: math.hypot(e.x - x, e.y - y) <= r
        return BBox(x - 0.01, y - 0.01, x + 0.01, y + 0.01), lambda e: e.bbox().contains(x, y)
    if p.get("area") is not None:
        region = BBox(*_args.area(p["area"]))
        left, top, right, bottom = region
        eps = 1e-6

        # BBox.overlaps(e.bbox()) or region.contains(e.x, e.y), inlined: an area search tests every entity of the
        # chunks round the area (a chunk of ore holds a thousand), and building each one's box dominated the search.
        def inside(e: Entity) -> bool:
            x, y, b = e.x, e.y, e.box
            return (
                (x + b.left < right - eps and left < x + b.right - eps and y + b.top < bottom - eps
                 and top < y + b.bottom - eps)
                or (left <= x <= right and top <= y <= bottom)
            )

        return region, inside
    return None, lambda e: True


def find_entities(surface: Surface, p: dict[str, Any], what: str) -> list[Entity]:
    """EntitySearchFilters: the region (position, position+radius, area or everything) and the property filters."""
    for key in _UNIMPLEMENTED_ENTITY_FILTERS:
        if p.get(key) is not None:
            raise ScriptError(f"{what}: the '{key}' filter is not implemented by this engine yet")
    _check_quality(p.get("quality"), what)
    tests: list[Callable[[Entity], bool]] = []
    names = _args.names(p.get("name"))
    if names is not None:
        tests.append(lambda e: e.name in names)
    types = _args.names(p.get("type"))
    if types is not None:
        tests.append(lambda e: e.type in types)
    ghost_names = _args.names(p.get("ghost_name"))
    if ghost_names is not None:
        tests.append(lambda e: is_ghost(e) and e.state.inner_name in ghost_names)
    ghost_types = _args.names(p.get("ghost_type"))
    if ghost_types is not None:
        tests.append(lambda e: is_ghost(e) and e.state.inner_type in ghost_types)
    marked = p.get("to_be_deconstructed")
    if marked is not None:
        if not isinstance(marked, bool):
            raise ScriptError(f"{what}: to_be_deconstructed must be a boolean, got {marked!r}")
        tests.append(lambda e: (e.deconstruction is not None) == marked)
    forces = _force_names(p.get("force"), what)
    if forces is not None:
        tests.append(lambda e: e.force.name in forces)
    mask = layers_arg(p.get("collision_mask"))
    if mask is not None:
        tests.append(lambda e: bool(e.layers & mask))
    if p.get("direction") is not None:
        dv = p["direction"]
        directions = {direction_arg(d, what) for d in (dv if isinstance(dv, list) else [dv])}
        tests.append(lambda e: e.direction in directions)
    invert = bool(p.get("invert"))
    limit = _limit(p.get("limit"), what)
    region, inside = _entity_region(p)
    out: list[Entity] = []
    if limit == 0:
        return out
    # Indexes that hold every entity the filters can match, when they don't invert: the cheapest one is walked.
    options: list[tuple[EntityIndex, list[str]]] = []
    if not invert:
        if names is not None:
            options.append((surface.by_name, sorted(names)))
        if types is not None:
            options.append((surface.by_type, sorted(types)))
        if ghost_names is not None or ghost_types is not None:
            options.append((surface.by_type, list(GHOST_TYPES)))
        if marked is True:
            options.append((surface.by_mark, [MARKED]))
    source = _candidates(surface, options, region)
    for e in source:
        if not e.valid or not inside(e):
            continue
        match = all(t(e) for t in tests)
        # With no property filter at all, `invert` has nothing to invert: the region alone decides.
        if match != invert or (invert and not tests):
            out.append(e)
            if limit is not None and len(out) >= limit:
                break
    return out


def _candidates(surface: Surface, options: list[tuple[EntityIndex, list[str]]], region: BBox | None) -> Iterable[Entity]:
    """What find_entities tests, in the order of a scan of the region (or the surface): the entities of the index
    option holding fewest (names, types, ghosts, marks), else everything there."""
    best = None
    for index, keys in options:
        cost = index.count(keys)
        if best is None or cost < best[0]:
            best = (cost, index, keys)
    if best is not None:
        return surface.entities_with(best[1], best[2], region)
    return surface.entities_near(region) if region is not None else surface.all_entities()


def find_tiles(surface: Surface, p: dict[str, Any], what: str) -> list[tuple[int, int]]:
    """TileSearchFilters over generated chunks only: an area, a position with a radius (both: their overlap), or
    the whole surface. Reading tiles never generates chunks."""
    names = _args.names(p.get("name"))
    layers = layers_arg(p.get("collision_mask"))
    invert = bool(p.get("invert"))
    limit = _limit(p.get("limit"), what)
    forces = _force_names(p.get("force"), what)  # narrows the tile ghost filter (tile marks: none exist)
    absent_state_ok = all(not p.get(key) for key in _ABSENT_TILE_STATE)
    want_ghost = p.get("has_tile_ghost")
    ghost_tiles = None if want_ghost is None else _tile_ghosts(surface, forces)
    bounds = surface.generated_bounds()
    if bounds is None or limit == 0:
        return []
    left, top, right, bottom = bounds
    if p.get("area") is not None:
        l, t, r, b = _args.area(p["area"])
        left, top = max(left, math.floor(l)), max(top, math.floor(t))
        right, bottom = min(right, math.ceil(r)), min(bottom, math.ceil(b))
    circle = None
    if p.get("position") is not None and p.get("radius") is not None:  # a position alone is ignored (docs)
        x, y = _args.position(p["position"], "position")
        r = _args.radius(p["radius"], "radius")
        circle = (x, y, r * r)
        left, top = max(left, math.floor(x - r)), max(top, math.floor(y - r))
        right, bottom = min(right, math.ceil(x + r)), min(bottom, math.ceil(y + r))
    out: list[tuple[int, int]] = []
    for tx, ty, name in surface.generated_tiles(left, top, right, bottom):
        if circle is not None and (tx + 0.5 - circle[0]) ** 2 + (ty + 0.5 - circle[1]) ** 2 > circle[2]:
            continue
        match = absent_state_ok and (names is None or name in names) and (layers is None or bool(surface.tile_layers(name) & layers))
        if ghost_tiles is not None and match:
            match = ((tx, ty) in ghost_tiles) == bool(want_ghost)
        if match != invert:
            out.append((tx, ty))
            if limit is not None and len(out) >= limit:
                break
    return out


def _tile_ghosts(surface: Surface, forces: set[str] | None) -> set[tuple[int, int]]:
    """The tiles holding a tile ghost (of one of `forces`), from the type index: cost is the number of tile ghosts."""
    out = set()
    for e in surface.entities_with(surface.by_type, [TILE_GHOST], None):
        if forces is None or e.force.name in forces:
            out.add((math.floor(e.x), math.floor(e.y)))
    return out


def _ring(k: int, step: float) -> list[tuple[float, float]]:
    """The square ring k steps out from the centre, nearest points first (ties by y, then x)."""
    if k == 0:
        return [(0.0, 0.0)]
    r = k * step
    pts = []
    for i in range(-k, k + 1):
        pts.extend([(i * step, -r), (i * step, r)])
    for i in range(-k + 1, k):
        pts.extend([(-r, i * step), (r, i * step)])
    return sorted(set(pts), key=lambda q: (math.hypot(*q), q[1], q[0]))


def find_non_colliding_position(
    world: World,
    surface: Surface,
    proto: dict[str, Any],
    center: tuple[float, float],
    radius: float,
    precision: float,
    force_to_tile_center: bool,
) -> tuple[float, float] | None:
    """The nearest spot within `radius` (0: anywhere on generated land) where `proto` can be placed.

    Rings `precision` apart are scanned outwards; each placement spot (after grid snapping) is checked once, and
    only on generated chunks. Past MAX_PLACEMENT_CHECKS checks (about two seconds of work) the search raises
    instead of stalling the game.
    """
    cx, cy = center
    step = max(precision, 0.01)  # the API's documented minimum
    if force_to_tile_center or _snaps_to_grid(proto):
        # Spots are whole or half tiles apart here: finer steps would only revisit the same spots, by the million.
        step = max(step, 0.5)
    if radius > 0:
        limit = radius
    else:
        bounds = surface.generated_bounds()
        if bounds is None:
            return None
        left, top, right, bottom = bounds
        limit = max(cx - left, right - cx, cy - top, bottom - cy)
    tested: set[tuple[float, float]] = set()
    candidates = 0
    k = 0
    while k * step <= limit + 1e-9:
        for dx, dy in _ring(k, step):
            candidates += 1
            if candidates > _MAX_CANDIDATES:
                _give_up(proto, len(tested), step)
            if radius > 0 and math.hypot(dx, dy) > radius + 1e-9:
                continue
            x, y = cx + dx, cy + dy
            if force_to_tile_center:
                x, y = math.floor(x) + 0.5, math.floor(y) + 0.5
            spot = world.placement_position(proto, x, y, 0)
            if spot in tested:
                continue
            if not surface.is_chunk_generated(math.floor(spot[0]) // CHUNK_SIZE, math.floor(spot[1]) // CHUNK_SIZE):
                continue
            if len(tested) >= MAX_PLACEMENT_CHECKS:
                _give_up(proto, len(tested), step)
            tested.add(spot)
            if world.check_placement(surface, proto, x, y).ok:
                return (x, y)
        k += 1
    return None


def _snaps_to_grid(proto: dict[str, Any]) -> bool:
    return proto["type"] not in GRID_FREE_TYPES and "placeable-off-grid" not in (proto.get("flags") or ())


def _give_up(proto: dict[str, Any], checks: int, step: float) -> None:
    raise ScriptError(
        f"find_non_colliding_position: searched {checks} positions for '{proto['name']}' (precision {step}) "
        f"without finding room; use a larger precision or smaller radius"
    )
