"""LuaInventory."""

from __future__ import annotations

from factoryverse.engine.api import _args
from factoryverse.engine.api.defines import define_value
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError

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
    return define_value("inventory", inv.index) if inv.index else None


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
