"""Entity and tile ghosts: a planned entity or tile that stands on the map until it is revived (built).

An entity ghost takes its inner entity's collision box, position snapping and direction, but its own collision mask,
the utility constant `ghost_layer` ("ghost"): it blocks other ghosts only, so characters walk through it, items on
the ground lie under it, and real entities can be built over it (as in the game, `can_place_entity` of a building
ignores ghosts). Placing a ghost checks the inner entity against tiles and real entities too, except items on the
ground, which the game picks up when the ghost is revived (`revive` returns them). A tile ghost covers one tile.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.kinds.plain import ItemOnGroundKind
from factoryverse.engine.lua.results import MultipleValues
from factoryverse.engine.world.geometry import BBox, rotate_box

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.force import Force
    from factoryverse.engine.world.surface import Surface
    from factoryverse.engine.world.world import World

__all__ = ["EntityGhostKind", "TileGhostKind", "GhostState", "GHOST_TYPES", "TILE_GHOST", "ghost_inner", "is_ghost"]

ENTITY_GHOST = "entity-ghost"
TILE_GHOST = "tile-ghost"
GHOST_TYPES = (ENTITY_GHOST, TILE_GHOST)
# `ghost_type` of a tile ghost: the inner prototype's type, which for tiles is "tile".
_TILE = "tile"


class GhostState:
    """What a ghost stands for: the inner prototype by type and name (never the prototype itself, so a save stays
    small), the tags given at creation and whether it may expire (the engine's ghosts never do)."""

    __slots__ = ("inner_type", "inner_name", "tags", "expires")

    def __init__(self, inner_type: str, inner_name: str, tags: Any, expires: bool):
        self.inner_type = inner_type
        self.inner_name = inner_name
        self.tags = tags
        self.expires = expires


def ghost_inner(world: World, ghost: Entity) -> dict[str, Any]:
    """The prototype (entity or tile) a ghost stands for."""
    st: GhostState = ghost.state
    if st.inner_type == _TILE:
        return world.protos.tiles[st.inner_name]
    return world.protos.raw[st.inner_type][st.inner_name]


def is_ghost(entity: Entity) -> bool:
    return isinstance(entity.kind, _GhostKind)


def _inner_box(proto: dict[str, Any], direction: int) -> BBox:
    box = proto.get("collision_box")
    if not box:
        return BBox(0.0, 0.0, 0.0, 0.0)
    return rotate_box(BBox(float(box[0][0]), float(box[0][1]), float(box[1][0]), float(box[1][1])), direction)


def _layers(proto: dict[str, Any]) -> frozenset[str]:
    # world.entity imports the kinds, so it is imported when first needed rather than with this module.
    from factoryverse.engine.world.entity import collision_layers as layers

    return layers(proto)


def _is_item_on_ground(e: Entity) -> bool:
    return isinstance(e.kind, ItemOnGroundKind)


class _GhostKind(Kind):
    """What entity and tile ghosts share: placed from `inner_name`, found, mined (giving nothing), revived."""

    grid_free: ClassVar[bool] = True  # placed where the inner prototype snaps, which the kind works out itself
    own_placement: ClassVar[bool] = True
    inner_is_tile: ClassVar[bool] = False

    def _inner_proto(self, world: World, params: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _blocked(self, world: World, surface: Surface, inner: dict[str, Any], x: float, y: float, direction: int,
                 ignore: tuple[Entity, ...] = ()) -> bool:
        raise NotImplementedError

    def _spot(self, world: World, inner: dict[str, Any], x: float, y: float, direction: int) -> tuple[float, float]:
        raise NotImplementedError

    # -- create_entity / can_place_entity -----------------------------------------------------------------------

    def can_place_from(self, world: World, surface: Surface, params: dict[str, Any], x: float, y: float,
                       direction: int) -> bool:
        inner = self._inner_proto(world, params)
        sx, sy = self._spot(world, inner, x, y, direction)
        return not self._blocked(world, surface, inner, sx, sy, direction)

    def create_from(self, world: World, surface: Surface, params: dict[str, Any], x: float, y: float, direction: int,
                    force: Force) -> Entity:
        inner = self._inner_proto(world, params)
        expires = params.get("expires")
        if expires is not None and not isinstance(expires, bool):
            raise ScriptError(f"create_entity: 'expires' must be a boolean, got {expires!r}")
        tags = params.get("tags")
        if tags is not None and not isinstance(tags, (dict, list)):
            raise ScriptError(f"create_entity: 'tags' must be a table, got {tags!r}")
        sx, sy = self._spot(world, inner, x, y, direction)
        # Like create_entity of any entity, no collision check: callers ask can_place_entity first.
        ghost = world.create_entity(surface, params["name"], sx, sy, direction=direction, force=force)
        assert ghost is not None
        inner_type = _TILE if self.inner_is_tile else inner["type"]
        ghost.state = GhostState(inner_type, inner["name"], tags or None, bool(expires))
        self.moved(world, ghost)
        return ghost

    def moved(self, world: World, entity: Entity) -> None:
        # The ghost occupies its inner entity's box: set again whenever it turns (Entity.set_direction resets it).
        if entity.state is not None:
            entity.box = _inner_box(ghost_inner(world, entity), entity.direction)

    def mined_items(self, entity: Entity) -> list[tuple[str, int]]:
        return []  # mining a ghost removes it and gives nothing


class EntityGhostKind(_GhostKind):
    types: ClassVar[tuple[str, ...]] = (ENTITY_GHOST,)

    def _inner_proto(self, world: World, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("inner_name")
        if name is None:
            raise ScriptError("value for required field 'inner_name' is missing")
        if not isinstance(name, str):
            raise ScriptError(f"Invalid inner_name {name!r}: expected an entity prototype name")
        proto = world.entity_proto(name)  # "Unknown entity name: ..." as for `name`
        if proto["type"] in (ENTITY_GHOST, TILE_GHOST):
            raise ScriptError(f"Invalid inner_name {name!r}: a ghost can't contain a ghost")
        return proto

    def _spot(self, world: World, inner: dict[str, Any], x: float, y: float, direction: int) -> tuple[float, float]:
        return world.placement_position(inner, x, y, direction)

    def _blocked(self, world: World, surface: Surface, inner: dict[str, Any], x: float, y: float, direction: int,
                 ignore: tuple[Entity, ...] = ()) -> bool:
        b = _inner_box(inner, direction)
        area = BBox(x + b.left, y + b.top, x + b.right, y + b.bottom)
        if surface.blocking_tiles(area, _layers(inner)):
            return True
        if any(not _is_item_on_ground(e) for e in surface.colliding(area, _layers(inner), ignore)):
            return True
        ghost_layers = _layers(world.protos.raw[ENTITY_GHOST][ENTITY_GHOST])
        return bool(surface.colliding(area, ghost_layers, ignore))

    def revive(self, world: World, ghost: Entity, raise_revive: bool, overflow: Any) -> MultipleValues | None:
        inner = ghost_inner(world, ghost)
        x, y, direction, surface = ghost.x, ghost.y, ghost.direction, ghost.surface
        layers = _layers(inner)
        b = _inner_box(inner, direction)
        area = BBox(x + b.left, y + b.top, x + b.right, y + b.bottom)
        if surface.blocking_tiles(area, layers):
            return None
        hits = surface.colliding(area, layers, (ghost,))
        if any(not _is_item_on_ground(e) for e in hits):
            return None
        # Items lying where the entity goes are picked up: returned by name (and put into `overflow` if given).
        items: dict[str, int] = {}
        for e in hits:
            if e.stack is not None:
                items[e.stack.name] = items.get(e.stack.name, 0) + e.stack.count
            world.destroy_entity(e)
        if overflow is not None:
            for name, count in items.items():
                overflow.insert(name, count)
        st: GhostState = ghost.state
        force, tags = ghost.force, st.tags
        world.destroy_entity(ghost)
        entity = world.create_entity(surface, inner["name"], x, y, direction=direction, force=force)
        if raise_revive:
            data: dict[str, Any] = {"entity": entity}
            if tags is not None:
                data["tags"] = tags
            world.engine.events.raise_event("script_raised_revive", data)
        return MultipleValues((items, entity, None))


class TileGhostKind(_GhostKind):
    types: ClassVar[tuple[str, ...]] = (TILE_GHOST,)
    # The API gives unit numbers to entity ghosts, not to tile ghosts.
    unit_number: ClassVar[bool] = False
    inner_is_tile: ClassVar[bool] = True

    def _inner_proto(self, world: World, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("inner_name")
        if name is None:
            raise ScriptError("value for required field 'inner_name' is missing")
        proto = world.protos.tiles.get(name) if isinstance(name, str) else None
        if proto is None:
            raise ScriptError(f"Unknown tile name: {name}")
        return proto

    def _spot(self, world: World, inner: dict[str, Any], x: float, y: float, direction: int) -> tuple[float, float]:
        return (math.floor(x) + 0.5, math.floor(y) + 0.5)

    def _tile_blocked(self, surface: Surface, inner: dict[str, Any], x: float, y: float, ignore: tuple[Entity, ...]) -> bool:
        # An entity colliding with the new tile's mask (a building where water would go) keeps the tile out.
        tile = BBox(x - 0.5, y - 0.5, x + 0.5, y + 0.5)
        return bool(surface.colliding(tile, _layers(inner), ignore))

    def _blocked(self, world: World, surface: Surface, inner: dict[str, Any], x: float, y: float, direction: int,
                 ignore: tuple[Entity, ...] = ()) -> bool:
        if self._tile_blocked(surface, inner, x, y, ignore):
            return True
        ghost_layers = _layers(world.protos.raw[TILE_GHOST][TILE_GHOST])
        return bool(surface.colliding(BBox(x - 0.4, y - 0.4, x + 0.4, y + 0.4), ghost_layers, ignore))

    def revive(self, world: World, ghost: Entity, raise_revive: bool, overflow: Any) -> MultipleValues | None:
        inner = ghost_inner(world, ghost)
        surface, x, y = ghost.surface, ghost.x, ghost.y
        if self._tile_blocked(surface, inner, x, y, (ghost,)):
            return None
        world.destroy_entity(ghost)
        tx, ty = math.floor(x), math.floor(y)
        surface.set_tile(tx, ty, inner["name"])
        if raise_revive:
            world.engine.events.raise_event(
                "script_raised_set_tiles",
                {"surface_index": surface.index, "tiles": [{"name": inner["name"], "position": {"x": tx, "y": ty}}]},
            )
        return MultipleValues(({}, None, None))


# -- LuaEntity members --------------------------------------------------------------------------------------------


def _ghost_name(lua: Any, e: Entity) -> str:
    return e.state.inner_name


def _ghost_type(lua: Any, e: Entity) -> str:
    return e.state.inner_type


def _ghost_prototype(lua: Any, e: Entity) -> Any:
    st: GhostState = e.state
    return lua.engine_prototypes.get(_TILE if st.inner_type == _TILE else "entity", st.inner_name)


def _ghost_unit_number(lua: Any, e: Entity) -> None:
    return None  # only a ghost left by a destroyed entity carries one; the engine's come from create_entity


def _revive_args(params: Any) -> tuple[bool, Any]:
    p = params if isinstance(params, dict) else {}
    overflow = p.get("overflow")
    if overflow is not None and getattr(overflow, "lua_class", None) != "LuaInventory":
        raise ScriptError(f"revive: overflow must be a LuaInventory, got {overflow!r}")
    return bool(p.get("raise_revive")), overflow


def _revive(lua: Any, e: Entity, params: Any = None) -> MultipleValues | None:
    raise_revive, overflow = _revive_args(params)
    return e.kind.revive(lua.engine.world, e, raise_revive, overflow)


_GHOST_GETTERS = {"ghost_name": _ghost_name, "ghost_type": _ghost_type, "ghost_prototype": _ghost_prototype}
# silent_revive differs only in sound and smoke, which a headless engine has neither of.
_GHOST_METHODS = {"revive": _revive, "silent_revive": _revive}
EntityGhostKind.getters = {**_GHOST_GETTERS, "ghost_unit_number": _ghost_unit_number}
EntityGhostKind.methods = _GHOST_METHODS
TileGhostKind.getters = _GHOST_GETTERS
TileGhostKind.methods = _GHOST_METHODS
