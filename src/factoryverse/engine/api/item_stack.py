"""LuaItemStack: a view of one slot of an inventory, or of the stack an item-on-ground entity holds.

As in the game, the object names a place, not items: `inv[1]` read again after the slot changed shows the new
contents, and it reads as empty (`valid_for_read == false`) once the slot is. It stays valid while its inventory
(or item entity) does.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api.registry import api_base, api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.world.inventory import Stack

__all__ = ["ItemStackRef", "stack_argument", "EMPTY_READ"]

ItemStack = api_class("LuaItemStack")
ItemCommon = api_base("LuaItemCommon")

EMPTY_READ = "LuaItemStack API call when LuaItemStack was invalid for read."


class ItemStackRef:
    """Slot `index` (0-based) of an Inventory, or (index -1) the stack of an item-on-ground Entity."""

    lua_class = "LuaItemStack"
    __slots__ = ("oid", "holder", "index")

    def __init__(self, holder: Any, index: int):
        # Derived from the place it names (world/ids.py): the same slot is one object in every read.
        self.oid = f"stack:{holder.oid}:{index}"
        self.holder = holder
        self.index = index

    @property
    def valid(self) -> bool:
        h = self.holder
        return bool(h.valid) and (self.index < 0 or self.index < len(h.slots))

    def get(self) -> Stack | None:
        return self.holder.stack if self.index < 0 else self.holder.slots[self.index]

    def put(self, world: Any, stack: Stack | None) -> None:
        if self.index < 0:
            if stack is None:
                world.destroy_entity(self.holder)  # an item entity with nothing in it is gone
            else:
                self.holder.stack = stack
            return
        self.holder.slots[self.index] = stack
        self.holder.notify()  # machines waiting on the inventory look again

    def allows(self, name: str) -> bool:
        """Whether this slot may hold `name` (a fuel slot only fuel, a filtered slot only its item)."""
        if self.index < 0:
            return True
        inv = self.holder
        if inv.accepts is not None and not inv.accepts(name):
            return False
        return inv.filters is None or inv.filters[self.index] in (None, name)


def _readable(s: ItemStackRef) -> Stack:
    stack = s.get()
    if stack is None:
        raise ScriptError(EMPTY_READ)
    return stack


def _item(state: Any, name: str) -> dict[str, Any]:
    return state.engine.prototypes.items[name]


def _stack_size(state: Any, name: str) -> int:
    return int(_item(state, name).get("stack_size", 1))


def stack_argument(state: Any, value: Any, method: str) -> tuple[str, int] | None:
    """ItemStackIdentification -> (name, count), or None for an empty LuaItemStack."""
    if isinstance(value, ItemStackRef):
        stack = value.get() if value.valid else None
        return None if stack is None else (stack.name, stack.count)
    if isinstance(value, str):
        name, count = value, 1
    elif isinstance(value, dict) and isinstance(value.get("name"), str):
        name, count = value["name"], value.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0 or count != int(count):
            raise ScriptError(f"Invalid argument #1 (stack) to '{method}': count must be a whole number >= 0, "
                              f"got {count!r}")
        quality = value.get("quality", "normal")
        if getattr(quality, "name", quality) != "normal":
            raise ScriptError(f"{method}: qualities other than normal are not implemented by this engine yet")
    else:
        raise ScriptError(f"Invalid argument #1 (stack) to '{method}': expected an item name, "
                          f"{{name=, count=}} or LuaItemStack")
    if name not in state.engine.prototypes.items:
        raise ScriptError(f"Unknown item name: {name}")
    return (name, int(count))


# -- reading ----------------------------------------------------------------------------------------------------


@ItemStack.getter("valid_for_read")
def _valid_for_read(state, s):
    return s.get() is not None


@ItemStack.getter("name")
def _name(state, s):
    return _readable(s).name


@ItemStack.getter("type")
def _type(state, s):
    return _item(state, _readable(s).name).get("type", "item")


@ItemStack.getter("prototype")
def _prototype(state, s):
    return state.engine_prototypes.item(_readable(s).name)


@ItemStack.getter("quality")
def _quality(state, s):
    _readable(s)
    return state.engine_prototypes.quality("normal")


@ItemStack.getter("health")
def _health(state, s):
    _readable(s)
    return 1.0  # items are never damaged in the engine


@ItemStack.getter("count")
def _count(state, s):
    stack = s.get()
    return 0 if stack is None else stack.count


@ItemStack.setter("count")
def _set_count(state, s, value):
    stack = _readable(s)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise ScriptError(f"LuaItemStack::count: expected a whole number >= 0, got {value!r}")
    size = _stack_size(state, stack.name)
    if value > size:
        raise ScriptError(f"LuaItemStack::count: {int(value)} is more than the stack size of {stack.name} ({size})")
    s.put(state.engine.world, Stack(stack.name, int(value)) if value else None)


# Item prototype types and the LuaItemCommon predicates they answer true (the prototype type hierarchy: a
# blueprint is a selection tool, an item with tags and with a label).
_LABEL = ("item-with-label", "item-with-inventory", "blueprint-book", "item-with-tags", "selection-tool", "blueprint",
          "copy-paste-tool", "deconstruction-item", "upgrade-item", "spidertron-remote")
_SELECTION = ("selection-tool", "blueprint", "copy-paste-tool", "deconstruction-item", "upgrade-item",
              "spidertron-remote")
_PREDICATES: dict[str, tuple[str, ...]] = {
    "is_blueprint": ("blueprint",),
    "is_blueprint_book": ("blueprint-book",),
    "is_deconstruction_item": ("deconstruction-item",),
    "is_upgrade_item": ("upgrade-item",),
    "is_item_with_inventory": ("item-with-inventory", "blueprint-book"),
    "is_item_with_label": _LABEL,
    "is_item_with_tags": ("item-with-tags", *_SELECTION),
    "is_selection_tool": _SELECTION,
    "is_item_with_entity_data": ("item-with-entity-data",),
    "is_tool": ("tool", "armor", "repair-tool"),
    "is_armor": ("armor",),
    "is_repair_tool": ("repair-tool",),
    "is_ammo": ("ammo",),
}

for _member, _types in _PREDICATES.items():
    ItemCommon.getter(_member)(
        lambda state, s, _t=_types: _item(state, _readable(s).name).get("type", "item") in _t)


@ItemStack.getter("is_module")
def _is_module(state, s):
    return _item(state, _readable(s).name).get("type") == "module"


# -- changing ---------------------------------------------------------------------------------------------------


def _fits(s: ItemStackRef, item: tuple[str, int] | None) -> bool:
    return item is None or s.allows(item[0])


@ItemStack.method("can_set_stack")
def _can_set_stack(state, s, stack=None):
    return _fits(s, None if stack is None else stack_argument(state, stack, "can_set_stack"))


@ItemStack.method("set_stack")
def _set_stack(state, s, stack=None):
    item = None if stack is None else stack_argument(state, stack, "set_stack")
    if not _fits(s, item):
        return False
    if item is None or item[1] == 0:
        if s.get() is not None:
            s.put(state.engine.world, None)
        return True
    name, count = item
    s.put(state.engine.world, Stack(name, min(count, _stack_size(state, name))))
    return True


@ItemStack.method("clear")
def _clear(state, s):
    if s.get() is not None:
        s.put(state.engine.world, None)


@ItemStack.method("transfer_stack")
def _transfer_stack(state, s, stack, amount=None):
    """Move items from `stack` (a LuaItemStack loses what moves) into this one; true if all asked for moved."""
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0):
        raise ScriptError(f"Invalid argument #2 (amount) to 'transfer_stack': expected a whole number >= 0, "
                          f"got {amount!r}")
    item = stack_argument(state, stack, "transfer_stack")
    if item is None:
        return False
    name, count = item
    wanted = count if amount is None else min(count, int(amount))
    here = s.get()
    if (here is not None and here.name != name) or not s.allows(name) or stack is s:
        return False
    room = _stack_size(state, name) - (here.count if here is not None else 0)
    moved = min(wanted, room)
    if moved <= 0:
        return wanted == 0
    world = state.engine.world
    s.put(world, Stack(name, moved + (here.count if here is not None else 0)))
    if isinstance(stack, ItemStackRef):
        source = stack.get()
        left = source.count - moved  # type: ignore[union-attr]
        stack.put(world, Stack(name, left) if left else None)
    return moved == wanted


@ItemStack.method("swap_stack")
def _swap_stack(state, s, stack):
    if not isinstance(stack, ItemStackRef):
        raise ScriptError("Invalid argument #1 (stack) to 'swap_stack': expected LuaItemStack")
    if not stack.valid:
        raise ScriptError("LuaItemStack API call when LuaItemStack was invalid.")
    mine, theirs = s.get(), stack.get()
    if stack is s or (mine is None and theirs is None):
        return True
    if (theirs is not None and not s.allows(theirs.name)) or (mine is not None and not stack.allows(mine.name)):
        return False
    world = state.engine.world
    s.put(world, None if theirs is None else Stack(theirs.name, theirs.count))
    stack.put(world, None if mine is None else Stack(mine.name, mine.count))
    return True
