"""What furnaces and assembling machines share: a craft takes its recipe's item ingredients when it starts, runs for
`energy_required / crafting_speed` seconds at the energy source's `energy_usage`, and puts its products into the
result inventory when it ends.

A craft starts only when every product fits in the result inventory, as the game's machines stop at a full product
stack. Ingredients taken count as consumed and products as produced in the force's item statistics, at the tick it
happens. Products with `probability`, `amount_min`/`amount_max` or `extra_count_fraction` draw from the map's
random generator (the one `math.random` uses), only when such a product is made, so a deterministic recipe never
moves it.

Inserters fill a crafting machine only while it holds fewer of an ingredient than the game's overload limit:
`amount * clamp(ceil(dynamic_recipe_overload_factor * crafting_speed / energy_required) + 1, minimum, maximum)`,
from the `utility-constants` fields of those names (the rule measured in Factorio 2.1.20 by
github.com/5thlayer/factoryworks, scripts/factorio-overload-extract.py: 6 plates for a gear wheel in an assembling
machine 1, 8 in an assembling machine 3). An inserter then drops its whole hand.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.kinds.machine import MachineKind, MachineState, ticks_to_complete
from factoryverse.engine.mechanics.energy import EPS
from factoryverse.engine.mechanics import research
from factoryverse.engine.mechanics.fluid_recipes import fluid_blocked, give_fluids, take_fluids
from factoryverse.engine.world.inventory import CRAFTER_INPUT, CRAFTER_OUTPUT, FUEL, Inventory, Stack

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = [
    "CrafterKind", "CraftingState", "overload_limit", "item_ingredients", "item_products", "recipe_object",
]


class CraftingState(MachineState):
    """`recipe` names the recipe the machine crafts (an assembler's chosen one; a furnace's current one, or None);
    `crafting` says a craft has started (its ingredients taken, now in `holding`); `need` is its energy_required in
    ticks at speed 1."""

    __slots__ = ("recipe", "crafting", "need", "products_finished", "holding")

    def __init__(self, speed: float, status: str):
        super().__init__(speed, status)
        self.recipe: str | None = None
        self.crafting = False
        self.need = 0.0
        self.products_finished = 0
        self.holding: list[tuple[str, int]] = []  # the started craft's ingredients, taken from the input inventory


# -- recipes ----------------------------------------------------------------------------------------------------


def energy_ticks(recipe: dict[str, Any]) -> float:
    # energy_required defaults to 0.5 s (RecipePrototype docs), as the iron gear wheel's data leaves it out.
    return float(recipe.get("energy_required", 0.5)) * 60


def item_ingredients(recipe: dict[str, Any]) -> list[tuple[str, int]]:
    return [(i["name"], int(i.get("amount", 1))) for i in recipe.get("ingredients") or [] if i.get("type", "item") == "item"]


def item_products(recipe: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in recipe.get("results") or [] if r.get("type", "item") == "item"]


def has_fluid_ingredients(recipe: dict[str, Any]) -> bool:
    return any(i.get("type") == "fluid" for i in recipe.get("ingredients") or [])


def recipe_categories(recipe: dict[str, Any]) -> set[str]:
    # 2.1's data lists a recipe's `categories`; 2.0's has one `category` (furnace.py and crafting_queue.py read both).
    cats = set(recipe.get("categories") or [recipe.get("category", "crafting")])
    cats.update(recipe.get("additional_categories") or ())
    return cats


def _most(product: dict[str, Any]) -> int:
    """The most one craft can yield of a product (what must fit before the craft starts)."""
    if "amount" in product:
        n = int(product["amount"])
    else:
        n = max(int(product.get("amount_min", 1)), int(product.get("amount_max", 1)))
    return n + (1 if product.get("extra_count_fraction") else 0)


def _map_rng(world: World) -> random.Random:
    # The engine's one map generator (lua/environment.py makes it for math.random; saves and the state hash keep it).
    engine = world.engine
    rng = engine.__dict__.get("_lua_math_random")
    if rng is None:
        rng = engine._lua_math_random = random.Random(engine.seed)
    return rng


def _amount(world: World, product: dict[str, Any]) -> int:
    """One craft's yield of `product`, drawing from the map generator only for a random product."""
    p = float(product.get("probability", 1))
    if p < 1 and _map_rng(world).random() >= p:
        return 0
    if "amount" in product:
        n = int(product["amount"])
    else:
        lo = int(product.get("amount_min", 1))
        hi = max(lo, int(product.get("amount_max", lo)))  # the game uses amount_min when max is smaller
        n = lo if hi == lo else _map_rng(world).randint(lo, hi)
    extra = float(product.get("extra_count_fraction", 0) or 0)
    if extra and _map_rng(world).random() < extra:
        n += 1
    return n


# (recipe id, speed, amount) -> (recipe, limit): asked on every inserter drop and pickup check; the recipe is kept so
# that its id can't be reused by another.
_OVERLOADS: dict[tuple[int, float, int], tuple[dict[str, Any], int]] = {}


def overload_limit(world: World, recipe: dict[str, Any], speed: float, amount: int) -> int:
    """How many of an ingredient (`amount` per craft) inserters bring before the machine counts as full enough."""
    key = (id(recipe), speed, amount)
    found = _OVERLOADS.get(key)
    if found is None or found[0] is not recipe:
        found = _OVERLOADS[key] = (recipe, _overload_limit(world, recipe, speed, amount))
    return found[1]


def _overload_limit(world: World, recipe: dict[str, Any], speed: float, amount: int) -> int:
    fixed = recipe.get("overload_multiplier")
    if fixed:
        return amount * int(fixed)
    c = world.protos.raw["utility-constants"]["default"]
    crafts = float(c["dynamic_recipe_overload_factor"]) * speed / (energy_ticks(recipe) / 60)
    mult = math.ceil(crafts - 1e-9) + 1
    mult = min(int(c["maximum_recipe_overload_multiplier"]), max(int(c["minimum_recipe_overload_multiplier"]), mult))
    return amount * mult


def recipe_object(force: Any, name: str) -> Any:
    """The LuaRecipe of `force` named `name`, as get_recipe returns it."""
    # Imported here: the API layer (api/recipe.py) imports the kinds, not the other way round.
    from factoryverse.engine.api.recipe import RecipeRef

    return RecipeRef(force, name)


# -- the kind -----------------------------------------------------------------------------------------------------


class CrafterKind(MachineKind):
    """Crafting machines; a subclass says which recipe comes next (`next_recipe`)."""

    output_inventory_name: ClassVar[str | None] = CRAFTER_OUTPUT
    takes_drops: ClassVar[bool] = True
    # Status while a recipe lacks item ingredients (furnaces: no_ingredients; assemblers: item_ingredient_shortage).
    shortage_status: ClassVar[str] = "no_ingredients"

    def next_recipe(self, world: World, entity: Entity) -> dict[str, Any] | None:
        """The recipe of the next craft, or None with `state.status` saying why there is none."""
        raise NotImplementedError

    def work(self, world: World, entity: Entity, tick: int) -> int | None:
        state: CraftingState = entity.state
        if not state.crafting:
            recipe = self.next_recipe(world, entity)
            if recipe is None:
                return None  # woken when ingredients arrive or a recipe is set
            if not self._start(world, entity, state, recipe):
                return None
        factor = self.draw(entity, tick)
        if factor <= 0:
            return None  # woken by fuel or power
        rate = state.speed * factor
        state.progress += rate
        if state.progress + EPS >= state.need:
            recipe = world.protos.recipes[state.recipe]
            if not results_fit(entity, recipe):  # a script filled the result inventory meanwhile
                state.progress -= rate
                state.status = "full_output"
                return None  # woken when products are taken
            self._finish(world, entity, state, recipe)
            return tick + 1  # the next craft starts with the next tick's update
        state.rate = rate
        return tick + ticks_to_complete(state.progress, rate, state.need)

    def _start(self, world: World, entity: Entity, state: CraftingState, recipe: dict[str, Any]) -> bool:
        inputs = entity.inventories[CRAFTER_INPUT]
        needed = item_ingredients(recipe)
        if any(inputs.count(name) < amount for name, amount in needed):
            state.status = self.shortage_status
            return False
        blocked = fluid_blocked(world, entity, recipe)  # fluid ingredients and room for fluid products
        if blocked is not None:
            state.status = blocked
            return False
        if not results_fit(entity, recipe):
            state.status = "full_output"
            return False
        for name, amount in needed:
            inputs.remove(name, amount)
            world.record_consumption(entity.force, entity.surface, name, amount)
        take_fluids(world, entity, recipe)
        state.holding = needed
        state.recipe = recipe["name"]
        state.crafting = True
        state.need = energy_ticks(recipe)
        state.progress = 0.0
        return True

    @staticmethod
    def _finish(world: World, entity: Entity, state: CraftingState, recipe: dict[str, Any]) -> None:
        out = entity.inventories[CRAFTER_OUTPUT]
        for product in item_products(recipe):
            n = _amount(world, product)
            if n:
                out.insert(product["name"], n)
                world.record_production(entity.force, entity.surface, product["name"], n)
                research.crafted(world, entity.force, product["name"], n)
                state.products_finished += n
        give_fluids(world, entity, recipe)
        state.crafting = False
        state.holding = []
        state.progress = 0.0

    def ingredient_recipe(self, world: World, entity: Entity, name: str) -> tuple[dict[str, Any], int] | None:
        """The recipe item `name` would be an ingredient of here, with its amount per craft (None: not one)."""
        raise NotImplementedError

    def put_at(self, world: World, entity: Entity, x: float, y: float, name: str, count: int, giver: Entity) -> int:
        """An inserter's drop: fuel into the fuel slot; an ingredient only below the overload limit (module doc)."""
        fuel = entity.inventories.get(FUEL)
        if fuel is not None and fuel.accepts is not None and fuel.accepts(name):
            return fuel.insert(name, count)
        found = self.ingredient_recipe(world, entity, name)
        if found is None:
            return 0
        recipe, amount = found
        inputs = entity.inventories[CRAFTER_INPUT]
        if inputs.count(name) >= overload_limit(world, recipe, entity.state.speed, amount):
            return 0
        return inputs.insert(name, count)

    def can_put_at(self, world: World, entity: Entity, x: float, y: float, name: str, giver: Entity) -> bool:
        # put_at's rule, moving nothing: an inserter picks up only what it can drop here (kinds/inserter.py).
        fuel = entity.inventories.get(FUEL)
        if fuel is not None and fuel.accepts is not None and fuel.accepts(name):
            return fuel.can_insert(name, 1) > 0
        found = self.ingredient_recipe(world, entity, name)
        if found is None:
            return False
        recipe, amount = found
        inputs = entity.inventories[CRAFTER_INPUT]
        return inputs.count(name) < overload_limit(world, recipe, entity.state.speed, amount) and inputs.can_insert(name, 1) > 0

    def watch_take(self, world: World, entity: Entity, waiter: Entity, x: float, y: float) -> None:
        # A hand takes only from the result inventory (Kind.take_at): fuel burnt or ingredients put in change nothing
        # it could take, so they don't wake it.
        entity.inventories[CRAFTER_OUTPUT].subscribe(waiter, world.wake)

    def mined_items(self, entity: Entity) -> list[tuple[str, int]]:
        # A started craft's ingredients go back to whoever mines the machine, with everything it holds.
        return super().mined_items(entity) + list(entity.state.holding)


def results_fit(entity: Entity, recipe: dict[str, Any]) -> bool:
    out: Inventory = entity.inventories[CRAFTER_OUTPUT]
    products = item_products(recipe)
    if len(products) <= 1:
        return all(out.can_insert(p["name"], _most(p)) >= _most(p) for p in products)
    # Several products compete for the slots: try them one after another on a scratch copy.
    trial = Inventory(len(out), out.stack_size, oid=0)
    trial.slots = [None if s is None else Stack(s.name, s.count) for s in out.slots]
    return all(trial.insert(p["name"], _most(p)) == _most(p) for p in products)


# -- LuaEntity members both crafting kinds answer -------------------------------------------------------------------


def crafting_progress(lua: Any, entity: Entity) -> float:
    state: CraftingState = entity.state
    if not state.crafting:
        return 0.0
    return min(1.0, state.progress_at(lua.engine.world.tick) / state.need)


def is_crafting(lua: Any, entity: Entity) -> bool:
    # A craft started (its ingredients taken), whether or not it is progressing now.
    return bool(entity.state.crafting)


def products_finished(lua: Any, entity: Entity) -> int:
    return entity.state.products_finished


def crafting_speed(lua: Any, entity: Entity) -> float:
    return entity.state.speed  # no modules or beacons yet: the prototype's crafting_speed


CRAFTER_GETTERS = {
    "crafting_progress": crafting_progress,
    "products_finished": products_finished,
    "crafting_speed": crafting_speed,
}
CRAFTER_METHODS = {"is_crafting": is_crafting}
