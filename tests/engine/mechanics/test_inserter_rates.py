"""Inserter swing timing and throughput, chest to chest, from each prototype's `rotation_speed` (turns per tick) and
`extension_speed` (tiles per tick), and hand size from the force's bonuses.

A half swing (pickup to drop, or back) takes max(ceil(turn / rotation_speed), ceil(|drop length - pickup length| /
extension_speed)) ticks, turn = 0.5 for a straight inserter; a full cycle is two half swings. This is the rule the
Factorio wiki's throughput figures follow for 2.0: the wiki's Bulk inserter page (revision of 28 October 2024, 2.0:
"The throughput from chest to chest for a fully upgraded bulk inserter is 27.69 items per second", a 12-item hand)
gives 60 * 12 / 27.69 = 26 ticks per cycle = 2 * ceil(0.5 / 0.04), and the wiki's Inserters page gives 0.83 items/s
for the inserter (2 * ceil(0.5 / 0.014) = 72 ticks) and 2.31 for the fast inserter (26 ticks); the forum's statement
of the rule: forums.factorio.com/viewtopic.php?p=601235 ("divide 0.5 by that number ... round up ... double it").
"""

from __future__ import annotations

import math

import pytest

from .conftest import clear_land, lua, ticks_of_changes

INSERTERS = ("burner-inserter", "inserter", "long-handed-inserter", "fast-inserter", "bulk-inserter")
# Chest-to-chest items/s published by the wiki for a one-item hand (and the bulk inserter's 12-item hand).
WIKI_ITEMS_PER_SECOND = {"inserter": 0.83, "fast-inserter": 2.31}
WIKI_BULK_FULL = 27.69


def half_swing(proto: dict) -> int:
    """The rule above, from the prototype's fields (straight inserters: pickup and drop on one line, 0.5 turn)."""
    pickup = math.hypot(*proto["pickup_position"])
    drop = math.hypot(*proto["insert_position"])
    rotation = math.ceil(0.5 / float(proto["rotation_speed"]) - 1e-9)
    extension = math.ceil(abs(drop - pickup) / float(proto["extension_speed"]) - 1e-9)
    return max(rotation, extension)


def build(engine, name: str, items: int = 400, item: str = "iron-plate", chest: str = "iron-chest") -> None:
    """A chest north of the inserter (its pickup side), an empty one at its drop position; the inserter at (0.5, 0.5)
    facing north, built at tick 0."""
    clear_land(engine, -8, -8, 8, 8)
    proto = engine.prototypes.raw["inserter"][name]
    py = 0.5 + proto["pickup_position"][1]
    dy = 0.5 + proto["insert_position"][1]
    lua(
        engine,
        f"storage.src = s.create_entity{{name = '{chest}', position = {{0.5, {py}}}, force = 'player'}} "
        f"storage.dst = s.create_entity{{name = '{chest}', position = {{0.5, {dy}}}, force = 'player'}} "
        f"if {items} > 0 then storage.src.insert{{name = '{item}', count = {items}}} end "
        f"storage.i = s.create_entity{{name = '{name}', position = {{0.5, 0.5}}, force = 'player'}} "
        "if storage.i.get_fuel_inventory() then storage.i.get_fuel_inventory().insert{name = 'coal', count = 50} end",
    )


def delivered(engine, item: str = "iron-plate") -> int:
    return int(lua(engine, f"rcon.print(storage.dst.get_item_count('{item}'))"))


@pytest.mark.parametrize("name", INSERTERS)
def test_each_delivery_on_the_tick_the_prototype_gives(engine, protos, name):
    proto = protos.raw["inserter"][name]
    h = half_swing(proto)
    why = f"{name}.rotation_speed = {proto['rotation_speed']}, {name}.extension_speed = {proto['extension_speed']}: {h} ticks per half swing"
    assert engine.world.tick == 0
    build(engine, name)
    ticks = ticks_of_changes(engine, lambda: delivered(engine), changes=4, max_ticks=10 * h)
    # Picked up in tick 0's update, dropped in tick h's (read after that step: h + 1), then one drop per 2h ticks.
    assert ticks == [h + 1 + 2 * h * k for k in range(4)], why
    assert delivered(engine) == 4  # one item per swing without a bonus


@pytest.mark.parametrize("name", WIKI_ITEMS_PER_SECOND)
def test_cycle_matches_the_wiki_throughput(protos, name):
    assert round(60 / (2 * half_swing(protos.raw["inserter"][name])), 2) == WIKI_ITEMS_PER_SECOND[name]


def test_full_bulk_hand_matches_the_wiki(engine, protos):
    # bulk-inserter technology and inserter-capacity-bonus-1..7 (the prototype data's effects) sum to +11.
    techs = protos.raw["technology"]
    bonus = sum(
        e["modifier"] for t in techs.values() for e in t.get("effects") or [] if e.get("type") == "bulk-inserter-capacity-bonus"
    )
    assert 1 + bonus == 12
    assert round(60 * 12 / (2 * half_swing(protos.raw["inserter"]["bulk-inserter"])), 2) == WIKI_BULK_FULL


@pytest.mark.parametrize(("name", "bonus"), [(n, 0) for n in INSERTERS] + [("bulk-inserter", 11), ("inserter", 2)])
def test_sixty_seconds_within_one_percent(engine, protos, name, bonus):
    proto = protos.raw["inserter"][name]
    which = "bulk_inserter_capacity_bonus" if proto.get("bulk") else "inserter_stack_size_bonus"
    lua(engine, f"game.forces.player.{which} = {bonus}")
    build(engine, name, items=3200)
    hand = 1 + bonus
    engine.run_ticks(3600)
    expected = 60 * hand / (2 * half_swing(proto)) * 60
    got = delivered(engine)
    assert abs(got - expected) <= 0.01 * expected, f"{name} hand {hand}: {got} items in 60 s, expected {expected:.1f}"


def test_hand_size_follows_the_force_bonus(engine):
    lua(engine, "game.forces.player.inserter_stack_size_bonus = 2 game.forces.player.bulk_inserter_capacity_bonus = 5")
    build(engine, "fast-inserter")
    assert lua(engine, "rcon.print(storage.i.inserter_target_pickup_count)") == "3"
    engine.run_ticks(14)
    assert delivered(engine) == 3  # one swing carries 1 + inserter_stack_size_bonus
    lua(engine, "storage.i.destroy() storage.dst.remove_item{name = 'iron-plate', count = 3} storage.b = s.create_entity{name = 'bulk-inserter', position = {0.5, 0.5}, force = 'player'}")
    assert lua(engine, "rcon.print(storage.b.inserter_target_pickup_count)") == "6"  # bulk: 1 + bulk_inserter_capacity_bonus
    engine.run_ticks(14)
    assert delivered(engine) == 6


def test_bonus_reads_back_and_rejects_bad_values(engine):
    assert lua(engine, "rcon.print(game.forces.player.inserter_stack_size_bonus)") == "0"
    reply = engine.execute_command("/sc game.forces.player.bulk_inserter_capacity_bonus = -1")
    assert "0 to 254" in reply
    assert lua(engine, "rcon.print(game.forces.player.bulk_inserter_capacity_bonus)") == "0"
