"""helpers.table_to_json, encoded in Lua (engine/lua/json.lua): the shapes Factorio produces."""

from __future__ import annotations

import json

import pytest

from factoryverse.engine.engine import Engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def _encode(engine: Engine, lua_value: str) -> str:
    return engine.execute_command(f"/sc rcon.print(helpers.table_to_json({lua_value}))")


@pytest.mark.parametrize(
    ("lua_value", "expected"),
    [
        ("{1, 2, 3}", [1, 2, 3]),
        ("{}", {}),  # an empty table is an object, as in the game
        ("{a = {}, b = {x = 1}}", {"a": {}, "b": {"x": 1}}),
        ("{[1] = 'a', [3] = 'c'}", {"1": "a", "3": "c"}),  # holes make an object with string keys
        ("{s = 'quote\" backslash\\\\ newline\\n tab\\t bell\\7'}", {"s": 'quote" backslash\\ newline\n tab\t bell\x07'}),
        ("{t = true, f = false}", {"t": True, "f": False}),
        ("{n = 0.1, m = -2.5, big = 123456789012, tiny = 1e-300}", {"n": 0.1, "m": -2.5, "big": 123456789012, "tiny": 1e-300}),
        ("{u = 'ünïcode ✓'}", {"u": "ünïcode ✓"}),
    ],
)
def test_encodes_like_the_game(engine, lua_value, expected):
    assert json.loads(_encode(engine, lua_value)) == expected


def test_integers_have_no_fraction(engine):
    assert _encode(engine, "{1, 2.0, 3.5}") == "[1,2,3.5]"


@pytest.mark.parametrize(
    ("lua_value", "message"),
    [
        ("{game.surfaces[1]}", "cannot encode a LuaSurface"),
        ("{1/0}", "cannot encode NaN or infinity"),
        ("{f = function() end}", "cannot encode a function"),
    ],
)
def test_unencodable_values_are_errors(engine, lua_value, message):
    reply = _encode(engine, lua_value)
    assert reply.startswith("Cannot execute command. Error: ")
    assert message in reply


def test_round_trips_through_json_to_table(engine):
    reply = engine.execute_command(
        "/sc local t = helpers.json_to_table(helpers.table_to_json({a = {1, 2}, b = 'x'})) "
        "rcon.print(t.a[2] .. t.b)"
    )
    assert reply == "2x"


def test_an_empty_table_is_an_empty_object_as_in_the_game(engine):
    """Regression: the engine wrote `[]`; clients of real servers report `helpers.table_to_json({})` as "{}"."""
    assert _encode(engine, "{}") == "{}"
    assert _encode(engine, "{list = {}}") == '{"list":{}}'
