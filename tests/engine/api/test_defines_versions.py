"""`defines` per Factorio version: a 2.0 game has 2.0's names and numbers (typed-factorio 3.36.0's lists), a 2.1
game 2.1's (4.0.1); 2.0's deprecated names are aliases of their replacements; the engine reads and hands out
inventory and status numbers in the game's own version."""

from __future__ import annotations

import pytest

from factoryverse.engine.api.defines import define_name, define_value, defines_tree
from factoryverse.engine.engine import Engine

_V20, _V21 = "2.0.75", "2.1.7"


def sc(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + code)
    assert not reply.startswith("Cannot execute command"), reply
    return reply


@pytest.fixture(scope="module", params=["2.0", "2.1"])
def game(request) -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1, factorio_version=request.param)


def test_each_version_numbers_its_enums_by_its_own_lists():
    # typed-factorio 3.36.0 lists `fuel, burnt_result, chest, logistic_container_trash, furnace_source,
    # furnace_result, furnace_modules, furnace_trash, character_main, ...`; 4.0.1 drops the four furnace names.
    assert define_value("inventory", "character_main", _V20) == 8
    assert define_value("inventory", "character_main", _V21) == 4
    assert define_value("inventory", "fuel", _V20) == define_value("inventory", "fuel", _V21) == 0
    # Values typed-factorio states are kept as they are (directions).
    assert defines_tree(_V20)["direction"]["east"] == defines_tree(_V21)["direction"]["east"] == 4


def test_2_0_only_names_exist_only_on_2_0():
    assert "furnace_source" in defines_tree(_V20)["inventory"]
    assert "furnace_source" not in defines_tree(_V21)["inventory"]
    assert "on_player_color_changed" not in defines_tree(_V20)["events"]
    assert "on_player_color_changed" in defines_tree(_V21)["events"]


def test_a_deprecated_name_is_an_alias_of_its_replacement():
    tree = defines_tree(_V20)["inventory"]
    assert tree["furnace_source"] == tree["assembling_machine_input"] == tree["crafter_input"]
    assert tree["furnace_result"] == tree["crafter_output"]
    # Reading a value back names the replacement, the name the engine keys its inventories by.
    assert define_name("inventory", tree["furnace_source"], _V20) == "crafter_input"


def test_names_within_one_version_have_distinct_values_apart_from_aliases():
    for version in (_V20, _V21):
        for group in ("inventory", "entity_status", "events"):
            canonical = {name: v for name, v in defines_tree(version)[group].items()
                         if define_name(group, v, version) == name}
            assert len(set(canonical.values())) == len(canonical), (version, group)


def test_the_game_sees_its_own_versions_defines(game: Engine):
    has_furnace_source = sc(game, "rcon.print(defines.inventory.furnace_source ~= nil)")
    assert has_furnace_source == ("true" if game.factorio.name == "2.0" else "false")
    assert sc(game, "rcon.print(defines.inventory.character_main)") == str(
        define_value("inventory", "character_main", game.factorio.api))


def test_inventories_and_statuses_cross_the_api_in_the_games_numbers(game: Engine):
    sc(game, "storage.f = game.surfaces.nauvis.create_entity{name = 'stone-furnace', position = {200.5, 200.5}}")
    sc(game, "storage.f.insert{name = 'iron-ore', count = 5}")
    assert sc(game, "local inv = storage.f.get_inventory(defines.inventory.crafter_input) "
                    "rcon.print(inv.get_item_count('iron-ore') .. ' ' .. tostring(inv.index == defines.inventory.crafter_input))") \
        == "5 true"
    if game.factorio.name == "2.0":
        # 2.0's old name reaches the same inventory, as mods written for 2.0 use it.
        assert sc(game, "rcon.print(storage.f.get_inventory(defines.inventory.furnace_source).get_item_count('iron-ore'))") == "5"
    furnace = next(e for e in game.world.surfaces["nauvis"].all_entities() if e.name == "stone-furnace")
    status = furnace.kind.status(game.world, furnace)
    assert sc(game, f"rcon.print(storage.f.status == defines.entity_status.{status})") == "true"
    assert sc(game, "rcon.print(storage.f.prototype.get_inventory_size(defines.inventory.crafter_output))") == "1"


def test_flow_statistics_take_the_versions_precision_index(game: Engine):
    reply = sc(game, "local st = game.forces.player.get_item_production_statistics('nauvis') "
                     "rcon.print(st.get_flow_count{name = 'iron-plate', category = 'input', "
                     "precision_index = defines.flow_precision_index.one_minute})")
    assert reply == "0"
