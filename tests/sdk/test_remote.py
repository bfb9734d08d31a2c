"""remote_call: argument encoding, results and typed errors, through the real game."""

from __future__ import annotations

import math
from typing import Any

import pytest

from factoryverse.schemas import load_remote_interfaces
from factoryverse.sdk import (
    InvalidArgumentError,
    LuaError,
    Position,
    RemoteCallError,
    UnknownEntityError,
    UnknownInterfaceError,
    remote_call,
)
from factoryverse.sdk.errors import error_class_for_code
from factoryverse.sdk.remote import long_bracket, to_wire

from .conftest import Game, run

# A test-only interface registered through the console: it hands back exactly what it received, so the
# encoding can be checked for any argument. `n` is select("#") so trailing nils are visible too.
_ECHO = (
    "if not remote.interfaces['sdk_test_echo'] then remote.add_interface('sdk_test_echo', {"
    "echo = function(...) return {n = select('#', ...), args = {...}} end,"
    "fail = function() local t = nil; return t.field end,"
    "nothing = function() end,"
    "}) end"
)


async def _echo(game: Game, *args: Any) -> dict[str, Any]:
    async with game.rcon() as rcon:
        await rcon.lua(_ECHO)
        return await remote_call(rcon, "sdk_test_echo", "echo", *args)


def test_strings_that_could_break_the_script_round_trip(game: Game):
    nasty = [
        'quote " and \' and \\ backslash',
        "new\nline\r\nand\ttab",
        "closing ]] and ]=] and ]==] brackets",
        "unicode é ∑ 漢字",
        "\nleading newline",
        "rcon.print('injected')",
    ]
    result = run(_echo(game, *nasty))
    assert result["n"] == len(nasty)
    assert result["args"] == nasty


def test_nested_values_and_nils_keep_their_positions(game: Game):
    result = run(_echo(game, None, {"a": [1, 2.5, {"b": True}], "dropped": None}, None, Position(x=1.5, y=-2), None))
    assert result["n"] == 5
    # helpers.table_to_json writes an array with holes as an object keyed by index.
    args = result["args"]
    assert args == {"2": {"a": [1, 2.5, {"b": True}]}, "4": {"x": 1.5, "y": -2}}


def test_no_arguments_and_nil_result(game: Game):
    async def scenario() -> tuple[Any, Any]:
        async with game.rcon() as rcon:
            await rcon.lua(_ECHO)
            return await remote_call(rcon, "sdk_test_echo", "echo"), await remote_call(rcon, "sdk_test_echo", "nothing")

    echoed, nothing = run(scenario())
    assert echoed == {"n": 0, "args": {}}  # an empty table is {} in helpers.table_to_json, as in the game
    assert nothing is None


def test_a_real_mod_echoes_an_awkward_name(game: Game):
    name = 'not-an-entity "]]\n'

    async def scenario() -> Any:
        async with game.rcon() as rcon:
            return await remote_call(rcon, "placement_hints", "validate_placement", name, {"x": 3, "y": 4})

    result = run(scenario())
    assert result == {"valid": False, "entity_name": name, "position": {"x": 3, "y": 4}, "reason": "unknown_entity"}


def test_mod_error_code_becomes_its_typed_error(game: Game):
    async def scenario() -> None:
        async with game.rcon() as rcon:
            await remote_call(rcon, "placement_hints", "validate_placement", "stone-furnace", "not a position")

    with pytest.raises(InvalidArgumentError) as caught:
        run(scenario())
    error = caught.value
    assert error.code == "invalid_argument"
    assert error.interface == "placement_hints" and error.method == "validate_placement"
    assert "position must be a position" in error.detail
    assert "stack traceback" not in str(error)


def test_unknown_interface_and_unknown_method(game: Game):
    async def scenario() -> tuple[UnknownInterfaceError, UnknownInterfaceError]:
        async with game.rcon() as rcon:
            with pytest.raises(UnknownInterfaceError) as no_interface:
                await remote_call(rcon, "no_such_interface", "version")
            with pytest.raises(UnknownInterfaceError) as no_method:
                await remote_call(rcon, "agent", "no_such_method")
            return no_interface.value, no_method.value

    no_interface, no_method = run(scenario())
    assert "no remote interface 'no_such_interface'" in str(no_interface)
    assert "has no method 'no_such_method'" in str(no_method)


def test_lua_error_inside_a_method_is_a_lua_error(game: Game):
    async def scenario() -> None:
        async with game.rcon() as rcon:
            await rcon.lua(_ECHO)
            await remote_call(rcon, "sdk_test_echo", "fail")

    with pytest.raises(LuaError, match="attempt to index") as caught:
        run(scenario())
    assert caught.value.traceback.startswith("stack traceback:")


def test_every_contract_error_code_has_its_own_class():
    codes = load_remote_interfaces()["error_codes"]
    classes = {code: error_class_for_code(code) for code in codes}
    for code, cls in classes.items():
        assert cls is not RemoteCallError, f"{code} has no typed error"
        assert cls.code == code
        assert cls.__doc__, f"{cls.__name__} must say what to do"
    assert len(set(classes.values())) == len(codes)
    assert error_class_for_code("a_code_from_the_future") is RemoteCallError
    assert error_class_for_code("unknown_entity") is UnknownEntityError


@pytest.mark.parametrize("text", ["", "]]", "a]]b]=]c", "]=]]==]]]", "\nstarts with newline"])
def test_long_bracket_never_closes_early(text: str):
    literal = long_bracket(text)
    level = literal.index("[", 1) - 1
    close = "]" + "=" * level + "]"
    body = literal[level + 2 : -(level + 2)]
    assert close not in body
    assert body.endswith(text) and literal.endswith(close)


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, [1, None], {1: "x"}, object()], ids=["nan", "inf", "hole", "int-key", "object"]
)
def test_values_lua_cannot_hold_are_refused_before_sending(value: Any):
    with pytest.raises(InvalidArgumentError):
        to_wire(value)
