"""Hand crafting: a character's crafting queue, planned with intermediates first and run at exact ticks.

`begin_crafting` plans the requested crafts against the main inventory: an ingredient the inventory lacks is
crafted first from what it has (an electronic circuit from plates queues copper cable), each such craft queued
before the one that needs it and marked `prerequisite`. Everything the plan uses from the inventory is taken at
once into the queue's reserve; a finished craft takes its ingredients from the reserve and puts its products back
there, and whatever the rest of the queue no longer needs goes to the main inventory (to the ground when full).
So the reserve always holds exactly what the queue still needs from it, cancelling returns what it frees, and a
cancel that starves a later craft cancels that craft too, as the game does.

The front craft progresses `1 + force.manual_crafting_speed_modifier + character_crafting_speed_modifier` per
tick against `energy_required * 60`; the character is updated only when a craft ends (kinds/character.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.machine import ticks_to_complete
from factoryverse.engine.mechanics.energy import EPS
from factoryverse.engine.mechanics import research

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = [
    "CraftItem", "recipe_for", "plan", "craftable_count", "begin", "cancel", "update", "crafting_speed", "seconds",
    "hand_craftable", "progress", "set_progress", "check_count",
]

# Deepest chain of intermediates followed (the base game's deepest hand-craftable chain is far shorter).
_MAX_DEPTH = 16


class CraftItem:
    """One entry of the queue: `count` crafts of recipe `recipe` (a name); `prerequisite` when queued as an
    intermediate for a later entry."""

    __slots__ = ("recipe", "count", "prerequisite")

    def __init__(self, recipe: str, count: int, prerequisite: bool):
        self.recipe = recipe
        self.count = count
        self.prerequisite = prerequisite


# -- recipes --------------------------------------------------------------------------------------------------


def seconds(recipe: dict[str, Any]) -> float:
    return float(recipe.get("energy_required", 0.5))


def _categories(recipe: dict[str, Any]) -> list[str]:
    return list(recipe.get("categories") or [recipe.get("category", "crafting")])


def _amount(entry: dict[str, Any]) -> int:
    return int(entry.get("amount", entry.get("amount_min", 1)))


def _ingredients(recipe: dict[str, Any]) -> list[tuple[str, int, bool]]:
    return [(i["name"], _amount(i), i.get("type", "item") == "item") for i in recipe.get("ingredients") or ()]


def _results(recipe: dict[str, Any]) -> list[tuple[str, int]]:
    return [(r["name"], _amount(r)) for r in recipe.get("results") or () if r.get("type", "item") == "item"]


def hand_craftable(character: Entity, recipe: dict[str, Any]) -> bool:
    cats = set(character.proto.get("crafting_categories") or ())
    return any(c in cats for c in _categories(recipe))


# Recipes producing each item, per recipe table: {id(recipes): (recipes, {item: [recipe names]})}. The table is
# kept beside its index so its id cannot be reused; derived from prototype data, never saved.
_PRODUCERS: dict[int, tuple[dict[str, Any], dict[str, list[str]]]] = {}


def _producers(recipes: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    found = _PRODUCERS.get(id(recipes))
    if found is None or found[0] is not recipes:
        index: dict[str, list[str]] = {}
        for name in sorted(recipes):
            r = recipes[name]
            if r.get("allow_as_intermediate", True) is False or r.get("hidden_from_player_crafting"):
                continue
            for item, _ in _results(r):
                index.setdefault(item, []).append(name)
        for item, names in index.items():  # the recipe named after the item first, as the game prefers it
            names.sort(key=lambda n: (n != item, n))
        found = _PRODUCERS[id(recipes)] = (recipes, index)
    return found[1]


def _intermediate(world: World, character: Entity, item: str) -> dict[str, Any] | None:
    recipes = world.protos.recipes
    for name in _producers(recipes).get(item, ()):
        r = recipes[name]
        if character.force.recipe_enabled(name) and hand_craftable(character, r):
            return r
    return None


def recipe_for(world: World, character: Entity, value: Any, what: str) -> dict[str, Any]:
    """A RecipeID (name, LuaRecipe or LuaRecipePrototype) -> the recipe prototype, or the error for an unknown one."""
    name = value if isinstance(value, str) else getattr(value, "name", None)
    if isinstance(value, dict):
        name = value.get("name")
    if not isinstance(name, str):
        raise ScriptError(f"Invalid argument to '{what}': recipe must be a recipe name, LuaRecipe or LuaRecipePrototype, got {value!r}")
    recipe = world.protos.recipes.get(name)
    if recipe is None:
        raise ScriptError(f"Unknown recipe name: {name}")
    return recipe


# -- planning -------------------------------------------------------------------------------------------------


def plan(
    world: World, character: Entity, recipe: dict[str, Any], count: int, avail: dict[str, int]
) -> list[CraftItem] | None:
    """The queue entries crafting `count` of `recipe` from `avail` (item -> count, updated to what is left), with
    the intermediates first; None if it can't be done."""
    steps: list[CraftItem] = []
    ok = _plan(world, character, recipe, count, avail, steps, (recipe["name"],), False)
    return steps if ok else None


def _plan(
    world: World, character: Entity, recipe: dict[str, Any], count: int, avail: dict[str, int],
    steps: list[CraftItem], chain: tuple[str, ...], prerequisite: bool,
) -> bool:
    for name, amount, is_item in _ingredients(recipe):
        need = amount * count
        use = min(avail.get(name, 0), need)
        if use:
            avail[name] -= use
        short = need - use
        if not short:
            continue
        sub = _intermediate(world, character, name) if is_item and len(chain) < _MAX_DEPTH else None
        if sub is None or sub["name"] in chain:
            return False
        made = next(n for item, n in _results(sub) if item == name)
        crafts = -(-short // made)
        if not _plan(world, character, sub, crafts, avail, steps, (*chain, sub["name"]), True):
            return False
        avail[name] = avail.get(name, 0) + crafts * made - short  # the surplus is there for what follows
    steps.append(CraftItem(recipe["name"], count, prerequisite))
    return True


def _inventory_counts(character: Entity) -> dict[str, int]:
    inv = character.kind.main_inventory(character)
    return dict(inv.contents()) if inv is not None else {}


def craftable_count(world: World, character: Entity, recipe: dict[str, Any]) -> int:
    """How many crafts of `recipe` the main inventory allows, intermediates included (the largest feasible plan)."""
    if not hand_craftable(character, recipe) or not character.force.recipe_enabled(recipe["name"]):
        return 0
    have = _inventory_counts(character)
    if not _ingredients(recipe):
        return 2**32 - 1
    return _largest(world, character, recipe, have, sum(have.values()))


def _largest(world: World, character: Entity, recipe: dict[str, Any], have: dict[str, int], most: int) -> int:
    # Every craft uses at least one item from the inventory, so `most` bounds the answer; feasibility is monotone.
    lo, hi = 0, most
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if plan(world, character, recipe, mid, dict(have)) is not None:
            lo = mid
        else:
            hi = mid - 1
    return lo


# -- the queue ------------------------------------------------------------------------------------------------


def _holdings_needed(world: World, queue: list[CraftItem]) -> dict[str, int]:
    """What the reserve must hold for `queue` to run in order (each craft's products count for the later ones)."""
    balance: dict[str, int] = {}
    lowest: dict[str, int] = {}
    recipes = world.protos.recipes
    for item in queue:
        r = recipes[item.recipe]
        for name, amount, _ in _ingredients(r):
            b = balance[name] = balance.get(name, 0) - amount * item.count
            if b < lowest.get(name, 0):
                lowest[name] = b
        for name, amount in _results(r):
            balance[name] = balance.get(name, 0) + amount * item.count
    return {name: -b for name, b in lowest.items() if b < 0}


def _trim_starved(world: World, queue: list[CraftItem], reserve: dict[str, int]) -> list[CraftItem]:
    """Cancel, front to back, the crafts the reserve and earlier products can no longer feed. Returns the
    cancelled ones (their ingredients stay in the reserve and are released as surplus)."""
    pool = dict(reserve)
    recipes = world.protos.recipes
    cancelled: list[CraftItem] = []
    for item in list(queue):
        r = recipes[item.recipe]
        ings = _ingredients(r)
        fit = item.count
        for name, amount, _ in ings:
            fit = min(fit, pool.get(name, 0) // amount)
        if fit < item.count:
            cancelled.append(CraftItem(item.recipe, item.count - fit, item.prerequisite))
            item.count = fit
        for name, amount, _ in ings:
            pool[name] = pool.get(name, 0) - amount * item.count
        for name, amount in _results(r):
            pool[name] = pool.get(name, 0) + amount * item.count
    queue[:] = [i for i in queue if i.count > 0]
    return cancelled


def _release_surplus(world: World, character: Entity) -> None:
    """Move what the queue no longer needs from the reserve to the main inventory (the ground when full)."""
    state = character.state
    needed = _holdings_needed(world, state.queue)
    for name in list(state.reserve):
        extra = state.reserve[name] - needed.get(name, 0)
        if extra > 0:
            _take_from_reserve(state, name, extra)
            _give(world, character, name, extra)


def _take_from_reserve(state: Any, name: str, count: int) -> None:
    left = state.reserve[name] - count
    if left > 0:
        state.reserve[name] = left
    else:
        del state.reserve[name]


def _give(world: World, character: Entity, name: str, count: int) -> None:
    inv = character.kind.main_inventory(character)
    put = inv.insert(name, count) if inv is not None else 0
    if put < count:
        world.spill(character.surface, name, count - put, character.x, character.y)


def begin(world: World, character: Entity, recipe: dict[str, Any], count: int) -> int:
    """Queue up to `count` crafts of `recipe` (the caller has checked that the character may craft it); returns
    how many were queued."""
    if count <= 0:
        return 0
    have = _inventory_counts(character)
    avail = dict(have)
    steps = plan(world, character, recipe, count, avail)
    if steps is None:
        count = _largest(world, character, recipe, have, min(count, sum(have.values())))
        if count == 0:
            return 0
        avail = dict(have)
        steps = plan(world, character, recipe, count, avail)
        assert steps is not None
    state = character.state
    inv = character.kind.main_inventory(character)
    for name, before in have.items():  # what the plan uses from the inventory goes to the reserve
        used = before - avail.get(name, 0)
        if used > 0:
            inv.remove(name, used)
            state.reserve[name] = state.reserve.get(name, 0) + used
    was_idle = not state.queue
    for step in steps:
        last = state.queue[-1] if state.queue else None
        if last is not None and last.recipe == step.recipe and last.prerequisite == step.prerequisite:
            last.count += step.count  # the game extends the last entry when it is the same recipe
        else:
            state.queue.append(step)
    if was_idle:
        state.craft_progress = 0.0
        state.craft_rate = 0.0
        world.poke(character)
    return count


def cancel(world: World, character: Entity, index: int, count: int) -> None:
    """Cancel `count` crafts of queue entry `index` (1-based), and the later crafts that starve without them."""
    state = character.state
    if not 1 <= index <= len(state.queue):
        raise ScriptError(f"Invalid crafting queue index: {index} (the queue has {len(state.queue)} entries)")
    item = state.queue[index - 1]
    n = min(count, item.count)
    if n <= 0:
        return
    front = state.queue[0]
    item.count -= n
    if item.count == 0:
        del state.queue[index - 1]
    _trim_starved(world, state.queue, state.reserve)
    if not state.queue or state.queue[0] is not front:
        # The craft in progress is gone: its progress with it.
        state.craft_progress = 0.0
        state.craft_rate = 0.0
    _release_surplus(world, character)
    world.poke(character)


def crafting_speed(character: Entity) -> float:
    return 1.0 + character.force.modifier("manual_crafting_speed_modifier") + character.state.crafting_modifier


def need_ticks(world: World, character: Entity) -> float:
    """The front craft's length in ticks at speed 1 (0 with an empty queue)."""
    queue = character.state.queue
    return seconds(world.protos.recipes[queue[0].recipe]) * 60 if queue else 0.0


def update(world: World, character: Entity, tick: int) -> int | None:
    """This tick's crafting, as a per-tick update would do it; the tick of the next craft event, or None."""
    state = character.state
    if state.craft_rate:
        state.craft_progress += state.craft_rate * (tick - state.craft_since)
        state.craft_rate = 0.0
    state.craft_since = tick + 1
    if not state.queue:
        state.craft_progress = 0.0
        return None
    rate = crafting_speed(character)
    if rate <= 0:
        return None  # a speed modifier of -1 or below stops crafting; changing it pokes the character
    need = need_ticks(world, character)
    state.craft_progress += rate
    if state.craft_progress + EPS < need:
        state.craft_rate = rate
        return tick + ticks_to_complete(state.craft_progress, rate, need)
    _finish_craft(world, character)
    state.craft_progress = 0.0
    if not state.queue:
        return None
    # The next craft starts with the next tick at the same speed: its end is known now, so no update in between.
    state.craft_rate = rate
    return tick + ticks_to_complete(0.0, rate, need_ticks(world, character))


def _finish_craft(world: World, character: Entity) -> None:
    state = character.state
    item = state.queue[0]
    recipe = world.protos.recipes[item.recipe]
    force, surface = character.force, character.surface
    for name, amount, _ in _ingredients(recipe):
        _take_from_reserve(state, name, amount)
        world.record_consumption(force, surface, name, amount)
    item.count -= 1
    if item.count == 0:
        state.queue.pop(0)
    for name, amount in _results(recipe):
        state.reserve[name] = state.reserve.get(name, 0) + amount
        world.record_production(force, surface, name, amount)
        research.crafted(world, force, name, amount)
    _release_surplus(world, character)


def progress(world: World, character: Entity) -> float:
    state = character.state
    need = need_ticks(world, character)
    if not need:
        return 0.0
    tick = world.tick
    value = state.craft_progress + (state.craft_rate * (tick - state.craft_since) if state.craft_rate and tick > state.craft_since else 0.0)
    return min(1.0, value / need)


def set_progress(world: World, character: Entity, value: float) -> None:
    state = character.state
    need = need_ticks(world, character)
    if not need:
        return
    state.craft_progress = max(0.0, min(1.0, value)) * need
    state.craft_rate = 0.0
    state.craft_since = world.now()
    world.poke(character)


def check_count(value: Any, what: str) -> int:
    """A uint32 argument, or the error naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != math.floor(value) or not 0 <= value < 2**32:
        raise ScriptError(f"Invalid {what}: expected a uint32, got {value!r}")
    return int(value)
