"""Furnaces: pick the smelting recipe from the item in the source slot, craft at `crafting_speed`, burn fuel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.prototypes import parse_energy
from factoryverse.engine.world.inventory import CRAFTER_INPUT, CRAFTER_OUTPUT

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["FurnaceMachine"]

_EPS = 1e-9


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


class FurnaceMachine:
    __slots__ = ("recipes", "recipe", "progress", "status", "energy_per_tick", "speed", "entity", "previous_recipe")

    def __init__(self, world: World, entity: Entity):
        proto = entity.proto
        self.entity = entity
        self.recipes = _recipes_by_ingredient(world, frozenset(proto.get("crafting_categories") or ["smelting"]))
        self.recipe: dict[str, Any] | None = None
        self.previous_recipe: dict[str, Any] | None = None
        self.progress = 0.0
        self.status = "no_ingredients"
        self.energy_per_tick = parse_energy(proto.get("energy_usage", "0W")) / 60.0
        self.speed = float(proto.get("crafting_speed", 1))

    def accepts_source(self, name: str) -> bool:
        return name in self.recipes

    def _results_fit(self, world: World, entity: Entity, recipe: dict[str, Any]) -> bool:
        out = entity.inventories[CRAFTER_OUTPUT]
        return all(out.can_insert(r["name"], int(r.get("amount", 1))) >= int(r.get("amount", 1)) for r in recipe.get("results", []))

    def update(self, world: World, entity: Entity) -> bool:
        if self.recipe is None:
            stack = entity.inventories[CRAFTER_INPUT].first()
            if stack is None:
                self.status = "no_ingredients"
                return False
            recipe = self.recipes[stack.name]
            need = int(recipe["ingredients"][0].get("amount", 1))
            if stack.count < need:
                self.status = "no_ingredients"
                return False
            if not self._results_fit(world, entity, recipe):
                self.status = "full_output"
                return False  # woken when products are taken
            entity.inventories[CRAFTER_INPUT].remove(stack.name, need)
            self.recipe = recipe
            self.previous_recipe = recipe
            self.progress = 0.0
        if entity.burner is not None and not entity.burner.consume(self.energy_per_tick):
            self.status = "no_fuel"
            return False
        self.status = "working"
        self.progress += self.speed
        recipe = self.recipe
        if self.progress + _EPS >= float(recipe.get("energy_required", 0.5)) * 60:
            if not self._results_fit(world, entity, recipe):
                self.progress -= self.speed
                self.status = "full_output"
                return False
            out = entity.inventories[CRAFTER_OUTPUT]
            for r in recipe.get("results", []):
                out.insert(r["name"], int(r.get("amount", 1)))
            self.recipe = None
            self.progress = 0.0
        return True
