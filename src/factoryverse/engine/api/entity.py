"""LuaEntity (with the LuaControl members it inherits that we implement) and LuaBurner.

Members every entity has are here. Type-specific members (a furnace's `crafting_progress`, a drill's
`mining_target`, a resource's `amount`, a character's `walking_state`) belong to the entity's kind
(engine/kinds/): this module registers one dispatcher per such member, which calls the kind's implementation or,
for a kind without it, gives what the game gives (its error, or the documented value such as `nil`).
"""

from __future__ import annotations

import math
from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.api.defines import define_name, define_value
from factoryverse.engine.api.item_stack import ItemStackRef
from factoryverse.engine.api.members import load_members
from factoryverse.engine.api.registry import api_base, api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds import all_kinds, rotatable
from factoryverse.engine.kinds.character import MAX_DOUBLE, MAX_UINT
from factoryverse.engine.world.inventory import FUEL
from factoryverse.engine.world.inventory import Inventory as InventoryData

__all__: list[str] = []

# What Factorio's LuaControl defines is implemented once, on it: LuaEntity (a character) and LuaPlayer expose it.
Control = api_base("LuaControl")
Entity = api_class("LuaEntity")
Burner = api_class("LuaBurner")

Entity.attributes("name", "type", "direction", "unit_number", "burner")
Control.attributes("force", "surface")
Burner.attributes("owner", "inventory")

# What a type-specific member gives on an entity whose kind doesn't have it. A string is the error raised (the
# game's wording where we know it: docs/known-differences.md); anything else is the value returned, as the API
# documents it ("nil if this isn't a mining drill", "max uint when not a character").
_CRAFTER = "Entity is not a crafting machine."
_OTHER_KINDS: dict[str, Any] = {
    "amount": "Entity is not resource.",
    "deplete": "Entity is not resource.",
    "crafting_progress": _CRAFTER,
    "products_finished": _CRAFTER,
    "is_crafting": _CRAFTER,
    "crafting_speed": _CRAFTER,
    "get_recipe": _CRAFTER,
    "set_recipe": "Entity is not an assembling machine.",
    # Electric energy interfaces (kinds/energy_interface.py).
    "power_production": "Entity is not an electric energy interface.",
    "power_usage": "Entity is not an electric energy interface.",
    "electric_buffer_size": "Entity is not an electric energy interface.",
    "electric_network_statistics": "Entity is not an electric pole.",  # kinds/electric_pole.py; wording ours
    "mining_target": "Entity is not a mining drill.",
    "mining_area": "Entity is not a mining drill.",
    "belt_neighbours": "Entity is not a transport belt connectable.",
    "radar_scan_progress": "Entity is not a radar.",  # kinds/radar.py; wording ours
    # Belts, underground belts and splitters (kinds/belt.py, underground_belt.py, splitter.py); wording ours.
    "get_transport_line": "Entity is not a transport belt connectable.",
    "get_max_transport_line_index": "Entity is not a transport belt connectable.",
    "belt_shape": "Entity is not a transport belt.",
    "belt_to_ground_type": "Entity is not an underground belt.",
    **dict.fromkeys(("splitter_input_priority", "splitter_output_priority", "splitter_filter"), "Entity is not a splitter."),
    "mining_progress": None,
    "drop_position": "Entity {name} has no drop position (not a mining drill or inserter).",
    "walking_state": "Entity is not a character.",
    "reach_distance": MAX_UINT,
    "build_distance": MAX_UINT,
    "resource_reach_distance": MAX_DOUBLE,
    "item_pickup_distance": MAX_DOUBLE,
    # Inserters (kinds/inserter.py); filter_slot_count is 0 for an entity without filter slots.
    **dict.fromkeys((
        "pickup_position", "pickup_target", "drop_target", "held_stack_position", "inserter_filter_mode", "use_filters",
        "inserter_target_pickup_count", "inserter_stack_size_override",
    ), "Entity is not an inserter."),
    "set_filter": "Entity {name} has no filter slots.",
    "get_filter": "Entity {name} has no filter slots.",
    "filter_slot_count": 0,
    # The character's crafting queue, hand mining and selection (kinds/character.py).
    **dict.fromkeys((
        "begin_crafting", "cancel_crafting", "crafting_queue", "crafting_queue_size", "crafting_queue_progress",
        "get_craftable_count", "character_crafting_speed_modifier", "character_mining_speed_modifier",
        "mining_state", "selected", "character_mining_progress", "can_reach_entity", "can_place_entity",
        "update_selected_entity", "clear_selected_entity",
    ), "Entity is not a character."),
    "ghost_name": "Entity is not ghost.",
    "ghost_type": "Entity is not ghost.",
    "ghost_prototype": "Entity is not ghost.",
    "ghost_unit_number": "Entity is not entity ghost.",
    "revive": "Entity is not ghost.",
    "silent_revive": "Entity is not ghost.",
    # Offshore pumps (kinds/offshore_pump.py); wording ours.
    "get_fluid_source_tile": "Entity is not an offshore pump.",
    "get_fluid_source_fluid": "Entity is not an offshore pump.",
}


def _other_kind(member: str, e: Any) -> Any:
    answer = _OTHER_KINDS[member]
    if isinstance(answer, str):
        raise ScriptError(answer.format(name=e.name))
    return answer


def _register_kind_members() -> None:
    """One dispatcher per type-specific member any kind answers; each must say what other kinds give."""
    getters: set[str] = set()
    setters: set[str] = set()
    methods: set[str] = set()
    for kind in all_kinds():
        getters |= kind.getters.keys()
        setters |= kind.setters.keys()
        methods |= kind.methods.keys()
    missing = (getters | setters | methods) - _OTHER_KINDS.keys()
    if missing:
        raise RuntimeError(f"type-specific LuaEntity members without a wrong-kind answer: {sorted(missing)}")
    def owner(member: str) -> Any:
        # LuaControl's members (walking_state, reach_distance, ...) are registered on it and reach LuaEntity from there
        members = load_members()
        inherited = members.member("LuaEntity", member).defined_in == "LuaControl"
        return Control if inherited and members.has("LuaControl", member) else Entity

    for member in sorted(getters):
        owner(member).getter(member)(
            lambda state, e, _m=member: (f(state, e) if (f := e.kind.getters.get(_m)) else _other_kind(_m, e))
        )
    for member in sorted(setters):
        owner(member).setter(member)(
            lambda state, e, v, _m=member: (f(state, e, v) if (f := e.kind.setters.get(_m)) else _other_kind(_m, e))
        )
    for member in sorted(methods):
        owner(member).method(member)(
            lambda state, e, *a, _m=member: (f(state, e, *a) if (f := e.kind.methods.get(_m)) else _other_kind(_m, e))
        )


_register_kind_members()


def _box_table(l: float, t: float, r: float, b: float) -> dict[str, Any]:
    return {"left_top": {"x": l, "y": t}, "right_bottom": {"x": r, "y": b}}


@Control.getter("position")
def _position(state, e):
    return e.x, e.y  # two numbers, from which glue.lua builds the position table (lua_values, lua/runtime.py)


_position.lua_values = True  # type: ignore[attr-defined]


@Entity.setter("direction")
def _set_direction(state, e, value):
    if not isinstance(value, (int, float)) or int(value) not in range(16):
        raise ScriptError(f"Invalid direction {value!r}: use defines.direction")
    e.set_direction(int(value))
    state.engine.world.moved(e)  # a turned drill drops elsewhere


@Entity.method("rotate")
def _rotate(state, e, params=None):
    """A quarter turn (reverse: back), if the entity turns and its turned box fits where it stands."""
    p = params if isinstance(params, dict) else {}
    if not rotatable(e.type, e.proto):
        return False
    direction = (e.direction + (12 if p.get("reverse") else 4)) % 16
    world = state.engine.world
    if not world.check_placement(e.surface, e.proto, e.x, e.y, direction, ignore=(e,)).ok:
        return False
    e.set_direction(direction)
    world.moved(e)
    return True


@Control.getter("surface_index")
def _surface_index(state, e):
    return e.surface.index


@Entity.getter("prototype")
def _prototype(state, e):
    return state.engine_prototypes.entity(e.name)


@Entity.getter("bounding_box")
def _bounding_box(state, e):
    return _box_table(*e.bbox())


@Entity.getter("health")
def _health(state, e):
    return e.health if e.proto.get("max_health") else None


@Entity.getter("status")
def _status(state, e):
    status = e.kind.status(state.engine.world, e)
    return None if status is None else define_value("entity_status", status, state.api_version)


@Entity.getter("energy")
def _energy(state, e):
    # Computed from the tick: the same value a per-tick update would have left there.
    return 0.0 if e.energy is None else e.energy.energy(state.engine.world.tick)


@Entity.getter("stack")
def _stack(state, e):
    if not e.kind.needs_stack:  # only items on the ground hold a stack
        raise ScriptError("Entity is not an item entity.")
    return ItemStackRef(e, -1)


@Control.method("teleport")
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
    # A drill mines and drops where it stands now; a drill dropping into this entity looks again.
    world.moved(e)
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


def _inventory(state, e, index) -> Any:
    name = define_name("inventory", index, state.api_version)
    if name is None:
        raise ScriptError(f"Invalid inventory index {index!r}: use defines.inventory")
    return e.inventories.get(name)


@Control.method("get_inventory")
def _get_inventory(state, e, index):
    return _inventory(state, e, index)


@Control.method("get_main_inventory")
def _get_main_inventory(state, e):
    return e.kind.main_inventory(e)


@Entity.method("get_fuel_inventory")
def _get_fuel_inventory(state, e):
    return e.inventories.get(FUEL)


@Entity.method("get_output_inventory")
def _get_output_inventory(state, e):
    return e.kind.output_inventory(e)


def _known_item(state, name: str) -> None:
    if name not in state.engine.prototypes.items:
        raise ScriptError(f"Unknown item name: {name}")


@Control.method("get_item_count")
def _get_item_count(state, e, item=None):
    name = None if item is None else _args.item_stack(item)[0]
    return sum(inv.count(name) for inv in e.inventories.values())


@Control.method("can_insert")
def _can_insert(state, e, items):
    name, count = _args.item_stack(items)
    _known_item(state, name)
    return any(inv.can_insert(name, 1) for i in e.kind.insert_order if (inv := e.inventories.get(i)) is not None)


@Control.method("insert")
def _insert(state, e, items):
    name, count = _args.item_stack(items)
    _known_item(state, name)
    return e.kind.insert(state.engine.world, e, name, count)


@Control.method("remove_item")
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
    items = e.kind.mined_items(e)
    if not force and not _all_fit(inventory, items):
        return False  # the game's "not enough room": nothing moves, the entity stays
    for name, count in items:
        left = count - (inventory.insert(name, count) if inventory is not None else count)
        if left and inventory is not None:
            world.spill(e.surface, name, left, e.x, e.y)
    e.kind.mine(world, e, bool(p.get("raise_destroyed", True)))
    return True


def _all_fit(inventory: InventoryData, items: list[tuple[str, int]]) -> bool:
    """Whether every stack fits at once: inserted one after another into a copy, so they compete for free slots."""
    # A scratch copy that never reaches Lua: it takes no id from the game (oid 0 names no object).
    trial = inventory.scratch_copy()  # with its bar and filters
    return all(trial.insert(name, count) == count for name, count in items)


# -- LuaBurner ------------------------------------------------------------------------------------------------


@Burner.getter("currently_burning")
def _currently_burning(state, b):
    if b.currently_burning is None:
        return None
    return {"name": state.engine_prototypes.item(b.currently_burning), "quality": state.engine_prototypes.quality("normal")}


@Burner.getter("remaining_burning_fuel")
def _remaining_burning_fuel(state, b):
    return b.remaining_at(state.engine.world.tick)


@Burner.setter("remaining_burning_fuel")
def _set_remaining_burning_fuel(state, b, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScriptError(f"remaining_burning_fuel must be a number, got {value!r}")
    if b.currently_burning is not None:
        world = state.engine.world
        b.set_remaining(world.tick, value)
        world.poke(b.owner)  # its next fuel take moved

