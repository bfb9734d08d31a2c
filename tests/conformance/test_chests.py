"""Chests: as many slots as `get_inventory_size(defines.inventory.chest)` says, each holding `stack_size` items;
insert and remove give the counts the API documents (what was inserted or removed)."""

from __future__ import annotations

import pytest

from .harness import STORE, number


@pytest.mark.parametrize("chest", ["wooden-chest", "iron-chest", "steel-chest"])
def test_chest_holds_inventory_size_stacks(game, area, chest):
    size = int(number(game, f"prototypes.entity['{chest}'].get_inventory_size(defines.inventory.chest)"))
    stack = int(number(game, "prototypes.item['iron-plate'].stack_size"))
    why = f"{chest}.get_inventory_size(chest) = {size}, iron-plate.stack_size = {stack}"
    c = f"{STORE}.c"
    game.lua(f"{c} = game.surfaces[1].create_entity{{name = '{chest}', position = {area.pos(4.5, 4.5)}, force = 'player'}}")
    assert number(game, f"#{c}.get_inventory(defines.inventory.chest)") == size, why
    # More than fits: insert returns what went in.
    assert number(game, f"{c}.insert{{name = 'iron-plate', count = {size * stack + 7}}}") == size * stack, why
    assert number(game, f"{c}.get_item_count('iron-plate')") == size * stack, why
    assert game.lua(f"rcon.print(tostring({c}.can_insert{{name = 'iron-plate', count = 1}}))") == "false", why
    assert game.lua(f"rcon.print(tostring({c}.get_inventory(defines.inventory.chest).is_full()))") == "true", why
    # Room for 30 plates in one partly filled stack, none for another item, which needs an empty slot.
    assert number(game, f"{c}.remove_item{{name = 'iron-plate', count = 30}}") == 30, why
    assert number(game, f"{c}.insert{{name = 'copper-plate', count = 5}}") == 0, why
    assert number(game, f"{c}.insert{{name = 'iron-plate', count = 50}}") == 30, why
    assert number(game, f"{c}.get_item_count('iron-plate')") == size * stack, why
    # Removing more than there is removes what there is.
    assert number(game, f"{c}.remove_item{{name = 'iron-plate', count = {size * stack + 1}}}") == size * stack, why
    assert game.lua(f"rcon.print(tostring({c}.get_inventory(defines.inventory.chest).is_empty()))") == "true", why
