"""Characters: a main inventory of `inventory_size` slots, reach distances from the prototype, and walking
(mechanics/character.py moves a walking character every tick; it is the one per-tick thing besides path requests)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import Kind, new_inventory
from factoryverse.engine.world.inventory import CHARACTER_MAIN

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["CharacterKind", "MAX_UINT", "MAX_DOUBLE"]

# What the reach members give for an entity that is not a character (the API documents "max uint" and "max double").
MAX_UINT = 2**32 - 1
MAX_DOUBLE = sys.float_info.max


def _walking_state(lua: Any, entity: Entity) -> dict[str, Any]:
    return {"walking": entity.walking, "direction": entity.walking_direction}


def _set_walking_state(lua: Any, entity: Entity, value: Any) -> None:
    if isinstance(value, list) and not value:
        value = {}  # an empty Lua table arrives as an empty list
    if not isinstance(value, dict):
        raise ScriptError(f"walking_state must be a table {{walking = bool, direction = defines.direction}}, got {value!r}")
    direction = value.get("direction", entity.walking_direction)
    if isinstance(direction, bool) or not isinstance(direction, (int, float)) or int(direction) not in range(16):
        raise ScriptError(f"walking_state.direction must be a defines.direction value, got {direction!r}")
    entity.walking = bool(value.get("walking"))
    entity.walking_direction = int(direction)
    walkers = lua.engine.world.walkers
    if entity.walking:
        walkers.setdefault(entity.oid, entity)
    else:
        walkers.pop(entity.oid, None)


def _distance(field: str, default: float, integer: bool):
    def read(lua: Any, entity: Entity) -> float | int:
        value = entity.proto.get(field, default)
        return int(value) if integer else float(value)

    return read


class CharacterKind(Kind):
    types: ClassVar[tuple[str, ...]] = ("character",)
    grid_free: ClassVar[bool] = True
    insert_order: ClassVar[tuple[str, ...]] = (CHARACTER_MAIN,)
    main_inventory_name: ClassVar[str | None] = CHARACTER_MAIN
    output_inventory_name: ClassVar[str | None] = CHARACTER_MAIN
    getters = {
        "reach_distance": _distance("reach_distance", 10, True),
        "build_distance": _distance("build_distance", 10, True),
        "resource_reach_distance": _distance("reach_resource_distance", 2.7, False),
        "item_pickup_distance": _distance("item_pickup_distance", 1, False),
        "walking_state": _walking_state,
    }
    setters = {"walking_state": _set_walking_state}

    def attach(self, world: World, entity: Entity) -> None:
        new_inventory(world, entity, CHARACTER_MAIN, int(entity.proto.get("inventory_size", 80)))

    def destroyed(self, world: World, entity: Entity) -> None:
        world.walkers.pop(entity.oid, None)
        super().destroyed(world, entity)
