"""Stone furnaces: the smelting recipe chosen by the input, one craft per energy_required / crafting_speed seconds,
and the statuses a furnace reports when it has nothing to do."""

from __future__ import annotations

import pytest

from factoryverse.engine.api.defines import define_name

from .conftest import clear_land, lua, ticks_of_changes


@pytest.fixture
def furnace(engine):
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "storage.f = s.create_entity{name = 'stone-furnace', position = {0, 0}, force = 'player'}")
    return engine


def _count(engine, item: str) -> int:
    return int(lua(engine, f"rcon.print(storage.f.get_item_count('{item}'))"))


def _status(engine) -> str:
    value = int(lua(engine, "rcon.print(storage.f.status)"))
    return define_name("entity_status", value) or str(value)


@pytest.mark.parametrize(("ore", "plate"), [("iron-ore", "iron-plate"), ("copper-ore", "copper-plate"), ("iron-plate", "steel-plate")])
def test_one_plate_every_energy_required_over_crafting_speed(furnace, protos, ore, plate):
    recipe = protos.recipes[plate]
    need = int(recipe["ingredients"][0]["amount"])
    assert recipe["ingredients"][0]["name"] == ore
    period = float(recipe["energy_required"]) / float(protos.raw["furnace"]["stone-furnace"]["crafting_speed"]) * 60
    lua(furnace, f"storage.f.insert{{name = '{ore}', count = {need * 3}}} storage.f.insert{{name = 'coal', count = 20}}")
    ticks = ticks_of_changes(furnace, lambda: _count(furnace, plate), changes=3, max_ticks=int(period * 4) + 10)
    why = f"{plate}.energy_required / stone-furnace.crafting_speed * 60 = {period}"
    # The furnace starts in the tick its ore arrives (tick 0) and each craft ends `period` ticks after it began; the
    # next one begins in the following update, with no tick lost (a whole number of ticks per craft here).
    assert period == int(period), why
    assert ticks == [int(period) * n for n in (1, 2, 3)], f"{why}: {ticks}"
    assert _count(furnace, plate) == 3
    # Each craft took its recipe's ingredient amount, and nothing more.
    assert _count(furnace, ore) == 0


def test_furnace_only_accepts_smeltable_items(furnace):
    assert lua(furnace, "rcon.print(storage.f.insert{name = 'wooden-chest', count = 1})") == "0"
    assert lua(furnace, "rcon.print(storage.f.insert{name = 'iron-ore', count = 5})") == "5"


def test_furnace_without_fuel(furnace):
    lua(furnace, "storage.f.insert{name = 'iron-ore', count = 5}")
    furnace.run_ticks(300)
    assert _count(furnace, "iron-plate") == 0
    assert _status(furnace) == "no_fuel"


def test_furnace_without_ingredients(furnace):
    lua(furnace, "storage.f.insert{name = 'coal', count = 5}")
    furnace.run_ticks(5)
    assert _status(furnace) == "no_ingredients"
    assert _count(furnace, "coal") == 5  # an idle furnace burns nothing


def test_full_output_stops_the_furnace(furnace, protos):
    stack = int(protos.items["iron-plate"]["stack_size"])
    lua(
        furnace,
        f"storage.f.get_output_inventory().insert{{name = 'iron-plate', count = {stack}}} "
        "storage.f.insert{name = 'iron-ore', count = 5} storage.f.insert{name = 'coal', count = 5}",
    )
    furnace.run_ticks(int(float(protos.recipes["iron-plate"]["energy_required"]) * 60) + 5)
    assert _status(furnace) == "full_output"
    assert _count(furnace, "iron-plate") == stack
    # Taking the plates out lets it go on.
    lua(furnace, f"storage.f.get_output_inventory().remove{{name = 'iron-plate', count = {stack}}}")
    furnace.run_ticks(int(float(protos.recipes["iron-plate"]["energy_required"]) * 60) + 5)
    assert _count(furnace, "iron-plate") >= 1
