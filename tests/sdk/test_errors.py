"""The SDK's one error tree: every code of the contract has its class, every class its documented category."""

from __future__ import annotations

import pytest

import factoryverse.sdk.errors as errors
from factoryverse.schemas import load_remote_interfaces
from factoryverse.sdk.remote import error_from_text

CATEGORY = {
    "out_of_reach": errors.ReachError,
    "no_resource_in_reach": errors.ReachError,
    "placement_blocked": errors.PlacementError,
    "not_in_inventory": errors.InventoryError,
    "inventory_full": errors.InventoryError,
    "unknown_recipe": errors.RecipeError,
    "unknown_technology": errors.ResearchError,
}


def test_every_contract_code_has_its_own_class():
    codes = load_remote_interfaces()["error_codes"]
    for code in codes:
        cls = errors.error_class_for_code(code)
        assert cls is not errors.RemoteCallError and cls.code == code, code


@pytest.mark.parametrize(("code", "category"), sorted(CATEGORY.items()))
def test_a_refusal_carries_agent_method_and_the_games_message(code, category):
    error = error_from_text(f"[fv:{code}] the game's own words", "agent_7", "some_method")
    assert isinstance(error, category) and isinstance(error, errors.RemoteCallError)
    assert (error.agent_id, error.method, error.detail) == (7, "some_method", "the game's own words")


def test_interfaces_of_no_agent_have_no_agent_id():
    assert error_from_text("[fv:unknown_item] no such item", "admin", "add_items").agent_id is None


def test_view_errors_say_which_category_they_are():
    assert issubclass(errors.RemoteViewError, errors.ReachError) and issubclass(errors.RemoteViewError, errors.ViewError)
    assert not issubclass(errors.GhostError, errors.ReachError)
    assert issubclass(errors.CraftRefusedError, errors.RecipeError)
    assert issubclass(errors.ResearchRefusedError, errors.ResearchError)
    assert issubclass(errors.CraftRefusedError, errors.GameRefusedError)


def test_the_module_doc_names_every_error_it_exports():
    doc = errors.__doc__ or ""
    exported = [n for n in errors.__all__ if n.endswith("Error") and n not in ("FactoryVerseError",)]
    # Per-code subclasses are named collectively ("one subclass per error code"); the rest by name.
    per_code = {cls.__name__ for cls in errors._BY_CODE.values()}
    missing = [n for n in exported if n not in doc and n not in per_code]
    assert missing == []
