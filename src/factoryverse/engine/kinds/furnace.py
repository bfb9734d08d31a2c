"""Furnaces: the smelting recipe chosen by the item in the source slot, one craft per energy_required /
crafting_speed seconds, at the energy source's `energy_usage`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.base import new_inventory
from factoryverse.engine.kinds.machine import MachineKind, MachineState, ticks_to_complete
from factoryverse.engine.mechanics.energy import EPS
from factoryverse.engine.world.inventory import CRAFTER_INPUT, CRAFTER_OUTPUT, FUEL

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["FurnaceKind", "FurnaceState"]


def _recipes_by_ingredient(world: World, categories: frozenset[str]) -> dict[str, dict[str, Any]]:
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


class FurnaceState(MachineState):
    __slots__ = ("recipes", "recipe", "need", "previous_recipe", "products_finished")

    def __init__(self, speed: float, recipes: dict[str, dict[str, Any]]):
        super().__init__(speed, "no_ingredients")
        self.recipes = recipes
        self.recipe: dict[str, Any] | None = None
        self.need = 0.0  # the recipe's energy_required in ticks at speed 1
        self.previous_recipe: dict[str, Any] | None = None
        self.products_finished = 0


def _results_fit(entity: Entity, recipe: dict[str, Any]) -> bool:
    out = entity.inventories[CRAFTER_OUTPUT]
    return all(out.can_insert(r["name"], int(r.get("amount", 1))) >= int(r.get("amount", 1)) for r in recipe.get("results", []))


def _crafting_progress(lua: Any, entity: Entity) -> float:
    state: FurnaceState = entity.state
    if state.recipe is None:
        return 0.0
    return min(1.0, state.progress_at(lua.engine.world.tick) / state.need)


def _is_crafting(lua: Any, entity: Entity) -> bool:
    # A craft started (its ingredients taken), whether or not it is progressing now.
    return entity.state.recipe is not None


def _products_finished(lua: Any, entity: Entity) -> int:
    return entity.state.products_finished


class FurnaceKind(MachineKind):
    types: ClassVar[tuple[str, ...]] = ("furnace",)
    insert_order: ClassVar[tuple[str, ...]] = (FUEL, CRAFTER_INPUT)
    takes_drops: ClassVar[bool] = True
    output_inventory_name: ClassVar[str | None] = CRAFTER_OUTPUT
    getters = {"crafting_progress": _crafting_progress, "products_finished": _products_finished}
    methods = {"is_crafting": _is_crafting}

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        recipes = _recipes_by_ingredient(world, frozenset(proto.get("crafting_categories") or ["smelting"]))
        state = FurnaceState(float(proto.get("crafting_speed", 1)), recipes)
        entity.state = state
        new_inventory(world, entity, CRAFTER_INPUT, int(proto.get("source_inventory_size", 1)), recipes.__contains__)
        new_inventory(world, entity, CRAFTER_OUTPUT, int(proto.get("result_inventory_size", 1)))
        super().attach(world, entity)  # the energy source (a burner adds the fuel slot), then subscriptions

    def work(self, world: World, entity: Entity, tick: int) -> int | None:
        state: FurnaceState = entity.state
        if state.recipe is None:
            source = entity.inventories[CRAFTER_INPUT]
            stack = source.first()
            if stack is None:
                state.status = "no_ingredients"
                return None
            recipe = state.recipes[stack.name]
            amount = int(recipe["ingredients"][0].get("amount", 1))
            if stack.count < amount:
                state.status = "no_ingredients"
                return None
            if not _results_fit(entity, recipe):
                state.status = "full_output"
                return None  # woken when products are taken
            source.remove(stack.name, amount)
            state.recipe = state.previous_recipe = recipe
            state.need = float(recipe.get("energy_required", 0.5)) * 60
            state.progress = 0.0
        factor = self.draw(entity, tick)
        if factor <= 0:
            return None  # woken by fuel or power
        rate = state.speed * factor
        state.progress += rate
        if state.progress + EPS >= state.need:
            recipe = state.recipe
            if not _results_fit(entity, recipe):
                state.progress -= rate
                state.status = "full_output"
                return None
            out = entity.inventories[CRAFTER_OUTPUT]
            for r in recipe.get("results", []):
                out.insert(r["name"], int(r.get("amount", 1)))
                state.products_finished += int(r.get("amount", 1))
            state.recipe = None
            state.progress = 0.0
            return tick + 1  # the next craft starts with the next tick's update
        state.rate = rate
        return tick + ticks_to_complete(state.progress, rate, state.need)
