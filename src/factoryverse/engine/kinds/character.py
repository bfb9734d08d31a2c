"""Characters: a main inventory of `inventory_size` slots, reach distances from the prototype, walking
(mechanics/character.py, per tick while walking), the crafting queue (mechanics/crafting_queue.py) and hand mining
(mechanics/hand_mining.py). Crafting and mining are event-scheduled: the character is updated only when a craft or
a mining cycle ends, or when something it depends on changes (a new queue entry, its selection, a step it walks).

Their LuaControl members are implemented here and dispatched by api/entity.py; every other kind answers them with
"Entity is not a character." (or the documented max value for the distances).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import Kind, new_inventory
from factoryverse.engine.mechanics import crafting_queue, hand_mining
from factoryverse.engine.world.geometry import BBox
from factoryverse.engine.world.inventory import CHARACTER_MAIN

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.force import Force
    from factoryverse.engine.world.world import World

__all__ = ["CharacterKind", "CharacterState", "MAX_UINT", "MAX_DOUBLE", "speed_modifiers_changed"]

# What the reach members give for an entity that is not a character (the API documents "max uint" and "max double").
MAX_UINT = 2**32 - 1
MAX_DOUBLE = sys.float_info.max


class CharacterState:
    """The crafting queue and its reserve (crafting_queue.py), hand mining (hand_mining.py) and the character's
    own speed modifiers. Progress is linear between updates: `*_progress` as of the start of tick `*_since`,
    growing `*_rate` per tick."""

    __slots__ = (
        "queue", "reserve", "craft_progress", "craft_since", "craft_rate", "crafting_modifier",
        "mining", "mining_position", "selected", "mine_target", "mine_progress", "mine_since", "mine_rate",
        "mine_blocked", "mining_modifier",
    )

    def __init__(self) -> None:
        self.queue: list[crafting_queue.CraftItem] = []
        self.reserve: dict[str, int] = {}  # ingredients taken from the inventory for queued crafts
        self.craft_progress = 0.0
        self.craft_since = 0
        self.craft_rate = 0.0
        self.crafting_modifier = 0.0  # character_crafting_speed_modifier
        self.mining = False  # mining_state.mining, as set
        self.mining_position: tuple[float, float] | None = None
        self.selected: Entity | None = None
        self.mine_target: Entity | None = None
        self.mine_progress = 0.0
        self.mine_since = 0
        self.mine_rate = 0.0
        self.mine_blocked = False  # the products don't fit: waiting on the main inventory
        self.mining_modifier = 0.0  # character_mining_speed_modifier


class _LazyArgs:
    """api/_args, imported on first use: the API package imports the kinds, so the kinds can't import it first."""

    def __getattr__(self, name: str) -> Any:
        from factoryverse.engine.api import _args as module

        return getattr(module, name)


_args = _LazyArgs()


def _state(entity: Entity) -> CharacterState:
    if entity.state is None:  # a character from a save made before characters had a state
        entity.state = CharacterState()
    return entity.state


def speed_modifiers_changed(world: World, force: Force) -> None:
    """A force's crafting or mining speed changed: its busy characters plan their next event again."""
    for surface in world.surfaces.values():
        for e in surface.entities_with(surface.by_type, list(CharacterKind.types), None):
            if e.force is force and e.state is not None and (e.state.queue or e.state.mine_target is not None):
                world.poke(e)


# -- walking and distances --------------------------------------------------------------------------------------


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


def _entity_arg(value: Any, what: str) -> Entity:
    if getattr(value, "lua_class", None) != "LuaEntity":
        raise ScriptError(f"Invalid argument to '{what}': expected LuaEntity, got {value!r}")
    if not value.valid:
        raise ScriptError("LuaEntity API call when LuaEntity was invalid.")
    return value


def _can_reach_entity(lua: Any, entity: Entity, other: Any) -> bool:
    other = _entity_arg(other, "can_reach_entity")
    if other.surface is not entity.surface:
        return False
    return hand_mining.distance_to(entity, other) <= float(entity.proto.get("reach_distance", 10)) + 1e-9


def _can_place_entity(lua: Any, entity: Entity, params: Any) -> bool:
    """Placeable on the character's surface (collisions, tiles) and within its build_distance."""
    p = _args.require_table(params, "can_place_entity")
    world = lua.engine.world
    name = p.get("name")
    name = name if isinstance(name, str) else getattr(name, "name", name)
    proto = world.entity_proto(name)
    x, y = _args.position(p.get("position"), "can_place_entity.position")
    direction = p.get("direction", 0)
    if isinstance(direction, bool) or not isinstance(direction, (int, float)) or int(direction) not in range(16):
        raise ScriptError(f"can_place_entity: direction must be a defines.direction value, got {direction!r}")
    check = world.check_placement(entity.surface, proto, x, y, int(direction), ignore=(entity,))
    if not check.ok:
        return False
    box = proto.get("collision_box") or ((0, 0), (0, 0))
    placed = BBox(check.x + box[0][0], check.y + box[0][1], check.x + box[1][0], check.y + box[1][1])
    dx = max(placed.left - entity.x, 0.0, entity.x - placed.right)
    dy = max(placed.top - entity.y, 0.0, entity.y - placed.bottom)
    return (dx * dx + dy * dy) ** 0.5 <= float(entity.proto.get("build_distance", 10)) + 1e-9


# -- crafting ---------------------------------------------------------------------------------------------------


def _begin_crafting(lua: Any, entity: Entity, params: Any) -> int:
    p = _args.require_table(params, "begin_crafting")
    world = lua.engine.world
    if p.get("recipe") is None:
        raise ScriptError("value for required field 'recipe' is missing")
    if p.get("count") is None:
        raise ScriptError("value for required field 'count' is missing")
    recipe = crafting_queue.recipe_for(world, entity, p["recipe"], "begin_crafting")
    count = crafting_queue.check_count(p["count"], "count for begin_crafting")
    name = recipe["name"]
    if not crafting_queue.hand_craftable(entity, recipe):
        cats = ", ".join(entity.proto.get("crafting_categories") or ())
        raise ScriptError(f"The recipe {name} can't be crafted by hand: its category is not one of {entity.name}'s crafting categories ({cats}).")
    if not entity.force.recipe_enabled(name):
        raise ScriptError(f"The recipe {name} is not enabled for force {entity.force.name}.")
    return crafting_queue.begin(world, entity, recipe, count)


def _cancel_crafting(lua: Any, entity: Entity, params: Any) -> None:
    p = _args.require_table(params, "cancel_crafting")
    for field in ("index", "count"):
        if p.get(field) is None:
            raise ScriptError(f"value for required field '{field}' is missing")
    index = crafting_queue.check_count(p["index"], "index for cancel_crafting")
    count = crafting_queue.check_count(p["count"], "count for cancel_crafting")
    crafting_queue.cancel(lua.engine.world, entity, index, count)


def _crafting_queue(lua: Any, entity: Entity) -> list[dict[str, Any]] | None:
    queue = _state(entity).queue
    if not queue:
        return None
    return [
        {"index": i, "recipe": item.recipe, "count": item.count, "prerequisite": item.prerequisite}
        for i, item in enumerate(queue, start=1)
    ]


def _crafting_queue_size(lua: Any, entity: Entity) -> int:
    return len(_state(entity).queue)


def _crafting_queue_progress(lua: Any, entity: Entity) -> float:
    _state(entity)
    return crafting_queue.progress(lua.engine.world, entity)


def _set_crafting_queue_progress(lua: Any, entity: Entity, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScriptError(f"crafting_queue_progress must be a number, got {value!r}")
    _state(entity)
    crafting_queue.set_progress(lua.engine.world, entity, float(value))


def _get_craftable_count(lua: Any, entity: Entity, recipe: Any) -> int:
    world = lua.engine.world
    _state(entity)
    return crafting_queue.craftable_count(world, entity, crafting_queue.recipe_for(world, entity, recipe, "get_craftable_count"))


def _modifier(slot: str):
    def read(lua: Any, entity: Entity) -> float:
        return getattr(_state(entity), slot)

    def write(lua: Any, entity: Entity, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScriptError(f"a speed modifier must be a number, got {value!r}")
        setattr(_state(entity), slot, float(value))
        lua.engine.world.poke(entity)  # a craft or mining cycle under way ends at another tick now

    return read, write


# -- mining and selection -------------------------------------------------------------------------------------


def _mining_state(lua: Any, entity: Entity) -> dict[str, Any]:
    _state(entity)
    return hand_mining.mining_state_table(entity)


def _set_mining_state(lua: Any, entity: Entity, value: Any) -> None:
    if isinstance(value, list) and not value:
        value = {}
    if not isinstance(value, dict):
        raise ScriptError(f"mining_state must be a table {{mining = bool, position = MapPosition}}, got {value!r}")
    state = _state(entity)
    mining = bool(value.get("mining"))
    position = value.get("position")
    state.mining_position = _args.position(position, "mining_state.position") if position is not None else None
    state.mining = mining
    if not mining:
        hand_mining.stop(lua.engine.world, entity)
    lua.engine.world.poke(entity)


def _selected(lua: Any, entity: Entity) -> Entity | None:
    chosen = _state(entity).selected
    return chosen if chosen is not None and chosen.valid else None


def _select(world: World, entity: Entity, chosen: Entity | None) -> None:
    state = _state(entity)
    if chosen is not None and not hand_mining.selectable(chosen):
        chosen = None  # "otherwise the selection is cleared"
    if chosen is not state.selected:
        state.selected = chosen
        world.poke(entity)


def _set_selected(lua: Any, entity: Entity, value: Any) -> None:
    _select(lua.engine.world, entity, None if value is None else _entity_arg(value, "selected"))


def _update_selected_entity(lua: Any, entity: Entity, position: Any) -> None:
    x, y = _args.position(position, "update_selected_entity")
    best: Entity | None = None
    best_priority = -1
    for e in entity.surface.entities_near(BBox(x - 0.01, y - 0.01, x + 0.01, y + 0.01)):
        box = e.proto.get("selection_box")
        if not e.valid or e is entity or not box or not hand_mining.selectable(e):
            continue
        if e.x + box[0][0] <= x <= e.x + box[1][0] and e.y + box[0][1] <= y <= e.y + box[1][1]:
            priority = int(e.proto.get("selection_priority", 50))
            if priority > best_priority:  # the highest priority; among equals the first found
                best, best_priority = e, priority
    _select(lua.engine.world, entity, best)


def _clear_selected_entity(lua: Any, entity: Entity) -> None:
    _select(lua.engine.world, entity, None)


def _character_mining_progress(lua: Any, entity: Entity) -> float:
    _state(entity)
    return hand_mining.progress(lua.engine.world, entity)


_crafting_read, _crafting_write = _modifier("crafting_modifier")
_mining_read, _mining_write = _modifier("mining_modifier")


class CharacterKind(Kind):
    types: ClassVar[tuple[str, ...]] = ("character",)
    grid_free: ClassVar[bool] = True
    scheduled: ClassVar[bool] = True
    insert_order: ClassVar[tuple[str, ...]] = (CHARACTER_MAIN,)
    main_inventory_name: ClassVar[str | None] = CHARACTER_MAIN
    output_inventory_name: ClassVar[str | None] = CHARACTER_MAIN
    getters = {
        "reach_distance": _distance("reach_distance", 10, True),
        "build_distance": _distance("build_distance", 10, True),
        "resource_reach_distance": _distance("reach_resource_distance", 2.7, False),
        "item_pickup_distance": _distance("item_pickup_distance", 1, False),
        "walking_state": _walking_state,
        "crafting_queue": _crafting_queue,
        "crafting_queue_size": _crafting_queue_size,
        "crafting_queue_progress": _crafting_queue_progress,
        "character_crafting_speed_modifier": _crafting_read,
        "character_mining_speed_modifier": _mining_read,
        "mining_state": _mining_state,
        "selected": _selected,
        "character_mining_progress": _character_mining_progress,
        "mining_progress": _character_mining_progress,  # "for characters and players the number is between 0 and 1"
    }
    setters = {
        "walking_state": _set_walking_state,
        "crafting_queue_progress": _set_crafting_queue_progress,
        "character_crafting_speed_modifier": _crafting_write,
        "character_mining_speed_modifier": _mining_write,
        "mining_state": _set_mining_state,
        "selected": _set_selected,
    }
    methods = {
        "begin_crafting": _begin_crafting,
        "cancel_crafting": _cancel_crafting,
        "get_craftable_count": _get_craftable_count,
        "can_reach_entity": _can_reach_entity,
        "can_place_entity": _can_place_entity,
        "update_selected_entity": _update_selected_entity,
        "clear_selected_entity": _clear_selected_entity,
    }

    def attach(self, world: World, entity: Entity) -> None:
        # The character's main inventory takes slot filters (LuaInventory.set_filter), as in the game.
        new_inventory(world, entity, CHARACTER_MAIN, int(entity.proto.get("inventory_size", 80))).enable_filters()
        entity.state = CharacterState()

    def update(self, world: World, entity: Entity, tick: int) -> None:
        _state(entity)
        crafted = crafting_queue.update(world, entity, tick)
        mined = hand_mining.update(world, entity, tick)
        nxt = min((t for t in (crafted, mined) if t is not None), default=None)
        if nxt is None:
            world.sleep(entity)
        else:
            world.schedule(entity, nxt)

    def moved(self, world: World, entity: Entity) -> None:
        if entity.state is not None and entity.state.mining:
            world.poke(entity)  # in reach of its target, or not, from here

    def destroyed(self, world: World, entity: Entity) -> None:
        world.walkers.pop(entity.oid, None)
        super().destroyed(world, entity)
