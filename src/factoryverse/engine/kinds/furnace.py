"""Furnaces: the smelting recipe chosen by the item in the source slot, one craft per energy_required /
crafting_speed seconds, at the energy source's `energy_usage` (the crafting itself: kinds/crafting.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.base import new_inventory
from factoryverse.engine.kinds.crafting import CRAFTER_GETTERS, CRAFTER_METHODS, CrafterKind, CraftingState, recipe_object
from factoryverse.engine.world.inventory import CRAFTER_INPUT, CRAFTER_OUTPUT, FUEL, item_filter

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["FurnaceKind", "FurnaceState"]


def _recipes_by_ingredient(world: World, categories: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Item -> the smelting recipe it starts, for recipes of one item ingredient in `categories` (by recipe name)."""
    cache: dict = world.__dict__.setdefault("_furnace_recipes", {})
    found = cache.get(categories)
    if found is None:
        found = {}
        for name in sorted(world.protos.recipes):
            r = world.protos.recipes[name]
            cats = set(r.get("categories") or [r.get("category", "crafting")])
            ingredients = r.get("ingredients") or []
            if cats & categories and len(ingredients) == 1 and ingredients[0].get("type", "item") == "item":
                found.setdefault(ingredients[0]["name"], r)
        cache[categories] = found
    return found


class FurnaceState(CraftingState):
    __slots__ = ()

    def __init__(self, speed: float):
        super().__init__(speed, "no_ingredients")


def _recipes(world: World, entity: Entity) -> dict[str, dict[str, Any]]:
    return _recipes_by_ingredient(world, frozenset(entity.proto.get("crafting_categories") or ["smelting"]))


def _get_recipe(lua: Any, entity: Entity) -> Any:
    # The recipe being smelted; nil between crafts, as in the game.
    state: FurnaceState = entity.state
    return recipe_object(entity.force, state.recipe) if state.crafting and state.recipe else None


class FurnaceKind(CrafterKind):
    types: ClassVar[tuple[str, ...]] = ("furnace",)
    insert_order: ClassVar[tuple[str, ...]] = (FUEL, CRAFTER_INPUT)
    getters = dict(CRAFTER_GETTERS)
    methods = {**CRAFTER_METHODS, "get_recipe": _get_recipe}

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        recipes = _recipes(world, entity)
        entity.state = FurnaceState(float(proto.get("crafting_speed", 1)))
        # The item names, never the recipe prototypes: a save writes the filter as data.
        new_inventory(world, entity, CRAFTER_INPUT, int(proto.get("source_inventory_size", 1)), item_filter(recipes))
        new_inventory(world, entity, CRAFTER_OUTPUT, int(proto.get("result_inventory_size", 1)))
        super().attach(world, entity)  # the energy source (a burner adds the fuel slot), then subscriptions

    def next_recipe(self, world: World, entity: Entity) -> dict[str, Any] | None:
        stack = entity.inventories[CRAFTER_INPUT].first()
        if stack is None:
            entity.state.status = "no_ingredients"
            return None
        return _recipes(world, entity)[stack.name]

    def ingredient_recipe(self, world: World, entity: Entity, name: str) -> tuple[dict[str, Any], int] | None:
        recipe = _recipes(world, entity).get(name)
        if recipe is None:
            return None
        return recipe, int(recipe["ingredients"][0].get("amount", 1))
