"""LuaEntity (with the LuaControl members it inherits that we implement) and LuaBurner."""

from __future__ import annotations

import math
from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.api.defines import define_name, define_value
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.mechanics.mining_drill import mined_products
from factoryverse.engine.world.inventory import CHARACTER_MAIN, CHEST, CRAFTER_OUTPUT, FUEL, Stack
from factoryverse.engine.world.inventory import Inventory as InventoryData

__all__: list[str] = []

Entity = api_class("LuaEntity")
Burner = api_class("LuaBurner")

Entity.attributes("name", "type", "direction", "unit_number", "force", "surface", "burner")
Burner.attributes("owner", "inventory", remaining_burning_fuel="remaining")


def _box_table(l: float, t: float, r: float, b: float) -> dict[str, Any]:
    return {"left_top": {"x": l, "y": t}, "right_bottom": {"x": r, "y": b}}


@Entity.getter("position")
def _position(state, e):
    return {"x": e.x, "y": e.y}


@Entity.setter("direction")
def _set_direction(state, e, value):
    if not isinstance(value, (int, float)) or int(value) not in range(16):
        raise ScriptError(f"Invalid direction {value!r}: use defines.direction")
    from factoryverse.engine.world.geometry import rotate_box
    from factoryverse.engine.world.entity import _proto_box

    e.direction = int(value)
    e.box = rotate_box(_proto_box(e.proto), e.direction)


@Entity.getter("surface_index")
def _surface_index(state, e):
    return e.surface.index


@Entity.getter("prototype")
def _prototype(state, e):
    return state.engine_prototypes.entity(e.name)


@Entity.getter("bounding_box")
def _bounding_box(state, e):
    return _box_table(*e.bbox())


@Entity.getter("amount")
def _amount(state, e):
    if e.type != "resource":
        raise ScriptError("Entity is not resource.")
    return e.amount


@Entity.setter("amount")
def _set_amount(state, e, value):
    if e.type != "resource":
        raise ScriptError("Entity is not resource.")
    e.amount = max(0, int(value))


@Entity.getter("health")
def _health(state, e):
    return e.health if e.proto.get("max_health") else None


@Entity.getter("drop_position")
def _drop_position(state, e):
    pos = e.drop_position()
    if pos is None:
        raise ScriptError(f"Entity {e.name} has no drop position (not a mining drill or inserter).")
    return {"x": pos[0], "y": pos[1]}


@Entity.getter("status")
def _status(state, e):
    machine = e.machine
    if machine is None:
        return None
    return define_value("entity_status", machine.status)


@Entity.getter("mining_target")
def _mining_target(state, e):
    if e.type != "mining-drill":
        raise ScriptError("Entity is not a mining drill.")
    return e.machine.resource(e)


@Entity.getter("stack")
def _stack_unavailable(state, e):
    raise ScriptError("LuaItemStack is not implemented by this engine yet; use get_inventory on the holder instead.")


# -- LuaControl members ---------------------------------------------------------------------------------------


def _character_proto(e) -> dict[str, Any]:
    if e.type != "character":
        raise ScriptError("Entity is not a character.")
    return e.proto


@Entity.getter("reach_distance")
def _reach_distance(state, e):
    return float(_character_proto(e).get("reach_distance", 10))


@Entity.getter("build_distance")
def _build_distance(state, e):
    return float(_character_proto(e).get("build_distance", 10))


@Entity.getter("resource_reach_distance")
def _resource_reach_distance(state, e):
    return float(_character_proto(e).get("reach_resource_distance", 2.7))


@Entity.getter("item_pickup_distance")
def _item_pickup_distance(state, e):
    return float(_character_proto(e).get("item_pickup_distance", 1))


@Entity.getter("walking_state")
def _walking_state(state, e):
    _character_proto(e)
    return {"walking": e.walking, "direction": e.walking_direction}


@Entity.setter("walking_state")
def _set_walking_state(state, e, value):
    _character_proto(e)
    v = _args.require_table(value, "walking_state")
    direction = v.get("direction", e.walking_direction)
    if not isinstance(direction, (int, float)) or int(direction) not in range(16):
        raise ScriptError(f"walking_state.direction must be a defines.direction value, got {direction!r}")
    e.walking = bool(v.get("walking"))
    e.walking_direction = int(direction)
    world = state.engine.world
    if e.walking:
        world.walkers.setdefault(e.oid, e)
    else:
        world.walkers.pop(e.oid, None)


@Entity.method("teleport")
def _teleport(state, e, position, surface=None, raise_teleported=None, snap_to_grid=None, build_check_type=None):
    """teleport(position, surface?, raise_teleported?, snap_to_grid?, build_check_type?) or teleport(dx, dy?)."""
    if isinstance(position, (int, float)) and not isinstance(position, bool):
        # The relative form: teleport(4) moves 4 tiles east, teleport(0, 1) one tile south.
        if surface is not None and not isinstance(surface, (int, float)):
            raise ScriptError(f"teleport(x, y): y must be a number, got {surface!r}")
        dx, dy = float(position), float(surface or 0)
        if not (math.isfinite(dx) and math.isfinite(dy)):
            raise ScriptError(f"teleport(x, y): offsets must be finite numbers, got ({dx}, {dy})")
        x, y = e.x + dx, e.y + dy
    else:
        x, y = _args.position(position, "teleport")
        if surface is not None and _surface_of(state, surface) is not e.surface:
            raise ScriptError(
                "teleport to another surface is not supported by this engine yet (see docs/known-differences.md); "
                "leave `surface` out or pass the entity's own surface"
            )
    world = state.engine.world
    if snap_to_grid is None or snap_to_grid:
        x, y = world.placement_position(e.proto, x, y, e.direction)
    old_position = {"x": e.x, "y": e.y}
    e.surface.move(e, x, y)
    # A drill that stopped for lack of ore may stand on ore now.
    world.wake(e)
    if raise_teleported:
        state.engine.events.raise_event(
            "script_raised_teleported",
            {"entity": e, "old_surface_index": e.surface.index, "old_position": old_position},
        )
    return True


def _surface_of(state, key):
    world = state.engine.world
    if isinstance(key, str):
        found = world.surfaces.get(key)
    elif isinstance(key, (int, float)) and not isinstance(key, bool):
        found = world.surface_by_index(int(key))
    elif getattr(key, "lua_class", None) == "LuaSurface":
        found = key
    else:
        raise ScriptError(f"teleport: surface must be a surface name, index or LuaSurface, got {key!r}")
    if found is None:
        raise ScriptError(f"teleport: surface {key!r} doesn't exist")
    return found


def _inventory(e, index) -> Any:
    name = define_name("inventory", index)
    if name is None:
        raise ScriptError(f"Invalid inventory index {index!r}: use defines.inventory")
    return e.inventories.get(name)


@Entity.method("get_inventory")
def _get_inventory(state, e, index):
    return _inventory(e, index)


@Entity.method("get_main_inventory")
def _get_main_inventory(state, e):
    for name in (CHARACTER_MAIN, CHEST):
        if name in e.inventories:
            return e.inventories[name]
    return None


@Entity.method("get_fuel_inventory")
def _get_fuel_inventory(state, e):
    return e.inventories.get(FUEL)


@Entity.method("get_output_inventory")
def _get_output_inventory(state, e):
    for name in (CRAFTER_OUTPUT, CHARACTER_MAIN, CHEST):
        if name in e.inventories:
            return e.inventories[name]
    return None


def _known_item(state, name: str) -> None:
    if name not in state.engine.prototypes.items:
        raise ScriptError(f"Unknown item name: {name}")


@Entity.method("get_item_count")
def _get_item_count(state, e, item=None):
    name = None if item is None else _args.item_stack(item)[0]
    return sum(inv.count(name) for inv in e.inventories.values())


@Entity.method("can_insert")
def _can_insert(state, e, items):
    name, count = _args.item_stack(items)
    _known_item(state, name)
    return any(inv.can_insert(name, 1) for inv in e.inventories.values())


@Entity.method("insert")
def _insert(state, e, items):
    from factoryverse.engine.mechanics.mining_drill import insert_into_entity

    name, count = _args.item_stack(items)
    _known_item(state, name)
    if e.type in ("character", "container", "furnace") or e.burner is not None:
        return insert_into_entity(state.engine.world, e, name, count)
    return 0


@Entity.method("remove_item")
def _remove_item(state, e, items):
    name, count = _args.item_stack(items)
    _known_item(state, name)
    removed = 0
    for inv in e.inventories.values():
        if removed >= count:
            break
        removed += inv.remove(name, count - removed)
    return removed


@Entity.method("destroy")
def _destroy(state, e, params=None):
    p = _args.require_table(params or {}, "destroy")
    engine = state.engine
    if p.get("raise_destroy"):
        engine.events.raise_event("script_raised_destroy", {"entity": e})
    engine.world.destroy_entity(e)
    return True


@Entity.method("deplete")
def _deplete(state, e):
    if e.type != "resource":
        raise ScriptError("Entity is not resource.")
    world = state.engine.world
    e.amount = 1
    world.deplete_one(e)


@Entity.method("mine")
def _mine(state, e, params=None):
    """Resources give one unit's products; anything else is removed and gives its item(s) and its contents."""
    p = _args.require_table(params or {}, "mine")
    engine = state.engine
    world = engine.world
    inventory = p.get("inventory")
    if inventory is not None and getattr(inventory, "lua_class", None) != "LuaInventory":
        raise ScriptError(f"mine: inventory must be a LuaInventory, got {inventory!r}")
    force = bool(p.get("force")) or inventory is None
    if not p.get("ignore_minable") and not (e.proto.get("minable") or {}):
        return False
    items = mined_products(e.proto)
    if e.type != "resource":
        if e.stack is not None:
            items = [(e.stack.name, e.stack.count)]
        # The entity's own contents come out too (fuel, furnace contents), as when a player picks it up.
        for inv in e.inventories.values():
            items.extend(inv.contents().items())
    if not force and not _all_fit(inventory, items):
        return False  # the game's "not enough room": nothing moves, the entity stays
    for name, count in items:
        left = count - (inventory.insert(name, count) if inventory is not None else count)
        if left and inventory is not None:
            world.spill(e.surface, name, left, e.x, e.y)
    if e.type == "resource":
        world.deplete_one(e)
        return True
    if p.get("raise_destroyed", True):
        engine.events.raise_event("script_raised_destroy", {"entity": e})
    world.destroy_entity(e)
    return True


def _all_fit(inventory: InventoryData, items: list[tuple[str, int]]) -> bool:
    """Whether every stack fits at once: inserted one after another into a copy, so they compete for free slots."""
    trial = InventoryData(len(inventory), inventory.stack_size, accepts=inventory.accepts)
    trial.slots = [None if s is None else Stack(s.name, s.count) for s in inventory.slots]
    return all(trial.insert(name, count) == count for name, count in items)


# -- LuaBurner ------------------------------------------------------------------------------------------------


@Burner.getter("currently_burning")
def _currently_burning(state, b):
    if b.currently_burning is None:
        return None
    return {"name": state.engine_prototypes.item(b.currently_burning), "quality": state.engine_prototypes.quality("normal")}


@Burner.setter("remaining_burning_fuel")
def _set_remaining_burning_fuel(state, b, value):
    if b.currently_burning is not None:
        b.remaining = max(0.0, float(value))

