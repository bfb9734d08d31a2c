"""Affordances shared by entity families: fuel, containers, recipes and geometry.

Items move as ItemStacks (`inventory.get_item("coal", count=5)`); the plain `(name, count)` form stays accepted.
A stack of the wrong item for the slot (iron-ore as fuel) is refused before anything moves.
"""

from __future__ import annotations

from typing import Any

from factoryverse.sdk._game_facts import EntityPrototypeFacts, entity_prototype
from factoryverse.sdk.entities.base import BaseEntity
from factoryverse.sdk.errors import InvalidArgumentError
from factoryverse.sdk.items import ItemStack
from factoryverse.sdk.types import BoundingBox

__all__ = ["FuelableMixin", "ContainerMixin", "CrafterMixin", "RecipeMixin", "SpatialPropertiesMixin", "stack_of"]


def stack_of(stack: ItemStack | str, count: int | None, method: str) -> tuple[str, int]:
    """(item, count) of an ItemStack, or of the older (name, count) pair."""
    if isinstance(stack, ItemStack):
        if count is not None:
            raise InvalidArgumentError(f"{method}: pass either an ItemStack or (name, count), not both")
        return stack.name, stack.count
    if isinstance(stack, str) and stack:
        if count is None:
            raise InvalidArgumentError(f"{method}({stack!r}) needs a count, or pass inventory.get_item({stack!r}, count=n)")
        return stack, ItemStack(stack, count).count
    raise InvalidArgumentError(
        f"{method} takes an ItemStack (inventory.get_item('coal', count=5)), not {stack!r}")


class FuelableMixin(BaseEntity):
    """A burner: takes fuel into its fuel inventory.

    Example: `await drill.add_fuel(inventory.get_item('coal', count=5))`
    """

    async def add_fuel(self, stack: ItemStack | str, count: int | None = None) -> int:
        """Put a stack of fuel (e.g. inventory.get_item("coal", count=5)) into the fuel slot; returns how many went.

        Example: `await furnace.add_fuel(inventory.get_item('coal', count=5))`
        """
        item, n = stack_of(stack, count, "add_fuel")
        return await self.put(item, n, "fuel")

    def fuel(self) -> dict[str, int]:
        """The fuel inventory as last read (await refresh() to read it anew).

        Example: `furnace.fuel().get('coal', 0)`
        """
        return self.state.inventory("fuel") if self.state else {}


class ContainerMixin(BaseEntity):
    """Something with inventories the agent can put into and take from.

    Example: `await chest.insert(inventory.get_item('iron-plate', count=10))`
    """

    async def insert(self, stack: ItemStack | str, count: int | None = None, inventory: str | None = None) -> int:
        """Put a stack into the entity (the slot the game picks, or `inventory`); returns how many went in.

        Example: `await chest.insert(inventory.get_item('iron-plate', count=10))`
        """
        item, n = stack_of(stack, count, "insert")
        return await self.put(item, n, inventory)

    async def contents(self, inventory: str = "chest") -> dict[str, int]:
        """The items in one inventory now (read from the game).

        Example: `plates = (await furnace.contents('output')).get('iron-plate', 0)`
        """
        return (await self.read_state()).inventory(inventory)

    async def take_all(self, inventory: str = "chest") -> dict[str, int]:
        """Take everything from one inventory; returns what was taken.

        Example: `taken = await chest.take_all()`
        """
        taken: dict[str, int] = {}
        for item, held in (await self.contents(inventory)).items():
            taken[item] = await self.take(item, held, inventory)
        return taken


class CrafterMixin(BaseEntity):
    """A machine that crafts: ingredients in, products out.

    Example: `await furnace.add_ingredients(inventory.get_item('iron-ore', count=10))`
    """

    async def add_ingredients(self, stack: ItemStack | str, count: int | None = None) -> int:
        """Put a stack of ingredients (e.g. iron-ore for a furnace) into the input slot; returns how many went.

        Example: `await furnace.add_ingredients(inventory.get_item('iron-ore', count=10))`
        """
        item, n = stack_of(stack, count, "add_ingredients")
        return await self.put(item, n, "input")

    async def products(self) -> int:
        """How many items wait in the output inventory now.

        Example: `ready = await furnace.products()`
        """
        return sum((await self.read_state()).inventory("output").values())

    async def take_products(self, count: int | None = None) -> int:
        """Take up to `count` items (all when None) from the output; returns how many were taken.

        Example: `taken = await furnace.take_products()`
        """
        self._mutator("take its products", "take_inventory_item")
        remaining = count
        taken = 0
        for item, held in (await self.read_state()).inventory("output").items():
            want = held if remaining is None else min(held, remaining)
            if want <= 0:
                break
            got = await self.take(item, want, "output")
            taken += got
            if remaining is not None:
                remaining -= got
        return taken


class RecipeMixin(BaseEntity):
    """A machine whose recipe the agent chooses (assembling machines).

    Example: `await assembler.set_recipe('iron-gear-wheel')`
    """

    async def set_recipe(self, recipe: str | None) -> dict[str, int]:
        """Choose the recipe (None clears it); returns the items the old recipe's ingredients gave back.

        Example: `await assembler.set_recipe('iron-gear-wheel')`
        """
        agent = self._mutator(f"set its recipe to {recipe!r}", "set_entity_recipe")
        raw = await self._guard_reach(agent.call("set_entity_recipe", self.name, self.position, recipe),
                                      "set_entity_recipe")
        self._remember_recipe(raw.get("recipe"))
        returned = raw.get("returned") or {}
        return dict(returned) if isinstance(returned, dict) else {}

    async def get_recipe(self) -> str | None:
        """The recipe the machine is set to now, read from the game.

        Example: `recipe = await assembler.get_recipe()`
        """
        self._remember_recipe(await _recipe_of(self))
        return self._recipe

    def _remember_recipe(self, recipe: str | None) -> None:
        self._recipe = recipe
        if self.state is not None:
            self.state = self.state.model_copy(update={"recipe": recipe})

    def _extra_facts(self) -> dict[str, Any]:
        # The game's state carries the recipe (kept current by set_recipe / get_recipe); without it, a recipe
        # this object set or read (None when cleared) is newer than its database row.
        if self.state is not None:
            return {}
        if hasattr(self, "_recipe"):
            return {"recipe": self._recipe}
        if self.row is not None and self.row.get("recipe"):
            return {"recipe": self.row["recipe"]}
        return {}


async def _recipe_of(entity: BaseEntity) -> str | None:
    agent = entity._looker("read its recipe")
    raw = await agent.call("inspect_entity", entity.name, entity.position)
    return raw.get("recipe")


class SpatialPropertiesMixin(BaseEntity):
    """Geometry from the game's prototype: the collision box, and the tiles it covers.

    Example: `box = await furnace.bounding_box(); box.width`
    """

    _facts: EntityPrototypeFacts | None = None

    async def prototype(self) -> EntityPrototypeFacts:
        """The entity prototype's facts as the game has them (read once per object).

        Example: `(await drill.prototype()).mining_drill_radius`
        """
        if self._facts is None:
            agent = self._looker("read its prototype")
            self._facts = await entity_prototype(agent.rcon, self.name)
        return self._facts

    async def bounding_box(self) -> BoundingBox:
        """The collision box around the entity's position (prototype.collision_box, rotated by its direction).

        Example: `box = await furnace.bounding_box(); box.contains(inserter.position)`
        """
        box = (await self.prototype()).collision_box
        w, h = box.right_bottom.x - box.left_top.x, box.right_bottom.y - box.left_top.y
        if self.direction.value in (4, 12):  # east and west swap the box's width and height
            w, h = h, w
        return BoundingBox.around(self.position, w / 2, h / 2)
