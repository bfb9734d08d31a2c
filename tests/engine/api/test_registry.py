"""The API surface: only real members, Factorio's own messages for unknown keys, read-only members and invalid
objects, identity-based `==`, and `object_name`."""

from __future__ import annotations

import pytest

from factoryverse.engine.api import REGISTRY
from factoryverse.engine.api.members import load_members
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ApiMemberError


def _implemented() -> list[tuple[str, str]]:
    return sorted(
        (cls.name, member)
        for cls in REGISTRY.classes.values()
        for member in [*cls.getters, *cls.setters, *cls.methods]
    )


def test_registry_is_not_empty():
    names = {cls for cls, _ in _implemented()}
    assert {"LuaEntity", "LuaGameScript", "LuaSurface", "LuaBootstrap", "LuaRemote", "LuaInventory"} <= names


@pytest.mark.parametrize(("cls", "member"), _implemented())
def test_every_implemented_member_exists_in_factorio_2_0_and_2_1(cls, member):
    members = load_members()
    versioned = REGISTRY.classes[cls].versioned
    if member in versioned or "*" in versioned:
        # A version-only member (2.0's LuaEntity.fluidbox): real in some version, bound only there
        # (tests/engine/mechanics/test_fluids.py checks 2.1 has no such key).
        assert any(members.has(cls, member, v) for v in members.versions), f"{cls}.{member} is in no version"
    else:
        assert members.has(cls, member), f"{cls}.{member} is not in both Factorio 2.0 and 2.1"


def test_every_setter_is_writable_in_factorio():
    members = load_members()
    for cls in REGISTRY.classes.values():
        for key in cls.setters:
            info = members.member(cls.name, key)
            assert info is not None and not info.readonly, f"{cls.name}.{key} is read-only in Factorio"


def test_every_method_is_a_method_and_every_getter_a_property():
    members = load_members()
    for cls in REGISTRY.classes.values():
        for key in cls.methods:
            assert members.member(cls.name, key).kind == "method", f"{cls.name}.{key}"
        for key in cls.getters:
            assert members.member(cls.name, key).kind == "property", f"{cls.name}.{key}"


def test_registering_an_unknown_member_fails():
    with pytest.raises(ApiMemberError, match="LuaEntity.no_such_member is not a member"):
        api_class("LuaEntity").getter("no_such_member")(lambda state, obj: None)
    assert "no_such_member" not in REGISTRY.classes["LuaEntity"].getters


def test_registering_a_setter_for_a_read_only_member_fails():
    with pytest.raises(ApiMemberError, match="LuaEntity.name is read-only"):
        api_class("LuaEntity").setter("name")(lambda state, obj, value: None)


def test_registering_a_method_as_a_property_fails():
    with pytest.raises(ApiMemberError, match="LuaEntity.destroy is a method"):
        api_class("LuaEntity").getter("destroy")(lambda state, obj: None)


def test_length_operator_only_where_factorio_has_one():
    with pytest.raises(ApiMemberError, match="LuaEntity has no length operator"):
        api_class("LuaEntity").length_operator(lambda state, obj: 0)
    assert REGISTRY.classes["LuaEntity"].length is None
    assert REGISTRY.classes["LuaInventory"].length is not None


def test_unknown_class_fails():
    with pytest.raises(ApiMemberError, match="LuaWidget is not a Factorio runtime class"):
        REGISTRY.cls("LuaWidget")


# -- in Lua ---------------------------------------------------------------------------------------------------


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def _error(engine: Engine, code: str) -> str:
    """The message of the error `code` raises, without position or traceback."""
    reply = engine.execute_command(f"/sc local ok, err = pcall(function() {code} end) rcon.print(tostring(ok) .. '|' .. tostring(err))")
    ok, _, err = reply.partition("|")
    assert ok == "false", f"{code!r} did not fail: {reply}"
    return err.split(": ", 1)[1] if err.startswith("[string") else err


_CHEST = "local e = game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {5.5, 5.5}, force = 'player'}"


@pytest.mark.parametrize(
    ("expr", "cls"),
    [
        ("game", "LuaGameScript"),
        ("game.surfaces.nauvis", "LuaSurface"),
        ("game.forces.player", "LuaForce"),
        ("script", "LuaBootstrap"),
        ("remote", "LuaRemote"),
        ("rcon", "LuaRCON"),
        ("helpers", "LuaHelpers"),
        ("commands", "LuaCommandProcessor"),
    ],
)
def test_unknown_key_raises_factorios_message(engine, expr, cls):
    assert _error(engine, f"return {expr}.foo") == f"{cls} doesn't contain key foo."


def test_unknown_key_on_an_entity(engine):
    assert _error(engine, f"{_CHEST} return e.foo") == "LuaEntity doesn't contain key foo."
    assert _error(engine, f"{_CHEST} e.foo = 1") == "LuaEntity doesn't contain key foo."


def test_writing_a_read_only_member(engine):
    assert _error(engine, "game.tick = 5") == "LuaGameScript::tick is read only."
    assert _error(engine, f"{_CHEST} e.name = 'iron-chest'") == "LuaEntity::name is read only."
    assert _error(engine, f"{_CHEST} e.destroy = nil") == "LuaEntity::destroy is read only."


def test_invalid_entity(engine):
    setup = f"{_CHEST} e.destroy() "
    assert engine.execute_command(f"/sc {setup} rcon.print(tostring(e.valid) .. ' ' .. e.object_name)") == "false LuaEntity"
    for access in ("return e.name", "return e.position", "e.direction = 2", "e.destroy()", "return e.get_inventory(1)"):
        assert _error(engine, setup + access) == "LuaEntity API call when LuaEntity was invalid.", access


def test_equality_is_identity(engine):
    reply = engine.execute_command(
        f"/sc {_CHEST} "
        "local again = game.surfaces.nauvis.find_entity('wooden-chest', {5.5, 5.5}) "
        "local other = game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {8.5, 5.5}, force = 'player'} "
        "rcon.print(tostring(e == again) .. ' ' .. tostring(e == other) .. ' ' .. tostring(rawequal(e, again)) "
        ".. ' ' .. tostring(game.surfaces.nauvis == game.surfaces[1]) .. ' ' .. tostring(game.forces.player == game.forces.enemy)) "
        "e.destroy() other.destroy()"
    )
    assert reply == "true false true true false"


@pytest.mark.parametrize(
    ("expr", "cls"),
    [
        ("game", "LuaGameScript"),
        ("script", "LuaBootstrap"),
        ("game.surfaces.nauvis", "LuaSurface"),
        ("game.forces.player", "LuaForce"),
        ("prototypes.entity['stone-furnace']", "LuaEntityPrototype"),
        ("prototypes.item['coal']", "LuaItemPrototype"),
    ],
)
def test_object_name(engine, expr, cls):
    assert engine.execute_command(f"/sc rcon.print({expr}.object_name)") == cls


def test_tostring_names_the_class(engine):
    assert engine.execute_command("/sc rcon.print(tostring(game.surfaces.nauvis))").startswith("[LuaSurface: ")


def test_wrong_argument_count_is_a_lua_error(engine):
    # Factorio 2.0's own text (its "Arguments count error for 'spill_item_stack'" reports); get_tile(x, y) or
    # get_tile(position) takes 1 to 2 arguments.
    assert "Arguments count error for 'get_tile': Expected 1 to 2 arguments but 0 were given" in _error(
        engine, "game.surfaces.nauvis.get_tile()")
