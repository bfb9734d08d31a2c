"""LuaRecipe (a force's view of a recipe prototype) and LuaForce.recipes, reset_recipes, enable_all_recipes.

A LuaRecipe is a value naming (force, recipe): what it reads lives in the prototype data and in the force's
`recipes_enabled` (world/force.py), so two reads of `force.recipes["x"]` are the same object and a recipe enabled
by research shows at once.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api._custom_table import lazy_named_table
from factoryverse.engine.api._signature import lua_type_name
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError

__all__ = ["RecipeRef", "ingredient_table", "product_table"]

Recipe = api_class("LuaRecipe")
Force = api_class("LuaForce")


class RecipeRef:
    lua_class = "LuaRecipe"
    __slots__ = ("oid", "force", "name")

    def __init__(self, force: Any, name: str):
        # Derived from what it names (world/ids.py): the same recipe of the same force is one object.
        self.oid = f"recipe:{force.oid}:{name}"
        self.force = force
        self.name = name

    @property
    def valid(self) -> bool:
        return bool(self.force.valid)


def _data(state: Any, r: RecipeRef) -> dict[str, Any]:
    return state.engine.prototypes.recipes[r.name]


# Optional fields the runtime tables carry only when the prototype sets them.
_INGREDIENT_EXTRAS = ("ignored_by_stats", "fluidbox_index", "temperature", "minimum_temperature", "maximum_temperature")
_PRODUCT_EXTRAS = (
    "ignored_by_stats", "ignored_by_productivity", "extra_count_fraction", "temperature", "percent_spoiled",
    "fluidbox_index",
)


def ingredient_table(i: dict[str, Any]) -> dict[str, Any]:
    """An Ingredient as the runtime API gives it: type, name, amount, and the optional fields the prototype sets."""
    out = {"type": i.get("type", "item"), "name": i["name"], "amount": i.get("amount", 1)}
    out.update((k, i[k]) for k in _INGREDIENT_EXTRAS if k in i)
    return out


def product_table(p: dict[str, Any]) -> dict[str, Any]:
    """A Product as the runtime API gives it: type, name, `amount` or `amount_min`/`amount_max`, `probability`
    (1 when the prototype gives none), and the optional fields the prototype sets."""
    out: dict[str, Any] = {"type": p.get("type", "item"), "name": p["name"]}
    if "amount" in p or "amount_min" not in p:
        out["amount"] = p.get("amount", 1)
    else:
        out["amount_min"] = p["amount_min"]
        out["amount_max"] = p.get("amount_max", p["amount_min"])
    out["probability"] = p.get("probability", 1)
    out.update((k, p[k]) for k in _PRODUCT_EXTRAS if k in p)
    return out


@Recipe.getter("name", always=False)
def _name(state, r):
    return r.name


Recipe.attributes("force")


@Recipe.getter("enabled")
def _enabled(state, r):
    return r.force.recipe_enabled(r.name)


@Recipe.setter("enabled")
def _set_enabled(state, r, value):
    if not isinstance(value, bool):
        raise ScriptError(f"LuaRecipe::enabled: expected boolean, got {lua_type_name(value)}")
    r.force.recipes_enabled[r.name] = value


@Recipe.getter("energy")
def _energy(state, r):
    return float(_data(state, r).get("energy_required", 0.5))


@Recipe.getter("hidden")
def _hidden(state, r):
    return bool(_data(state, r).get("hidden", False))


@Recipe.getter("order")
def _order(state, r):
    return _data(state, r).get("order", "")


@Recipe.getter("ingredients")
def _ingredients(state, r):
    return [ingredient_table(i) for i in _data(state, r).get("ingredients") or []]


@Recipe.getter("products")
def _products(state, r):
    return [product_table(p) for p in _data(state, r).get("results") or []]


@Recipe.getter("prototype")
def _prototype(state, r):
    return state.engine_prototypes.get("recipe", r.name)


@Recipe.getter("localised_name")
def _localised_name(state, r):
    return _data(state, r).get("localised_name") or [f"recipe-name.{r.name}"]


@Recipe.getter("localised_description")
def _localised_description(state, r):
    return _data(state, r).get("localised_description") or [f"recipe-description.{r.name}"]


@Recipe.method("has_category")
def _has_category(state, r, category):
    name = category if isinstance(category, str) else getattr(category, "name", None)
    if not isinstance(name, str):
        raise ScriptError(f"Invalid argument #1 (category) to 'has_category': expected RecipeCategoryID, got "
                          f"{lua_type_name(category)}")
    if name not in state.engine.prototypes.raw.get("recipe-category", {}):
        raise ScriptError(f"Unknown recipe category: {name}")
    d = _data(state, r)
    # 2.1's data lists a recipe's `categories`; 2.0's has one `category` and maybe `additional_categories`.
    categories = d.get("categories") or [d.get("category", "crafting")]
    return name in categories or name in (d.get("additional_categories") or ())


@Recipe.method("reload")
def _reload(state, r):
    # Everything a LuaRecipe reads comes from the prototype data when read; `enabled` is the force's and stays.
    return None


# -- LuaForce ---------------------------------------------------------------------------------------------------



@Force.getter("recipes")
def _recipes(state, force):
    """A read-only table of the force's recipes by name (pairs in name order), one per state and force; each
    LuaRecipe is made when first read."""
    cache = state.__dict__.setdefault("_recipe_tables", {})
    table = cache.get(force.oid)
    if table is None:
        recipes = state.engine.prototypes.recipes
        table = cache[force.oid] = lazy_named_table(state, sorted(recipes), lambda name: RecipeRef(force, name))
    return table


@Force.method("reset_recipes")
def _reset_recipes(state, force):
    recipes = state.engine.prototypes.recipes
    force.recipes_enabled = {name: bool(r.get("enabled", True)) for name, r in sorted(recipes.items())}


@Force.method("enable_all_recipes")
def _enable_all_recipes(state, force):
    for name in force.recipes_enabled:
        force.recipes_enabled[name] = True
