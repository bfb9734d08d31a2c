"""A character's crafting queue: `begin_crafting` of iron gear wheels makes one every `iron-gear-wheel.energy /
(character.get_crafting_speed() × (1 + force.manual_crafting_speed_modifier + character_crafting_speed_modifier))`
seconds, each on its exact tick, taking the recipe's plates."""

from __future__ import annotations

from ._rates import every, whole_ticks
from .harness import STORE, assert_outputs_at, number

C = f"{STORE}.ch"
COUNT = 5


def test_gears_one_after_another(game, area):
    energy = number(game, "prototypes.recipe['iron-gear-wheel'].energy")
    plates = int(number(game, "prototypes.recipe['iron-gear-wheel'].ingredients[1].amount"))
    speed = number(game, "prototypes.entity['character'].get_crafting_speed()")
    game.lua(f"{C} = game.surfaces[1].create_entity{{name = 'character', position = {area.pos(8.5, 8.5)}, force = 'player'}}")
    bonus = number(game, "game.forces.player.manual_crafting_speed_modifier") + number(
        game, f"{C}.character_crafting_speed_modifier")
    why = (f"iron-gear-wheel.energy {energy} s / (character.get_crafting_speed() {speed} × (1 + "
           f"crafting speed modifiers {bonus}))")
    period = whole_ticks(energy / (speed * (1 + bonus)), why)
    start = int(game.lua(f"{C}.insert{{name = 'iron-plate', count = {COUNT * plates + 1}}} "
                         f"rcon.print({C}.begin_crafting{{recipe = 'iron-gear-wheel', count = {COUNT}}} == {COUNT} "
                         "and game.tick or -1)"))
    assert start >= 0, "begin_crafting started all the gears asked for"
    assert number(game, f"{C}.crafting_queue_size") == 1
    expected = every(start, period, start + COUNT * period)
    assert_outputs_at(game, f"{C}.get_item_count('iron-gear-wheel')", expected, why)
    assert number(game, f"{C}.get_item_count('iron-plate')") == 1, "the recipe's plates were taken"
    assert number(game, f"{C}.crafting_queue_size") == 0
