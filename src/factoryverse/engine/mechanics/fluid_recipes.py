"""Recipes with fluids in crafting machines with fluid boxes (assembling machines 2 and 3, chemical plants, ...).

A recipe's fluid ingredients are taken from the machine's input boxes in order, its fluid products go into its
output boxes in order. A craft starts only when each ingredient's pool holds the amount (the machine draws on its
box's whole pool: mechanics/fluid_network.py) and each product's pool has room; until then the machine waits on
those pools (`Flow.wait`), which wake it on the tick they have it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.mechanics.fluid_network import EPS
from factoryverse.engine.mechanics.fluid_statistics import fluid_statistics
from factoryverse.engine.mechanics.fluids import boxes_of, flow_key, fluid_temperature

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["fluid_blocked", "take_fluids", "give_fluids"]


def _fluids(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [i for i in items or () if i.get("type") == "fluid"]


# recipe id -> (recipe, fluid ingredients, fluid products): asked at every craft's start; the recipe is kept so that
# its id can't be reused by another.
_SPLIT: dict[int, tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]] = {}


def _recipe_fluids(recipe: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    found = _SPLIT.get(id(recipe))
    if found is None or found[0] is not recipe:
        found = _SPLIT[id(recipe)] = (recipe, _fluids(recipe.get("ingredients")), _fluids(recipe.get("results")))
    return found[1], found[2]


def _sides(entity: Entity) -> tuple[list[Any], list[Any]]:
    boxes = boxes_of(entity) or []
    return ([b for b in boxes if b.production_type in ("input", "input-output")],
            [b for b in boxes if b.production_type == "output"])


def fluid_blocked(world: World, entity: Entity, recipe: dict[str, Any]) -> str | None:
    """Why a craft of `recipe` can't start for its fluids (an entity status), or None; waits on what is missing."""
    ingredients, products = _recipe_fluids(recipe)
    if not ingredients and not products:
        return None
    inputs, outputs = _sides(entity)
    if len(ingredients) > len(inputs):
        return "fluid_ingredient_shortage"
    if len(products) > len(outputs):
        return "full_output"
    tick = world.tick
    blocked: str | None = None
    touched = []
    for ing, box in zip(ingredients, inputs):
        net = box.network
        f = net.flow(flow_key(entity, box.index), entity, -1, tick)
        have = net.level(tick) if net.fluid == ing["name"] else 0.0
        need = float(ing.get("amount", 0))
        f.wait = need if have < need - EPS else 0.0
        if f.wait and blocked is None:
            blocked = "fluid_ingredient_shortage"
        touched.append(net)
    for prod, box in zip(products, outputs):
        net = box.network
        f = net.flow(flow_key(entity, box.index), entity, +1, tick)
        amount = float(prod.get("amount", prod.get("amount_max", 0)))
        fits = net.accepts(prod["name"]) and net.room(tick) >= amount - EPS
        f.wait = 0.0 if fits else amount
        if not fits and blocked is None:
            blocked = "full_output"
        touched.append(net)
    for net in touched:
        net.solve(world, tick)
    return blocked


def take_fluids(world: World, entity: Entity, recipe: dict[str, Any]) -> None:
    """The craft starts: its fluid ingredients leave their pools (checked by `fluid_blocked` just before)."""
    ingredients = _recipe_fluids(recipe)[0]
    if not ingredients:
        return
    inputs, _ = _sides(entity)
    tick = world.tick
    for ing, box in zip(ingredients, inputs):
        net = box.network
        got = net.take(tick, float(ing.get("amount", 0)))
        f = net.flows.get(flow_key(entity, box.index))
        if f is not None:
            f.wait = 0.0
        if got:
            fluid_statistics(world, entity.force, entity.surface, create=True).output.add(tick, ing["name"], got)
        net.solve(world, tick)


def give_fluids(world: World, entity: Entity, recipe: dict[str, Any]) -> None:
    """The craft is done: its fluid products go into the output pools (what no longer fits is lost)."""
    products = _recipe_fluids(recipe)[1]
    if not products:
        return
    _, outputs = _sides(entity)
    tick = world.tick
    for prod, box in zip(products, outputs):
        net = box.network
        name = prod["name"]
        amount = float(prod.get("amount", prod.get("amount_max", 0)))
        temperature = prod.get("temperature")
        put = net.add(tick, name, amount, float(temperature) if temperature is not None else fluid_temperature(world, name))
        if put:
            fluid_statistics(world, entity.force, entity.surface, create=True).input.add(tick, name, put)
        net.solve(world, tick)
        net.changed(world)
