"""Value types: positions in every spelling, directions, and the game's [] for an empty object."""

from __future__ import annotations

import pytest

from factoryverse.sdk import AgentState, Direction, EntityState, InvalidArgumentError, Position


@pytest.mark.parametrize("value", [(1.5, -2), [1.5, -2], {"x": 1.5, "y": -2}, Position(x=1.5, y=-2)])
def test_position_of_accepts_factorios_spellings(value):
    assert Position.of(value) == Position(x=1.5, y=-2)


@pytest.mark.parametrize("value", [5, "1,2", (1, 2, 3), {"x": 1}])
def test_position_of_refuses_anything_else(value):
    with pytest.raises(InvalidArgumentError, match="is not a position"):
        Position.of(value)


def test_direction_values_are_factorio_2_defines():
    assert [Direction.NORTH, Direction.EAST, Direction.SOUTH, Direction.WEST] == [0, 4, 8, 12]
    assert len(Direction) == 16


def test_empty_lua_tables_read_as_empty_objects():
    agent = AgentState.model_validate({
        "agent_id": 1, "position": [0, 0], "force": "f", "reach_distance": 10,
        "walking": False, "mining": False, "inventory": [],
    })
    entity = EntityState.model_validate({
        "unit_number": 3, "name": "stone-furnace", "type": "furnace", "position": {"x": 1, "y": 1},
        "direction": 0, "inventories": {"fuel": [], "output": {"iron-plate": 2}},
    })
    assert agent.inventory == {}
    assert entity.inventory("fuel") == {} and entity.inventory("output") == {"iron-plate": 2}
    assert entity.inventory("chest") == {}
    assert EntityState.model_validate({**entity.model_dump(), "inventories": []}).inventories == {}
