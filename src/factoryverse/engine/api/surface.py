"""LuaSurface, LuaTile and LuaForce."""

from __future__ import annotations

import math
from typing import Any

from factoryverse.engine.api import _args, _search
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds import kind_of
from factoryverse.engine.mechanics import research
from factoryverse.engine.kinds.character import speed_modifiers_changed
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


@Surface.getter("generate_with_lab_tiles")
def _generate_with_lab_tiles(state, surface):
    return surface.generate_with_lab_tiles


@Surface.setter("generate_with_lab_tiles")
def _set_generate_with_lab_tiles(state, surface, value):
    if not isinstance(value, bool):
        raise ScriptError(f"generate_with_lab_tiles must be a boolean, got {value!r}")
    # Only chunks generated from now on: the ones there keep their tiles, as in the game.
    surface.generate_with_lab_tiles = value



@Surface.method("get_tile")
def _get_tile(state, s, x, y=None):
    x, y = _args.position(x if y is None else (x, y), "get_tile")
    # A LuaTile is a value: reading its name later reports "out-of-map" if the chunk is still not generated.
    return TileRef(s, math.floor(x), math.floor(y))


@Surface.method("can_place_entity")
def _can_place_entity(state, s, params):
    p = _args.require_table(params, "can_place_entity")
    world = _world(state)
    proto = world.entity_proto(p.get("name"))
    x, y = _args.position(p.get("position"), "can_place_entity.position")
    direction = _search.direction_arg(p.get("direction"), "can_place_entity")
    kind = kind_of(proto["type"])
    if kind.own_placement:  # ghosts: placed as their `inner_name`
        return kind.can_place_from(world, s, p, x, y, direction)
    return world.check_placement(s, proto, x, y, direction).ok


def _default_force(proto) -> str:
    # The API documents "default is enemy"; resources carry no force of their own and read as neutral (their kind).
    return kind_of(proto["type"]).default_force


@Surface.method("create_entity")
def _create_entity(state, s, params):
    p = _args.require_table(params, "create_entity")
    engine = state.engine
    world = engine.world
    name = p.get("name")
    if not isinstance(name, str):
        raise ScriptError("create_entity: 'name' must be an entity prototype name")
    proto = world.entity_proto(name)
    # Everything is checked before world.create_entity, which takes a unit_number: a refused call must not use one.
    x, y = _args.position(p.get("position"), "create_entity.position")
    direction = _search.direction_arg(p.get("direction"), "create_entity")
    force = _force(state, p.get("force"), _default_force(proto))
    kind = kind_of(proto["type"])
    if kind.own_placement:  # ghosts: `inner_name` and its placement, checked before a unit_number is taken
        entity = kind.create_from(world, s, p, x, y, direction, force)
        if p.get("raise_built"):
            engine.events.raise_event("script_raised_built", {"entity": entity})
        return entity
    amount = p.get("amount") if kind.has_amount else None
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 1):
        raise ScriptError(f"create_entity: amount must be an integer >= 1, got {amount!r}")
    stack = None
    if kind.needs_stack:
        # An item on the ground is its stack: the game requires `stack` for this type.
        if p.get("stack") is None:
            raise ScriptError(f"create_entity: '{name}' needs a 'stack' (an item name or {{name=, count=}})")
        stack = _args.item_stack(p["stack"])
        if stack[0] not in engine.prototypes.items or stack[1] < 1:
            raise ScriptError(f"create_entity: invalid stack {p['stack']!r} (unknown item or count below 1)")
    # Like the game, create_entity places without a collision check; callers ask can_place_entity first.
    entity = world.create_entity(s, name, x, y, direction=direction, force=force, amount=amount)
    if entity is None:
        return None
    try:
        kind.configure(world, entity, p)
    except ScriptError:
        world.destroy_entity(entity)  # a bad type-specific parameter leaves nothing behind
        raise
    if stack is not None:
        from factoryverse.engine.world.inventory import Stack

        entity.stack = Stack(stack[0], stack[1])
    if p.get("raise_built"):
        research.built(world, force, name)  # build-entity research triggers
        engine.events.raise_event("script_raised_built", {"entity": entity})
    return entity


@Surface.method("find_entity")
def _find_entity(state, s, name, position):
    x, y = _args.position(position, "find_entity")
    for e in s.entities_near(BBox(x - 0.01, y - 0.01, x + 0.01, y + 0.01)):
        if e.valid and e.name == name and (e.bbox().contains(x, y) or (abs(e.x - x) < 1e-6 and abs(e.y - y) < 1e-6)):
            return e
    return None


@Surface.method("find_entities_filtered")
def _find_entities_filtered(state, s, params=None):
    return _search.find_entities(s, _args.require_table(params or {}, "find_entities_filtered"), "find_entities_filtered")


@Surface.method("count_entities_filtered")
def _count_entities_filtered(state, s, params=None):
    p = _args.require_table(params or {}, "count_entities_filtered")
    return len(_search.find_entities(s, p, "count_entities_filtered"))


@Surface.method("find_tiles_filtered")
def _find_tiles_filtered(state, s, params=None):
    p = _args.require_table(params or {}, "find_tiles_filtered")
    return [TileRef(s, tx, ty) for tx, ty in _search.find_tiles(s, p, "find_tiles_filtered")]


@Surface.method("count_tiles_filtered")
def _count_tiles_filtered(state, s, params):
    p = _args.require_table(params, "count_tiles_filtered")
    return len(_search.find_tiles(s, p, "count_tiles_filtered"))


@Surface.method("find_non_colliding_position")
def _find_non_colliding_position(state, s, name, center, radius, precision, force_to_tile_center=False):
    world = _world(state)
    if not isinstance(name, str):
        raise ScriptError(f"find_non_colliding_position: name must be an entity prototype name, got {name!r}")
    proto = world.entity_proto(name)
    c = _args.position(center, "find_non_colliding_position center")
    r = _args.radius(radius, "find_non_colliding_position radius")
    step = _args.radius(precision, "find_non_colliding_position precision")
    found = _search.find_non_colliding_position(world, s, proto, c, r, step, bool(force_to_tile_center))
    return None if found is None else {"x": found[0], "y": found[1]}


@Surface.method("request_path")
def _request_path(state, s, params):
    p = _args.require_table(params, "request_path")
    # Factorio requires these two even though the tile-grid search here only needs the collision mask.
    for key in ("bounding_box", "force"):
        if p.get(key) is None:
            raise ScriptError(f"request_path: '{key}' is required")
    _args.area(p["bounding_box"], "request_path.bounding_box")
    _force(state, p["force"])
    start = _args.position(p.get("start"), "request_path.start")
    goal = _args.position(p.get("goal"), "request_path.goal")
    if p.get("collision_mask") is None:
        raise ScriptError("request_path: collision_mask is required (a CollisionMask such as the character prototype's)")
    layers = _search.layers_arg(p["collision_mask"])
    radius = 1.0 if p.get("radius") is None else _args.radius(p["radius"], "request_path.radius")
    ignore = p.get("entity_to_ignore")
    if ignore is not None and getattr(ignore, "lua_class", None) != "LuaEntity":
        raise ScriptError("request_path: entity_to_ignore must be a LuaEntity")
    return state.engine.paths.request(s, start, goal, layers, radius, ignore)


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
    # As in the game, only a request: the chunks are generated over the following ticks (engine.CHUNKS_PER_TICK),
    # or at once by force_generate_chunk_requests.
    x, y = _args.position(position, "request_to_generate_chunks")
    radius = _args.radius(0 if radius is None else radius, "request_to_generate_chunks radius")
    cx, cy = math.floor(x) // CHUNK_SIZE, math.floor(y) // CHUNK_SIZE
    try:
        s.request_chunks(cx, cy, int(radius))
    except ValueError as e:
        raise ScriptError(f"request_to_generate_chunks: {e}") from e


@Surface.method("force_generate_chunk_requests")
def _force_generate_chunk_requests(state, s):
    # The game blocks until every requested chunk exists; here the wall-clock watchdog may stop it between chunks,
    # leaving the rest queued for the following ticks.
    s.generate_requested(None, between=state.watchdog.check)


@Surface.method("set_tiles")
def _set_tiles(state, s, tiles, correct_tiles=None, remove_colliding_entities=None, remove_colliding_decoratives=None,
               raise_event=None, player=None, undo_index=None):
    from factoryverse.engine.api._set_tiles import set_tiles

    set_tiles(state, s, tiles, correct_tiles, remove_colliding_entities, remove_colliding_decoratives, raise_event,
              player, undo_index)


# -- LuaTile --------------------------------------------------------------------------------------------------


@Tile.getter("name")
def _tile_name(state, t):
    return t.surface.tile_name_if_generated(t.x, t.y)


@Tile.getter("position")
def _tile_position(state, t):
    return {"x": t.x, "y": t.y}


@Tile.method("collides_with")
def _tile_collides_with(state, t, layer):
    return layer in t.surface.tile_layers(t.surface.tile_name_if_generated(t.x, t.y))


# -- LuaForce -------------------------------------------------------------------------------------------------


# is_chunk_charted, chart and the other chart members: api/charting.py.


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


@Force.method("get_spawn_position")
def _get_spawn_position(state, f, surface):
    x, y = getattr(f, "spawn_positions", {}).get(_surface_arg(state, surface).index, (0.0, 0.0))
    return {"x": x, "y": y}


@Force.method("set_spawn_position")
def _set_spawn_position(state, f, position, surface):
    """Where the force's players spawn on `surface`; kept as given (the engine has no players to spawn there)."""
    xy = _args.position(position, "set_spawn_position")
    s = _surface_arg(state, surface)
    if getattr(f, "spawn_positions", None) is None:
        f.spawn_positions = {}  # a force loaded from a save made before spawn positions existed
    f.spawn_positions[s.index] = xy


def _speed_modifier(member: str) -> None:
    """A LuaForce hand crafting or mining speed bonus, kept in Force.modifiers; busy characters replan at once."""
    Force.getter(member)(lambda state, f: f.modifier(member))

    def write(state, f, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ScriptError(f"LuaForce.{member} must be a number, got {value!r}")
        f.modifiers[member] = float(value)
        speed_modifiers_changed(state.engine.world, f)

    Force.setter(member)(write)


_speed_modifier("manual_crafting_speed_modifier")
_speed_modifier("manual_mining_speed_modifier")


def _inserter_bonus(member: str) -> None:
    """A LuaForce inserter hand-size bonus (uint, documented range 0..254), read by inserters at each pickup."""
    Force.getter(member)(lambda state, f: int(f.modifier(member)))

    def write(state, f, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or not 0 <= value <= 254:
            raise ScriptError(f"LuaForce.{member} must be an integer from 0 to 254, got {value!r}")
        f.modifiers[member] = int(value)

    Force.setter(member)(write)


_inserter_bonus("inserter_stack_size_bonus")
_inserter_bonus("bulk_inserter_capacity_bonus")


def _surface_arg(state, value):
    from factoryverse.engine.api.game import _surface

    s = _surface(state.engine, value)
    if s is None:
        raise ScriptError(f"Unknown surface: {value!r}")
    return s

