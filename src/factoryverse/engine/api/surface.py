"""LuaSurface, LuaTile and LuaForce."""

from __future__ import annotations

import math
from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.world.geometry import BBox
from factoryverse.engine.world.mapgen import CHUNK_SIZE

__all__ = ["TileRef"]

Surface = api_class("LuaSurface")
Tile = api_class("LuaTile")
Force = api_class("LuaForce")

Surface.attributes("name", "index")
Tile.attributes("surface")
Force.attributes("name", "index", "share_chart")


class TileRef:
    lua_class = "LuaTile"
    __slots__ = ("oid", "surface", "x", "y", "valid")

    def __init__(self, surface: Any, x: int, y: int):
        # Tiles are values, not objects: the same position gives an equal LuaTile.
        self.oid = f"tile:{surface.index}:{x}:{y}"
        self.surface, self.x, self.y, self.valid = surface, x, y, True


def _world(state):
    return state.engine.world


def _force(state, value, default="player"):
    world = _world(state)
    if value is None:
        return world.forces[default]
    name = value if isinstance(value, str) else getattr(value, "name", None)
    force = world.forces.get(name)
    if force is None:
        raise ScriptError(f"Unknown force: {value!r}")
    return force


# -- LuaSurface -----------------------------------------------------------------------------------------------


@Surface.method("get_tile")
def _get_tile(state, s, x, y=None):
    if y is None:
        x, y = _args.position(x, "get_tile")
    return TileRef(s, math.floor(x), math.floor(y))


@Surface.method("can_place_entity")
def _can_place_entity(state, s, params):
    p = _args.require_table(params, "can_place_entity")
    world = _world(state)
    proto = world.entity_proto(p.get("name"))
    x, y = _args.position(p.get("position"), "can_place_entity.position")
    return world.check_placement(s, proto, x, y, int(p.get("direction") or 0)).ok


@Surface.method("create_entity")
def _create_entity(state, s, params):
    p = _args.require_table(params, "create_entity")
    engine = state.engine
    world = engine.world
    name = p.get("name")
    if not isinstance(name, str):
        raise ScriptError("create_entity: 'name' must be an entity prototype name")
    proto = world.entity_proto(name)
    x, y = _args.position(p.get("position"), "create_entity.position")
    direction = int(p.get("direction") or 0)
    force = _force(state, p.get("force"), "neutral" if proto["type"] in ("resource", "tree", "simple-entity") else "player")
    stack = None
    if proto["type"] == "item-entity":
        # An item on the ground is its stack: the game requires `stack` for this type.
        if p.get("stack") is None:
            raise ScriptError(f"create_entity: '{name}' needs a 'stack' (an item name or {{name=, count=}})")
        stack = _args.item_stack(p["stack"])
        if stack[0] not in engine.prototypes.items or stack[1] < 1:
            raise ScriptError(f"create_entity: invalid stack {p['stack']!r} (unknown item or count below 1)")
    # Like the game, create_entity places without a collision check; callers ask can_place_entity first.
    entity = world.create_entity(s, name, x, y, direction=direction, force=force, amount=p.get("amount"))
    if entity is None:
        return None
    if stack is not None:
        from factoryverse.engine.world.inventory import Stack

        entity.stack = Stack(stack[0], stack[1])
    if proto["type"] == "character":
        engine.world.walkers.pop(entity.oid, None)
    if p.get("raise_built"):
        engine.events.raise_event("script_raised_built", {"entity": entity})
    return entity


@Surface.method("find_entity")
def _find_entity(state, s, name, position):
    x, y = _args.position(position, "find_entity")
    for e in s.entities_near(BBox(x - 0.01, y - 0.01, x + 0.01, y + 0.01)):
        if e.valid and e.name == name and (e.bbox().contains(x, y) or (abs(e.x - x) < 1e-6 and abs(e.y - y) < 1e-6)):
            return e
    return None


def _filter(state, s, p: dict[str, Any]):
    names = _args.names(p.get("name"))
    types = _args.names(p.get("type"))
    forces = None
    if p.get("force") is not None:
        fv = p["force"]
        forces = {(f if isinstance(f, str) else f.name) for f in (fv if isinstance(fv, list) else [fv])}
    invert = bool(p.get("invert"))
    limit = p.get("limit")
    if p.get("area") is not None:
        l, t, r, b = _args.area(p["area"])
        region = BBox(l, t, r, b)

        def inside(e):
            return e.bbox().overlaps(region) or region.contains(e.x, e.y)
    elif p.get("position") is not None:
        x, y = _args.position(p["position"])
        radius = p.get("radius")
        if radius is not None:
            region = BBox(x - radius, y - radius, x + radius, y + radius)

            def inside(e):
                return math.hypot(e.x - x, e.y - y) <= radius
        else:
            region = BBox(x - 0.01, y - 0.01, x + 0.01, y + 0.01)

            def inside(e):
                return e.bbox().contains(x, y)
    else:
        region = None

        def inside(e):
            return True
    source = s.entities_near(region) if region is not None else s.all_entities()
    out = []
    for e in source:
        if not e.valid or not inside(e):
            continue
        match = (names is None or e.name in names) and (types is None or e.type in types) and (forces is None or e.force.name in forces)
        if match != invert or (invert and names is None and types is None and forces is None):
            out.append(e)
            if limit is not None and len(out) >= limit:
                break
    return out


@Surface.method("find_entities_filtered")
def _find_entities_filtered(state, s, params=None):
    return _filter(state, s, _args.require_table(params or {}, "find_entities_filtered"))


@Surface.method("count_entities_filtered")
def _count_entities_filtered(state, s, params=None):
    return len(_filter(state, s, _args.require_table(params or {}, "count_entities_filtered")))


@Surface.method("find_tiles_filtered")
def _find_tiles_filtered(state, s, params=None):
    p = _args.require_table(params or {}, "find_tiles_filtered")
    names = _args.names(p.get("name"))
    layers = _layers(p.get("collision_mask"))
    invert = bool(p.get("invert"))
    if p.get("area") is None:
        raise ScriptError("find_tiles_filtered: this engine needs an 'area'")
    l, t, r, b = _args.area(p["area"])
    limit = p.get("limit")
    out = []
    for ty in range(math.floor(t), math.ceil(b)):
        for tx in range(math.floor(l), math.ceil(r)):
            name = s.tile_name(tx, ty)
            match = (names is None or name in names) and (layers is None or bool(s.tile_layers(name) & layers))
            if match != invert:
                out.append(TileRef(s, tx, ty))
                if limit is not None and len(out) >= limit:
                    return out
    return out


def _layers(mask) -> frozenset[str] | None:
    """CollisionLayerID, an array of them, or a {layer=true} table."""
    if mask is None:
        return None
    if isinstance(mask, str):
        return frozenset([mask])
    if isinstance(mask, list):
        return frozenset(str(m) for m in mask)
    if isinstance(mask, dict):
        inner = mask.get("layers", mask)
        return frozenset(k for k, v in inner.items() if v)
    raise ScriptError(f"Invalid collision mask {mask!r}")


@Surface.method("find_non_colliding_position")
def _find_non_colliding_position(state, s, name, center, radius, precision, force_to_tile_center=False):
    world = _world(state)
    proto = world.entity_proto(name)
    cx, cy = _args.position(center, "find_non_colliding_position")
    step = max(float(precision or 1), 0.01)
    limit = float(radius) if radius else 100.0
    r = 0.0
    while r <= limit + 1e-9:
        ring = [(0.0, 0.0)] if r == 0 else _ring(r, step)
        for dx, dy in ring:
            x, y = cx + dx, cy + dy
            if force_to_tile_center:
                x, y = math.floor(x) + 0.5, math.floor(y) + 0.5
            if world.check_placement(s, proto, x, y).ok:
                return {"x": x, "y": y}
        r += step
    return None


def _ring(r: float, step: float) -> list[tuple[float, float]]:
    n = max(1, round(r / step))
    pts = []
    for i in range(-n, n + 1):
        pts.extend([(i * step, -r), (i * step, r)])
    for i in range(-n + 1, n):
        pts.extend([(-r, i * step), (r, i * step)])
    return sorted(set(pts), key=lambda p: (math.hypot(*p), p[1], p[0]))


@Surface.method("request_path")
def _request_path(state, s, params):
    p = _args.require_table(params, "request_path")
    start = _args.position(p.get("start"), "request_path.start")
    goal = _args.position(p.get("goal"), "request_path.goal")
    mask = p.get("collision_mask")
    if isinstance(mask, dict) and "layers" in mask:
        layers = frozenset(k for k, v in mask["layers"].items() if v)
    elif isinstance(mask, dict):
        layers = frozenset(k for k, v in mask.items() if v)
    elif isinstance(mask, list):
        layers = frozenset(mask)
    else:
        raise ScriptError("request_path: collision_mask is required (a CollisionMask such as the character prototype's)")
    radius = float(p.get("radius") or 0)
    return state.engine.paths.request(s, start, goal, layers, radius, p.get("entity_to_ignore"))


@Surface.method("get_chunks")
def _get_chunks(state, s):
    items = [{"x": cx, "y": cy, "area": {"left_top": {"x": cx * CHUNK_SIZE, "y": cy * CHUNK_SIZE}, "right_bottom": {"x": (cx + 1) * CHUNK_SIZE, "y": (cy + 1) * CHUNK_SIZE}}} for cx, cy in sorted(s.chunks, key=lambda k: (k[1], k[0]))]
    make_iter = state.lua.eval("function(t) local i = 0 return function() i = i + 1 return t[i] end end")
    return make_iter(state.to_lua(items))


@Surface.method("is_chunk_generated")
def _is_chunk_generated(state, s, position):
    x, y = _args.position(position, "is_chunk_generated")
    return s.is_chunk_generated(int(x), int(y))


@Surface.method("request_to_generate_chunks")
def _request_to_generate_chunks(state, s, position, radius=0):
    x, y = _args.position(position)
    cx, cy = math.floor(x) // CHUNK_SIZE, math.floor(y) // CHUNK_SIZE
    r = int(radius or 0)
    for j in range(cy - r, cy + r + 1):
        for i in range(cx - r, cx + r + 1):
            s.ensure_chunk(i, j)


# -- LuaTile --------------------------------------------------------------------------------------------------


@Tile.getter("name")
def _tile_name(state, t):
    return t.surface.tile_name(t.x, t.y)


@Tile.getter("position")
def _tile_position(state, t):
    return {"x": t.x, "y": t.y}


@Tile.method("collides_with")
def _tile_collides_with(state, t, layer):
    return layer in t.surface.tile_layers(t.surface.tile_name(t.x, t.y))


# -- LuaForce -------------------------------------------------------------------------------------------------


@Force.method("is_chunk_charted")
def _is_chunk_charted(state, f, surface, position):
    s = _surface_arg(state, surface)
    x, y = _args.position(position, "is_chunk_charted")
    return f.is_charted(s.index, int(x), int(y))


@Force.method("chart")
def _chart(state, f, surface, area):
    s = _surface_arg(state, surface)
    l, t, r, b = _args.area(area)
    engine = state.engine
    for cy in range(math.floor(t) // CHUNK_SIZE, math.floor(b - 1e-9) // CHUNK_SIZE + 1):
        for cx in range(math.floor(l) // CHUNK_SIZE, math.floor(r - 1e-9) // CHUNK_SIZE + 1):
            s.ensure_chunk(cx, cy)
            charted = f.charted.setdefault(s.index, set())
            if (cx, cy) not in charted:
                charted.add((cx, cy))
                engine.world.pending_chart_events.append((f, s, cx, cy))


def _force_name(value) -> str:
    name = value if isinstance(value, str) else getattr(value, "name", None)
    if not isinstance(name, str):
        raise ScriptError(f"expected a force or a force name, got {value!r}")
    return name


@Force.method("set_friend")
def _set_friend(state, f, other, value):
    (f.friends.add if value else f.friends.discard)(_force_name(other))


@Force.method("get_friend")
def _get_friend(state, f, other):
    return _force_name(other) in f.friends


@Force.method("set_cease_fire")
def _set_cease_fire(state, f, other, value):
    (f.cease_fire.add if value else f.cease_fire.discard)(_force_name(other))


@Force.method("get_cease_fire")
def _get_cease_fire(state, f, other):
    return _force_name(other) in f.cease_fire


@Force.setter("share_chart")
def _set_share_chart(state, f, value):
    f.share_chart = bool(value)


def _surface_arg(state, value):
    from factoryverse.engine.api.game import _surface

    s = _surface(state.engine, value)
    if s is None:
        raise ScriptError(f"Unknown surface: {value!r}")
    return s

