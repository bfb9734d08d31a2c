"""LuaRecipe through force.recipes: enabled per force from the prototype's `enabled`, ingredients and products as
the runtime API gives them (Ingredient / Product concepts: type, name, amount or amount_min/amount_max,
probability), energy, category checks, and LuaForce.reset_recipes / enable_all_recipes."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import PrototypeData, load_prototypes
from factoryverse.engine.state_hash import state_hash

from ._lua_print import fails, run


@pytest.fixture(scope="module")
def protos() -> PrototypeData:
    return load_prototypes()


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def R(name: str) -> str:
    return f"game.forces.player.recipes['{name}']"


def test_enabled_at_start_is_the_prototypes_enabled_field(engine, protos):
    for name in ("iron-gear-wheel", "electronic-circuit", "uranium-processing", "iron-plate"):
        expected = bool(protos.recipes[name].get("enabled", True))  # recipe.<name>.enabled (default true)
        assert run(engine, f"p({R(name)}.enabled)") == str(expected).lower(), f"recipe.{name}.enabled"
    # electronic-circuit waits for research (enabled = false in the base data).
    assert protos.recipes["electronic-circuit"].get("enabled") is False


def test_ingredients_products_energy_as_the_api_gives_them(engine, protos):
    gear = protos.recipes["iron-gear-wheel"]
    assert run(engine, f"p(serpent.line({R('iron-gear-wheel')}.ingredients))") == (
        '{{amount = %d, name = "iron-plate", type = "item"}}' % gear["ingredients"][0]["amount"])
    assert run(engine, f"p(serpent.line({R('iron-gear-wheel')}.products))") == (
        '{{amount = 1, name = "iron-gear-wheel", probability = 1, type = "item"}}')
    # iron-gear-wheel.energy_required is absent: the default 0.5 s.
    assert "energy_required" not in gear and run(engine, f"p({R('iron-gear-wheel')}.energy)") == "0.5"
    # uranium-processing.results carry probability; kovarex's ingredients and results ignored_by_stats.
    u = protos.recipes["uranium-processing"]["results"]
    got = run(engine, f"local r = {R('uranium-processing')}.products p(r[1].name, r[1].probability, r[2].probability)")
    assert got == f"{u[0]['name']}\t{u[0]['probability']}\t{u[1]['probability']}"
    k = protos.recipes["kovarex-enrichment-process"]
    got = run(engine, f"local r = {R('kovarex-enrichment-process')} p(r.ingredients[1].ignored_by_stats, "
                      "r.products[1].ignored_by_productivity, r.energy)")
    assert got == (f"{k['ingredients'][0]['ignored_by_stats']}\t{k['results'][0]['ignored_by_productivity']}\t"
                   f"{k['energy_required']}")
    fluid = run(engine, f"local r = {R('advanced-oil-processing')} p(r.ingredients[1].type, r.products[1].type)")
    assert fluid == "fluid\tfluid"


def test_the_other_members(engine, protos):
    got = run(engine, f"local r = {R('uranium-processing')} p(r.name, r.valid, r.object_name, r.force.name, "
                      "r.prototype.name, r.hidden, r.order, r.has_category('centrifuging'), r.has_category('crafting'), "
                      f"serpent.line(r.localised_name), r == {R('uranium-processing')}, r.reload())")
    order = protos.recipes["uranium-processing"]["order"]
    assert got == (f"uranium-processing\ttrue\tLuaRecipe\tplayer\turanium-processing\tfalse\t{order}\ttrue\tfalse\t"
                   '{"recipe-name.uranium-processing"}\ttrue\tnil')
    # A recipe without a category is in "crafting".
    assert run(engine, f"p({R('iron-gear-wheel')}.has_category('crafting'))") == "true"
    assert run(engine, "p(game.forces.player.recipes['no-such-recipe'])") == "nil"
    assert run(engine, "local n = 0 for name, r in pairs(game.forces.player.recipes) do n = n + 1 end p(n)") == \
        str(len(protos.recipes))


def test_enabled_is_per_force_and_writable(engine):
    run(engine, f"{R('electronic-circuit')}.enabled = true")
    assert run(engine, f"p({R('electronic-circuit')}.enabled, "
                       "game.forces.enemy.recipes['electronic-circuit'].enabled)") == "true\tfalse"
    assert engine.world.forces["player"].recipe_enabled("electronic-circuit")
    run(engine, "game.forces.player.reset_recipes()")
    assert run(engine, f"p({R('electronic-circuit')}.enabled, {R('iron-gear-wheel')}.enabled)") == "false\ttrue"
    run(engine, "game.forces.player.enable_all_recipes()")
    assert run(engine, f"p({R('uranium-processing')}.enabled)") == "true"


def test_a_recipe_of_a_merged_force_is_invalid(engine):
    run(engine, "game.create_force('other') storage.r = game.forces.other.recipes['iron-gear-wheel'] "
                "game.merge_forces('other', 'player')")
    assert run(engine, "p(storage.r.valid)") == "false"
    assert "was invalid" in fails(engine, "p(storage.r.enabled)")


@pytest.mark.parametrize(("code", "message"), [
    (f"{R('iron-gear-wheel')}.enabled = 1", "expected boolean"),
    (f"{R('iron-gear-wheel')}.has_category('no-such-category')", "Unknown recipe category"),
    (f"{R('iron-gear-wheel')}.energy = 3", "is read only"),
    # Only 2.0 has `category` (2.1 has `categories`): the engine implements members both have.
    (f"local c = {R('iron-gear-wheel')}.category", "LuaRecipe::category is a Factorio API member this engine"),
    ("game.forces.player.recipes['x'] = 1", "read only"),
])
def test_bad_input_gets_an_error_and_changes_nothing(engine, code, message):
    before = state_hash(engine)
    assert message in fails(engine, code)
    assert state_hash(engine) == before


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_categories_read_from_either_versions_data(version):
    """Regression: 2.1's data lists a recipe's `categories` (2.0's has one `category`); has_category and an
    assembling machine's recipe check read only `category`, so on 2.1 iron-plate counted as `crafting` and an
    assembling-machine-1 took the smelting recipe."""
    game = Engine(seed=1, mods=[], starting_chunks=1, factorio_version=version)
    try:
        assert run(game, f"p({R('iron-plate')}.has_category('smelting'))") == "true"
        assert run(game, f"p({R('iron-plate')}.has_category('crafting'))") == "false"
        run(game, "storage.m = game.surfaces[1].create_entity{name = 'assembling-machine-1', position = {0.5, 0.5}, "
                  "force = 'player'}")
        assert "can't be crafted in assembling-machine-1" in fails(game, "storage.m.set_recipe('iron-plate')")
    finally:
        game.close()
