"""Native hand mining through `mining_state` and `selected`: exact ticks from `character.mining_speed` and the
target's `minable.mining_time`, products into the main inventory, resources depleted, reach respected."""

from __future__ import annotations

import math

import pytest

from .conftest import clear_land, lua, ticks_of_changes


def _cycle(protos, type_: str, name: str, speed_bonus: float = 0.0) -> int:
    """Ticks per mining cycle: minable.mining_time / (character.mining_speed * (1 + bonuses)) * 60, whole ticks."""
    speed = float(protos.raw["character"]["character"]["mining_speed"]) * (1 + speed_bonus)
    return math.ceil(float(protos.raw[type_][name]["minable"]["mining_time"]) / speed * 60 - 1e-9)


def _count(engine, item: str) -> int:
    return int(lua(engine, f"rcon.print(storage.c.get_item_count('{item}'))"))


def _value(engine, expr: str) -> str:
    return lua(engine, f"rcon.print(tostring({expr}))")


@pytest.fixture
def miner(engine):
    clear_land(engine, -12, -12, 12, 12)
    lua(engine, "storage.c = s.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'}")
    return engine


def _mine(engine, target: str) -> None:
    lua(engine, f"storage.c.selected = {target} storage.c.mining_state = {{mining = true, position = {target}.position}}")


def test_a_tree_gives_its_wood_after_its_mining_time(miner, protos):
    tree = protos.raw["tree"]["tree-01"]
    wood = tree["minable"]["result"], int(tree["minable"].get("count", 1))
    lua(miner, "storage.t = s.create_entity{name = 'tree-01', position = {2.5, 0.5}}")
    _mine(miner, "storage.t")
    start = miner.tick
    ticks = ticks_of_changes(miner, lambda: _count(miner, wood[0]), changes=1, max_ticks=400)
    assert ticks[0] - start == _cycle(protos, "tree", "tree-01"), "tree-01.minable.mining_time / character.mining_speed"
    assert _count(miner, wood[0]) == wood[1], "tree-01.minable.count"
    assert _value(miner, "storage.t.valid") == "false" and _value(miner, "storage.c.selected") == "nil"
    assert _value(miner, "storage.c.character_mining_progress") == "0"
    assert miner.world.scheduler.pending() == []  # nothing left to mine: the character sleeps


def test_a_rock_gives_its_results(miner, protos):
    rock = protos.raw["simple-entity"]["big-rock"]["minable"]
    lua(miner, "storage.r = s.create_entity{name = 'big-rock', position = {3.5, 0.5}}")
    _mine(miner, "storage.r")
    start = miner.tick
    item = rock.get("result") or rock["results"][0]["name"]
    ticks = ticks_of_changes(miner, lambda: _count(miner, item), changes=1, max_ticks=1000)
    assert ticks[0] - start == _cycle(protos, "simple-entity", "big-rock"), "big-rock.minable.mining_time"
    expected = int(rock.get("count", 1)) if rock.get("result") else int(rock["results"][0]["amount"])
    assert _count(miner, item) == expected, "big-rock.minable"


def test_ore_every_cycle_for_a_minute_depleting_the_resource(miner, protos):
    period = _cycle(protos, "resource", "iron-ore")
    lua(miner, "storage.o = s.create_entity{name = 'iron-ore', position = {1.5, 0.5}, amount = 1000}")
    _mine(miner, "storage.o")
    start = miner.tick
    ticks = ticks_of_changes(miner, lambda: _count(miner, "iron-ore"), changes=3, max_ticks=period * 4)
    assert [t - start for t in ticks] == [period, 2 * period, 3 * period], "iron-ore.minable.mining_time / character.mining_speed"
    assert _value(miner, "storage.o.amount") == "997"
    miner.run_ticks(3600 - 3 * period)
    ore = _count(miner, "iron-ore")
    assert ore == 3600 // period and ore == pytest.approx(60 * 60 / period, rel=0.01)
    assert _value(miner, "storage.o.amount") == str(1000 - ore)
    # Event-scheduled: one update per cycle, not one per tick.
    assert miner.world.entity_updates <= ore + 5, miner.world.entity_updates


def test_mining_speed_modifiers_shorten_the_cycle(miner, protos):
    lua(miner, "storage.c.force.manual_mining_speed_modifier = 0.5 storage.c.character_mining_speed_modifier = 0.5")
    period = _cycle(protos, "resource", "iron-ore", speed_bonus=1.0)
    lua(miner, "storage.o = s.create_entity{name = 'iron-ore', position = {1.5, 0.5}, amount = 50}")
    _mine(miner, "storage.o")
    start = miner.tick
    ticks = ticks_of_changes(miner, lambda: _count(miner, "iron-ore"), changes=2, max_ticks=period * 3)
    assert [t - start for t in ticks] == [period, 2 * period]


def test_the_last_unit_removes_the_resource(miner, protos):
    period = _cycle(protos, "resource", "stone")
    lua(miner, "storage.o = s.create_entity{name = 'stone', position = {1.5, 0.5}, amount = 2}")
    _mine(miner, "storage.o")
    miner.run_ticks(3 * period)
    assert _count(miner, "stone") == 2 and _value(miner, "storage.o.valid") == "false"


def test_out_of_resource_reach_nothing_is_mined_until_the_character_comes_closer(miner, protos):
    reach = float(protos.raw["character"]["character"]["reach_resource_distance"])
    period = _cycle(protos, "resource", "iron-ore")
    ore_x = math.ceil(reach) + 3.5
    lua(miner, f"storage.o = s.create_entity{{name = 'iron-ore', position = {{{ore_x}, 0.5}}, amount = 100}}")
    _mine(miner, "storage.o")
    miner.run_ticks(2 * period)
    assert _count(miner, "iron-ore") == 0 and _value(miner, "storage.c.character_mining_progress") == "0"
    lua(miner, f"storage.c.teleport({{{ore_x - reach + 0.5}, 0.5}})")  # within character.reach_resource_distance
    start = miner.tick
    ticks = ticks_of_changes(miner, lambda: _count(miner, "iron-ore"), changes=1, max_ticks=2 * period)
    assert ticks[0] - start == period


def test_walking_away_stops_mining_and_resets_the_progress(miner, protos):
    lua(miner, "storage.o = s.create_entity{name = 'iron-ore', position = {1.5, 0.5}, amount = 100}")
    _mine(miner, "storage.o")
    miner.run_ticks(20)
    assert float(_value(miner, "storage.c.character_mining_progress")) > 0
    lua(miner, "script.on_event(defines.events.on_tick, function() "
               "storage.c.walking_state = {walking = true, direction = defines.direction.west} end)")
    miner.run_ticks(60)
    assert _value(miner, "storage.c.character_mining_progress") == "0"
    miner.run_ticks(300)
    assert _count(miner, "iron-ore") == 0


def test_stopping_and_clearing_the_selection(miner, protos):
    lua(miner, "storage.o = s.create_entity{name = 'iron-ore', position = {1.5, 0.5}, amount = 100}")
    _mine(miner, "storage.o")
    miner.run_ticks(30)
    lua(miner, "storage.c.mining_state = {mining = false}")
    assert _value(miner, "storage.c.mining_state.mining") == "false"
    assert _value(miner, "storage.c.character_mining_progress") == "0"
    miner.run_ticks(300)
    assert _count(miner, "iron-ore") == 0
    lua(miner, "storage.c.mining_state = {mining = true, position = {1.5, 0.5}} storage.c.clear_selected_entity()")
    miner.run_ticks(300)
    assert _count(miner, "iron-ore") == 0
    lua(miner, "storage.c.update_selected_entity({1.5, 0.5})")
    assert _value(miner, "storage.c.selected.name") == "iron-ore"


def test_a_full_inventory_holds_the_mining_until_there_is_room(miner, protos):
    size = int(protos.raw["character"]["character"]["inventory_size"])
    period = _cycle(protos, "resource", "iron-ore")
    lua(miner, f"storage.c.insert{{name = 'wood', count = {size * 100}}}")
    lua(miner, "storage.o = s.create_entity{name = 'iron-ore', position = {1.5, 0.5}, amount = 100}")
    _mine(miner, "storage.o")
    miner.run_ticks(3 * period)
    assert _count(miner, "iron-ore") == 0 and _value(miner, "storage.o.amount") == "100"
    assert _value(miner, "storage.c.character_mining_progress") == "1"
    lua(miner, "storage.c.remove_item{name = 'wood', count = 100}")
    miner.run_ticks(1)
    assert _count(miner, "iron-ore") == 1 and _value(miner, "storage.o.amount") == "99"


def test_oil_and_the_character_itself_are_not_hand_minable(miner):
    lua(miner, "storage.oil = s.create_entity{name = 'crude-oil', position = {1.5, 1.5}, amount = 1000}")
    _mine(miner, "storage.oil")
    miner.run_ticks(600)
    assert _value(miner, "storage.oil.amount") == "1000"
    _mine(miner, "storage.c")
    miner.run_ticks(600)
    assert _value(miner, "storage.c.valid") == "true"


def test_wrong_kind_and_bad_input(miner):
    lua(miner, "storage.chest = s.create_entity{name = 'wooden-chest', position = {4.5, 4.5}, force = 'player'}")
    for call, message in [
        ("storage.chest.mining_state = {mining = true}", "Entity is not a character."),
        ("storage.chest.selected = storage.c", "Entity is not a character."),
        ("storage.c.mining_state = 5", "mining_state must be a table"),
        ("storage.c.selected = 5", "expected LuaEntity"),
    ]:
        reply = lua(miner, f"local ok, err = pcall(function() {call} end) rcon.print(tostring(ok) .. ' ' .. tostring(err))")
        assert reply.startswith("false") and message in reply, reply
