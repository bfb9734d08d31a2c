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


@pytest.mark.parametrize(("value", "why"), [
    ({"x": "1", "y": "2"}, "x: a coordinate is a number, not str '1'"),
    (("1", "2"), "x: a coordinate is a number, not str '1'"),
    ([1, "2"], "y: a coordinate is a number, not str '2'"),
    ((True, 2), "x: a coordinate is a number, not bool True"),
    ({"x": 1, "y": False}, "y: a coordinate is a number, not bool False"),
    ((float("inf"), 0), "x: a coordinate is a finite number, not inf"),
    ((0, float("nan")), "y: a coordinate is a finite number, not nan"),
])
def test_coordinates_are_numbers_only_as_the_game_takes_them(value, why):
    # pydantic alone would read "1" as 1.0 and True as 1.0; the game accepts neither in a position.
    with pytest.raises(InvalidArgumentError, match="is not a position") as info:
        Position.of(value)
    assert why in str(info.value)


def test_a_map_position_of_numeric_strings_or_bools_is_refused():
    for x, y in [("1", 2), (1, "2"), (True, 2)]:
        with pytest.raises(InvalidArgumentError, match="MapPosition needs two finite numbers"):
            Position(x, y)
    with pytest.raises(InvalidArgumentError, match="MapPosition needs two finite numbers"):
        Position(x="1", y="2")


def test_any_real_number_is_a_coordinate():
    from decimal import Decimal
    from fractions import Fraction

    assert Position.of((Fraction(1, 2), 3)) == Position(0.5, 3.0)
    assert Position.of({"x": Decimal("1.5"), "y": 2}) == Position(1.5, 2)  # DuckDB's type for a literal 1.5
    assert Position.of({"x": -0, "y": 2.25}).as_tuple() == (0.0, 2.25)


def test_direction_values_are_factorio_2_defines():
    assert [Direction.NORTH, Direction.EAST, Direction.SOUTH, Direction.WEST] == [0, 4, 8, 12]
    assert len(Direction) == 16


def test_empty_lua_tables_read_as_empty_objects():
    agent = AgentState.model_validate({
        "agent_id": 1, "position": [0, 0], "force": "f", "reach_distance": 10, "build_distance": 10,
        "resource_reach_distance": 2.7, "walking": False, "mining": False, "crafting_queue_size": 0, "inventory": [],
    })
    entity = EntityState.model_validate({
        "unit_number": 3, "name": "stone-furnace", "type": "furnace", "position": {"x": 1, "y": 1},
        "direction": 0, "inventories": {"fuel": [], "output": {"iron-plate": 2}}, "reachable": True,
    })
    assert agent.inventory == {}
    assert entity.inventory("fuel") == {} and entity.inventory("output") == {"iron-plate": 2}
    assert entity.inventory("chest") == {}
    assert EntityState.model_validate({**entity.model_dump(), "inventories": []}).inventories == {}


def test_map_position_takes_the_seeds_positional_form_and_refuses_junk():
    from factoryverse.sdk import MapPosition

    assert MapPosition(100, 200) == Position(x=100, y=200) and MapPosition is Position
    assert eval(repr(MapPosition(1.5, -2)), {"MapPosition": MapPosition}) == MapPosition(1.5, -2)
    with pytest.raises(InvalidArgumentError, match="MapPosition needs two finite numbers"):
        MapPosition("a", 2)


@pytest.mark.parametrize(("name", "value"), [("north", 0), ("northnortheast", 1), ("EAST", 4), ("westnorthwest", 13)])
def test_direction_reads_the_databases_lower_case_names(name, value):
    assert Direction.of(name) == value and Direction.of(value) == value


@pytest.mark.parametrize("value", ["up", 16, -1, True, 2.5])
def test_direction_refuses_anything_else(value):
    with pytest.raises(InvalidArgumentError, match="not a direction"):
        Direction.of(value)


def test_direction_vectors_and_turns_follow_factorios_axes():
    assert Direction.EAST.vector == (1.0, 0.0) and Direction.NORTH.vector == (0.0, -1.0)
    assert Direction.SOUTH.vector == (0.0, 1.0)
    assert Direction.NORTH.turned(2) is Direction.EAST and Direction.NORTH.turned(-2) is Direction.WEST


def test_bounding_box_around_a_center():
    from factoryverse.sdk import BoundingBox

    box = BoundingBox.around((2, 3), 1.5, 0.5)
    assert (box.width, box.height, box.center) == (3.0, 1.0, Position(x=2, y=3))
    assert box.contains((3.5, 3.5)) and not box.contains((3.6, 3))
