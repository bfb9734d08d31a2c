"""LuaInventory: counts, insert and remove, its stacks (`inv[i]`), bars (chests) and slot filters (the character's
main inventory)."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.api.defines import define_value
from factoryverse.engine.api.item_stack import ItemStackRef
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.lua.runtime import ProxyAndValue

__all__: list[str] = []

Inventory = api_class("LuaInventory")
Inventory.attributes(entity_owner="owner")


@Inventory.length_operator
def _length(state, inv):
    return len(inv)


def _known(state, name: str) -> None:
    if name not in state.engine.prototypes.items:
        raise ScriptError(f"Unknown item name: {name}")


@Inventory.getter("index")
def _index(state, inv):
    return define_value("inventory", inv.index, state.api_version) if inv.index else None


@Inventory.method("get_item_count")
def _get_item_count(state, inv, item=None):
    return inv.count(None if item is None else _args.item_stack(item)[0])


@Inventory.method("get_contents")
def _get_contents(state, inv):
    # Factorio 2.0 shape: an array of {name, count, quality}.
    return [{"name": n, "count": c, "quality": "normal"} for n, c in inv.contents().items()]


@Inventory.method("is_empty")
def _is_empty(state, inv):
    return inv.is_empty()


@Inventory.method("can_insert")
def _can_insert(state, inv, items):
    name, count = _args.item_stack(items)
    _known(state, name)
    return inv.can_insert(name, 1) > 0


@Inventory.method("insert")
def _insert(state, inv, items):
    name, count = _args.item_stack(items)
    _known(state, name)
    return inv.insert(name, count)


@Inventory.method("remove")
def _remove(state, inv, items):
    name, count = _args.item_stack(items)
    _known(state, name)
    return inv.remove(name, count)


@Inventory.method("clear")
def _clear(state, inv):
    inv.clear()


@Inventory.method("get_insertable_count")
def _get_insertable_count(state, inv, item):
    name, _ = _args.item_stack(item)
    _known(state, name)
    return inv.can_insert(name, 1 << 30)


# -- stacks -----------------------------------------------------------------------------------------------------


def _slot(inv, index: Any, method: str) -> int:
    """A 1-based slot index from Lua -> the 0-based one, or the error naming the valid range."""
    if isinstance(index, bool) or not isinstance(index, (int, float)) or index != int(index):
        raise ScriptError(f"Invalid argument #1 (index) to '{method}': expected a slot number, got {index!r}")
    if not 1 <= index <= len(inv):
        raise ScriptError(f"Index out of range: {int(index)} (the inventory has {len(inv)} slots)")
    return int(index) - 1


@Inventory.index_operator
def _stack_at(state, inv, index):
    return ItemStackRef(inv, _slot(inv, index, "[]"))


def _item_name(state, item: Any, method: str) -> str:
    """ItemWithQualityID (a name, a LuaItemPrototype or {name=, quality=}) -> a known item name."""
    if isinstance(item, dict):
        name, quality = item.get("name"), item.get("quality", "normal")
        if getattr(quality, "name", quality) != "normal":
            raise ScriptError(f"{method}: qualities other than normal are not implemented by this engine yet")
    else:
        name = item
    name = getattr(name, "name", name)
    if not isinstance(name, str):
        raise ScriptError(f"Invalid argument #1 (item) to '{method}': expected ItemWithQualityID, got {item!r}")
    _known(state, name)
    return name


@Inventory.method("find_item_stack")
def _find_item_stack(state, inv, item):
    name = _item_name(state, item, "find_item_stack")
    for i, s in enumerate(inv.slots):
        if s is not None and s.name == name:
            return ProxyAndValue((ItemStackRef(inv, i), i + 1))
    return None


@Inventory.method("find_empty_stack")
def _find_empty_stack(state, inv, item=None):
    name = None if item is None else _item_name(state, item, "find_empty_stack")
    filters = inv.filters
    for i, s in enumerate(inv.slots):
        if s is None and (filters is None or filters[i] is None or filters[i] == name):
            return ProxyAndValue((ItemStackRef(inv, i), i + 1))
    return None


@Inventory.method("count_empty_stacks")
def _count_empty_stacks(state, inv, include_filtered=None, include_bar=None):
    return inv.count_empty(bool(include_filtered), True if include_bar is None else bool(include_bar))


@Inventory.method("is_full")
def _is_full(state, inv):
    # "Ignores stacks blocked by the current bar."
    size = inv.stack_size
    return all(s is not None and s.count >= size(s.name) for s in inv.slots[:inv._open()])


# -- bar --------------------------------------------------------------------------------------------------------

_NO_BAR = "This inventory doesn't support a bar."


@Inventory.method("supports_bar")
def _supports_bar(state, inv):
    return inv.bar is not None


@Inventory.method("get_bar")
def _get_bar(state, inv):
    if inv.bar is None:
        raise ScriptError(_NO_BAR)
    return inv.bar + 1  # the index at which the red area starts


@Inventory.method("set_bar")
def _set_bar(state, inv, bar=None):
    if inv.bar is None:
        raise ScriptError(_NO_BAR)
    if bar is None:
        inv.set_bar(len(inv))
        return
    if isinstance(bar, bool) or not isinstance(bar, (int, float)) or bar != int(bar) or bar < 1:
        raise ScriptError(f"Invalid argument #1 (bar) to 'set_bar': expected a slot index >= 1, got {bar!r}")
    inv.set_bar(int(bar) - 1)


# -- filters ----------------------------------------------------------------------------------------------------


def _filter_name(state, value: Any, method: str) -> str:
    """ItemFilter (an item name or {name=, quality?, comparator?}) -> the item name; only normal quality."""
    if isinstance(value, dict):
        quality = value.get("quality")
        if quality is not None and getattr(quality, "name", quality) != "normal":
            raise ScriptError(f"{method}: qualities other than normal are not implemented by this engine yet")
        name = value.get("name")
    else:
        name = value
    name = getattr(name, "name", name)
    if not isinstance(name, str):
        raise ScriptError(f"Invalid argument #2 (filter) to '{method}': expected ItemFilter, got {value!r}")
    _known(state, name)
    return name


@Inventory.method("supports_filters")
def _supports_filters(state, inv):
    return inv.filters is not None


@Inventory.method("is_filtered")
def _is_filtered(state, inv):
    return inv.filters is not None and any(f is not None for f in inv.filters)


@Inventory.method("can_set_filter")
def _can_set_filter(state, inv, index, filter):
    i = _slot(inv, index, "can_set_filter")
    return inv.can_set_filter(i, _filter_name(state, filter, "can_set_filter"))


@Inventory.method("set_filter")
def _set_filter(state, inv, index, filter):
    i = _slot(inv, index, "set_filter")
    name = None if filter is None else _filter_name(state, filter, "set_filter")
    return inv.set_filter(i, name)


@Inventory.method("get_filter")
def _get_filter(state, inv, index):
    i = _slot(inv, index, "get_filter")
    name = None if inv.filters is None else inv.filters[i]
    return None if name is None else {"name": name, "quality": "normal", "comparator": "="}
