"""Assembling machines: the recipe chosen with `set_recipe`, one craft per energy_required / crafting_speed seconds
at the energy source's `energy_usage` (the crafting itself: kinds/crafting.py).

The ingredient inventory has one slot per item ingredient and the result inventory one per item product, sized when
the recipe is set (no recipe: no slots), as the game sizes them. `LuaEntity.insert` puts at most one stack of each
ingredient in; inserters stop at the overload limit (kinds/crafting.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import new_inventory
from factoryverse.engine.kinds.crafting import (
    CRAFTER_GETTERS, CRAFTER_METHODS, CrafterKind, CraftingState, item_ingredients, item_products, recipe_categories,
    recipe_object,
)
from factoryverse.engine.kinds.fluid_crafting import crafting_state
from factoryverse.engine.mechanics.fluids import detach_boxes
from factoryverse.engine.world.inventory import CRAFTER_INPUT, CRAFTER_OUTPUT, FUEL, item_filter

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["AssemblerKind"]


class AssemblerKind(CrafterKind):
    types: ClassVar[tuple[str, ...]] = ("assembling-machine",)
    insert_order: ClassVar[tuple[str, ...]] = (FUEL, CRAFTER_INPUT)
    # defines.entity_status: no_ingredients is the furnaces' status, item_ingredient_shortage the crafting machines'.
    shortage_status: ClassVar[str] = "item_ingredient_shortage"

    def attach(self, world: World, entity: Entity) -> None:
        # With fluid boxes (assembling machines 2 and 3) the state also holds them (kinds/fluid_crafting.py).
        entity.state = crafting_state(world, entity, float(entity.proto.get("crafting_speed", 1)), "no_recipe")
        new_inventory(world, entity, CRAFTER_INPUT, 0, item_filter(()))
        new_inventory(world, entity, CRAFTER_OUTPUT, 0)
        super().attach(world, entity)

    def destroyed(self, world: World, entity: Entity) -> None:
        detach_boxes(world, entity)  # a machine without fluid boxes has none to leave
        super().destroyed(world, entity)

    def next_recipe(self, world: World, entity: Entity) -> dict[str, Any] | None:
        name = entity.state.recipe
        if name is None:
            entity.state.status = "no_recipe"
            return None
        return world.protos.recipes[name]

    def ingredient_recipe(self, world: World, entity: Entity, name: str) -> tuple[dict[str, Any], int] | None:
        recipe_name = entity.state.recipe
        if recipe_name is None:
            return None
        recipe = world.protos.recipes[recipe_name]
        for item, amount in item_ingredients(recipe):
            if item == name:
                return recipe, amount
        return None

    def insert(self, world: World, entity: Entity, name: str, count: int) -> int:
        # One stack per ingredient slot: a second slot never fills up with the first ingredient.
        fuel = entity.inventories.get(FUEL)
        if fuel is not None and fuel.accepts is not None and fuel.accepts(name):
            return fuel.insert(name, count)
        inputs = entity.inventories[CRAFTER_INPUT]
        room = inputs.stack_size(name) - inputs.count(name) if self.ingredient_recipe(world, entity, name) else 0
        return inputs.insert(name, min(count, room)) if room > 0 else 0

    def configure(self, world: World, entity: Entity, params: dict[str, Any]) -> None:
        # create_entity{..., recipe = name}: the machine is built with its recipe set, checked as set_recipe checks it.
        recipe = params.get("recipe")
        if recipe is not None:
            self.set_recipe(world, entity, _assembler_recipe(world, entity, recipe))

    # -- the recipe ---------------------------------------------------------------------------------------------

    def set_recipe(self, world: World, entity: Entity, name: str | None) -> list[tuple[str, int]]:
        """Choose `name` (None clears it). Returns what came out: the ingredient and result inventories' contents
        and a started craft's ingredients, which leave the machine (the caller decides where they go)."""
        state: CraftingState = entity.state
        if name == state.recipe:
            return []
        removed: dict[str, int] = {}
        for index in (CRAFTER_INPUT, CRAFTER_OUTPUT):
            for item, count in entity.inventories[index].contents().items():
                removed[item] = removed.get(item, 0) + count
        for item, count in state.holding:
            removed[item] = removed.get(item, 0) + count
        recipe = None if name is None else world.protos.recipes[name]
        inputs, outputs = entity.inventories[CRAFTER_INPUT], entity.inventories[CRAFTER_OUTPUT]
        ingredients = [] if recipe is None else item_ingredients(recipe)
        inputs.accepts = item_filter(item for item, _ in ingredients)
        inputs.slots = [None] * len(ingredients)
        outputs.slots = [None] * (0 if recipe is None else len(item_products(recipe)))
        state.recipe = name
        state.crafting = False
        state.holding = []
        state.progress = 0.0
        state.rate = 0.0
        state.status = "no_recipe" if recipe is None else self.shortage_status
        inputs.notify()  # whoever waits on the machine (inserters, the machine itself) looks again
        outputs.notify()
        world.poke(entity)
        return list(removed.items())


def _assembler_recipe(world: World, entity: Entity, recipe: Any) -> str | None:
    """The recipe name `set_recipe`'s argument names, checked as the game checks it."""
    if recipe is None:
        return None
    name = recipe if isinstance(recipe, str) else getattr(recipe, "name", None)
    if not isinstance(name, str):
        raise ScriptError(f"Invalid argument #1 (recipe) to 'set_recipe': expected RecipeID, got {recipe!r}")
    data = world.protos.recipes.get(name)
    if data is None:
        raise ScriptError(f"Unknown recipe name: {name}")
    if not recipe_categories(data) & set(entity.proto.get("crafting_categories") or ()):
        raise ScriptError(f"Recipe {name} can't be crafted in {entity.name}: its category is not one of the machine's.")
    if not entity.force.recipe_enabled(name):
        raise ScriptError(f"Recipe {name} is not enabled for force {entity.force.name}.")
    return name


def _set_recipe(lua: Any, entity: Entity, recipe: Any = None, quality: Any = None) -> list[dict[str, Any]]:
    if quality is not None and (quality if isinstance(quality, str) else getattr(quality, "name", None)) != "normal":
        raise ScriptError(f"Unknown quality name: {quality}. This engine has only the normal quality.")
    world = lua.engine.world
    name = _assembler_recipe(world, entity, recipe)
    removed = entity.kind.set_recipe(world, entity, name)
    return [{"name": item, "count": count, "quality": "normal"} for item, count in removed]


def _get_recipe(lua: Any, entity: Entity) -> Any:
    name = entity.state.recipe
    return None if name is None else recipe_object(entity.force, name)


AssemblerKind.getters = dict(CRAFTER_GETTERS)
AssemblerKind.methods = {**CRAFTER_METHODS, "get_recipe": _get_recipe, "set_recipe": _set_recipe}
