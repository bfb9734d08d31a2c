"""The inventory accessor: `inventory.get_item("coal", count=5)` (a plain call: a stack is a claim the game checks
when it is used), `await inventory.get_total("iron-plate")` (asks the game)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from factoryverse.sdk._game_facts import item_place_result
from factoryverse.sdk.errors import InvalidArgumentError
from factoryverse.sdk.items import Item, ItemStack, MiningDrillItem, PlaceableItem

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["Inventory"]


class Inventory:
    """The character's main inventory. `await inventory()` gives every item and its count.

    Example: `coal = await inventory.get_total('coal'); stack = inventory.get_item('coal', count=5)`
    """

    def __init__(self, agent: Agent) -> None:
        self._agent = agent

    async def __call__(self) -> dict[str, int]:
        """Every item the character holds, with its count (the same as items()).

        Example: `counts = await inventory()`
        """
        return await self.items()

    async def items(self) -> dict[str, int]:
        """Every item the character holds, with its count.

        Example: `for name, count in (await inventory.items()).items(): print(name, count)`
        """
        from factoryverse.sdk.agent import item_counts

        return item_counts(await self._agent.call("get_inventory_items"))

    async def get_total(self, name: str) -> int:
        """How many of the item `name` the character holds now (0 when none).

        Example: `plates = await inventory.get_total('iron-plate')`
        """
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"get_total takes an item name like 'iron-plate', not {name!r}")
        return (await self.items()).get(name, 0)

    def get_item(self, name: str, count: int = 1) -> ItemStack:
        """A stack of `count` `name` from this inventory, to hand to an entity (furnace.add_fuel(stack)).

        Example: `await furnace.add_fuel(inventory.get_item('coal', count=5))`
        """
        return ItemStack(name, count, agent=self._agent)

    async def get_placeable(self, name: str) -> PlaceableItem:
        """The item `name` as something to place (MiningDrillItem for drills); InvalidArgumentError otherwise.

        Example: `chest = await (await inventory.get_placeable('wooden-chest')).place((2, 0))`
        """
        placed = await item_place_result(self._agent.rcon, Item(name).name)
        if placed is None:
            raise InvalidArgumentError(f"{name!r} places no entity; placeable items are e.g. 'stone-furnace'")
        cls = MiningDrillItem if placed[1] == "mining-drill" else PlaceableItem
        return cls(name, self._agent)
