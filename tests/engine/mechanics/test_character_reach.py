"""Reach and build distances from the character prototype: `can_reach_entity`, `LuaControl.can_place_entity`."""

from __future__ import annotations

import pytest

from .conftest import clear_land, lua


@pytest.fixture
def char(engine):
    clear_land(engine, -20, -20, 20, 20)
    lua(engine, "storage.c = s.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'}")
    return engine


def _value(engine, expr: str) -> str:
    return lua(engine, f"rcon.print(tostring({expr}))")


def test_distances_are_the_prototypes(char, protos):
    proto = protos.raw["character"]["character"]
    assert _value(char, "storage.c.reach_distance") == str(int(proto["reach_distance"]))
    assert _value(char, "storage.c.build_distance") == str(int(proto["build_distance"]))
    assert float(_value(char, "storage.c.resource_reach_distance")) == float(proto["reach_resource_distance"])
    assert float(_value(char, "storage.c.item_pickup_distance")) == float(proto["item_pickup_distance"])


def test_can_reach_entity_measures_to_the_entitys_box(char, protos):
    reach = int(protos.raw["character"]["character"]["reach_distance"])
    half = protos.raw["container"]["wooden-chest"]["collision_box"][1][0]
    # The chest's near edge exactly at reach, then a tile further.
    near_x = 0.5 + reach + half
    lua(char, f"storage.a = s.create_entity{{name = 'wooden-chest', position = {{{near_x}, 0.5}}, force = 'player'}}")
    lua(char, f"storage.b = s.create_entity{{name = 'wooden-chest', position = {{{near_x + 1}, 0.5}}, force = 'player'}}")
    assert _value(char, "storage.c.can_reach_entity(storage.a)") == "true", "character.reach_distance"
    assert _value(char, "storage.c.can_reach_entity(storage.b)") == "false"
    reply = lua(char, "rcon.print(select(2, pcall(storage.c.can_reach_entity, 5)))")
    assert "expected LuaEntity" in reply
    reply = lua(char, "rcon.print(select(2, pcall(storage.a.can_reach_entity, storage.b)))")
    assert reply == "Entity is not a character."


def test_can_place_entity_checks_build_distance_and_collisions(char, protos):
    build = int(protos.raw["character"]["character"]["build_distance"])
    assert _value(char, "storage.c.can_place_entity{name = 'wooden-chest', position = {3.5, 0.5}}") == "true"
    far = 0.5 + build + 2
    assert _value(char, f"storage.c.can_place_entity{{name = 'wooden-chest', position = {{{far}, 0.5}}}}") == "false"
    assert _value(char, f"s.can_place_entity{{name = 'wooden-chest', position = {{{far}, 0.5}}}}") == "true"
    lua(char, "s.create_entity{name = 'wooden-chest', position = {3.5, 0.5}, force = 'player'}")
    assert _value(char, "storage.c.can_place_entity{name = 'wooden-chest', position = {3.5, 0.5}}") == "false"
    char.world.surfaces["nauvis"].set_tile(5, 0, "water")
    assert _value(char, "storage.c.can_place_entity{name = 'wooden-chest', position = {5.5, 0.5}}") == "false"
