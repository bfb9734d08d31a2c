"""API classes share what Factorio shares, and calls are checked against the game's parameter lists.

A member is implemented once on the class that defines it in the game (LuaControl, LuaPrototypeBase) and reached
on every class inheriting it; a method's arguments are checked (count, types, required table fields) before its
implementation runs, with the game's message where it is known.
"""

from __future__ import annotations

import pytest

from factoryverse.engine.api import REGISTRY
from factoryverse.engine.api._signature import CallChecker, parse_signature
from factoryverse.engine.api.members import load_members
from factoryverse.engine.api.registry import ApiRegistry, api_base, api_class
from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ApiMemberError, ScriptError

from .test_entity import character_engine

# -- one implementation, every class that inherits it ----------------------------------------------------------


def test_a_control_member_is_implemented_once_and_reached_on_entity_and_player():
    reg = ApiRegistry()
    entity = api_class("LuaEntity", reg)  # registered before the implementation ...
    control = api_base("LuaControl", reg)

    @control.method("get_main_inventory")
    def main(state, obj):
        return ("main of", obj)

    player = api_class("LuaPlayer", reg)  # ... and after it: both expose it
    assert entity.methods["get_main_inventory"] is player.methods["get_main_inventory"]
    assert player.methods["get_main_inventory"](None, "p") == ("main of", "p")
    assert "LuaControl" not in reg.classes  # no object is a LuaControl: the bridge defines no such class
    # A class that does not inherit from LuaControl gets nothing.
    assert "get_main_inventory" not in api_class("LuaSurface", reg).methods


def test_registering_an_inherited_member_on_the_subclass_is_refused():
    reg = ApiRegistry()
    with pytest.raises(ApiMemberError, match=r"LuaEntity.insert is defined by LuaControl in Factorio"):
        api_class("LuaEntity", reg).method("insert")(lambda state, e, items: 0)


def test_a_member_that_moved_to_a_base_in_one_version_stays_on_the_class():
    # LuaEntity.mining_progress is LuaEntity's own in 2.0 and LuaControl's in 2.1: LuaControl lacks it in 2.0.
    members = load_members()
    assert members.member("LuaEntity", "mining_progress").defined_in == "LuaControl"
    assert not members.has("LuaControl", "mining_progress")
    reg = ApiRegistry()
    api_class("LuaEntity", reg).getter("mining_progress")(lambda state, e: 0.0)
    with pytest.raises(ApiMemberError, match="not a member of both"):
        api_base("LuaControl", reg).getter("mining_progress")(lambda state, e: 0.0)


def test_a_class_nothing_inherits_from_cannot_be_a_base():
    reg = ApiRegistry()
    with pytest.raises(ApiMemberError, match="no Factorio class inherits from LuaSurface"):
        api_base("LuaSurface", reg)


def test_every_implemented_member_is_registered_on_the_class_that_defines_it_in_the_game():
    members = load_members()
    for cls in REGISTRY.classes.values():
        for table in ("getters", "setters", "methods", "lua_methods"):
            for key, impl in getattr(cls, table).items():
                info = members.member(cls.name, key)
                origin = info.defined_in if info.defined_in and members.has(info.defined_in, key) else cls.name
                owner = REGISTRY.bases.get(origin) or REGISTRY.classes[origin]
                assert key in owner.own[table], f"{cls.name}.{key} is not registered on {origin}"
                assert owner.own[table][key][0] is impl, f"{cls.name}.{key} is not {origin}'s implementation"
                assert origin == cls.name or cls.name in {c.name for c in REGISTRY.inheritors(origin, key)}


def test_the_engine_implements_control_and_prototype_base_members_on_their_bases():
    control, proto = REGISTRY.bases["LuaControl"], REGISTRY.bases["LuaPrototypeBase"]
    assert {"insert", "teleport", "get_main_inventory"} <= control.own["methods"].keys()
    assert {"position", "force", "surface"} <= control.own["getters"].keys()
    assert REGISTRY.classes["LuaEntity"].methods["insert"] is control.own["methods"]["insert"][0]
    for name in ("LuaEntityPrototype", "LuaItemPrototype", "LuaRecipePrototype"):
        assert REGISTRY.classes[name].getters["name"] is proto.own["getters"]["name"][0]


def test_an_implementation_must_take_every_argument_the_game_declares():
    reg = ApiRegistry()
    # teleport takes up to 5 arguments (position, surface, raise_teleported, snap_to_grid, build_check_type)
    with pytest.raises(ApiMemberError, match=r"LuaControl.teleport takes up to 5 arguments"):
        api_base("LuaControl", reg).method("teleport")(lambda state, e, position: True)


# -- argument specs from the member list -----------------------------------------------------------------------


def test_signatures_come_from_the_member_list():
    info = load_members().member("LuaEntity", "teleport")
    assert info.params == (
        "position: MapPosition | MapPositionArray, surface?: SurfaceIdentification, raise_teleported?: boolean, "
        "snap_to_grid?: boolean, build_check_type?: defines.build_check_type",
        "x: number, y?: number",
    )
    sig = parse_signature(info.params[0])
    assert [(p.name, p.optional) for p in sig.params][:2] == [("position", False), ("surface", True)]
    assert (sig.min_args, sig.max_args) == (1, 5)
    call = parse_signature(load_members().member("LuaRemote", "call").params[-1])
    assert call.params[-1].rest and call.max_args == float("inf")


def _checker(cls: str, key: str) -> CallChecker:
    return REGISTRY.classes[cls].methods[key].checker


@pytest.mark.parametrize(
    ("cls", "key", "args", "message"),
    [
        ("LuaEntity", "insert", (), "Arguments count error for 'insert': Expected 1 argument but 0 were given"),
        ("LuaEntity", "insert", ("coal", 2),
         "Arguments count error for 'insert': Expected 1 argument but 2 were given"),
        ("LuaEntity", "insert", (5,),
         "Invalid argument #1 (items) to 'insert': expected ItemStackIdentification, got number"),
        ("LuaEntity", "teleport", ("here",),
         "Invalid argument #1 (position) to 'teleport': expected MapPosition | MapPositionArray, got string"),
        ("LuaEntity", "teleport", ({"x": 1, "y": 2}, None, None, None, None, None),
         "Arguments count error for 'teleport': Expected 1 to 5 arguments but 6 were given"),
        ("LuaSurface", "create_entity", ({"name": "x", "position": [0, 0]}, 1),
         "Arguments count error for 'create_entity': Expected 1 argument but 2 were given"),
        ("LuaSurface", "create_entity", ({"name": "iron-chest"},), "value for required field 'position' is missing"),
        ("LuaSurface", "create_entity", ({"position": [0, 0]},), "value for required field 'name' is missing"),
        ("LuaSurface", "create_entity", ("iron-chest",),
         "Invalid argument #1 (params) to 'create_entity': expected SurfaceCreateEntity, got string"),
        ("LuaSurface", "find_entities_filtered", ("coal",),
         "Invalid argument #1 (filter) to 'find_entities_filtered': expected EntitySearchFilters, got string"),
        ("LuaSurface", "find_entities_filtered", ({}, {}),
         "Arguments count error for 'find_entities_filtered': Expected 1 argument but 2 were given"),
    ],
)
def test_checker_messages(cls, key, args, message):
    assert _checker(cls, key).check(args) == message


@pytest.mark.parametrize(
    ("cls", "key", "args"),
    [
        ("LuaEntity", "teleport", (4,)),  # the relative overload teleport(x, y?)
        ("LuaEntity", "teleport", (0, 1)),
        ("LuaEntity", "teleport", ([1, 2], None, True)),  # explicit nil for an optional parameter
        ("LuaEntity", "insert", ({"name": "coal", "count": 5},)),
        ("LuaSurface", "find_entities_filtered", ({},)),
        ("LuaRemote", "call", ("iface", "fn", 1, "two", {"three": 3}, None, 5, 6, 7, 8)),  # varargs stay varargs
    ],
)
def test_checker_accepts_what_the_game_accepts(cls, key, args):
    assert _checker(cls, key).check(args) is None


def test_the_check_runs_before_the_implementation():
    reg = ApiRegistry()
    calls = []
    api_base("LuaControl", reg).method("insert")(lambda state, e, items: calls.append(items) or 1)
    insert = api_class("LuaEntity", reg).methods["insert"]
    with pytest.raises(ScriptError, match="Expected 1 argument but 0 were given"):
        insert(None, object())
    assert calls == []
    assert insert(None, object(), "coal") == 1 and calls == ["coal"]


# -- from Lua ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> Engine:
    return character_engine()


def _error(engine: Engine, code: str) -> str:
    reply = engine.execute_command(
        "/sc local s, c = game.surfaces.nauvis, storage.c "
        f"local ok, err = pcall(function() {code} end) rcon.print(tostring(ok) .. '|' .. tostring(err))")
    ok, _, err = reply.partition("|")
    assert ok == "false", f"{code!r} did not fail: {reply}"
    return err


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("c.insert()", "Arguments count error for 'insert': Expected 1 argument but 0 were given"),
        ("c.insert('coal', 1)", "Arguments count error for 'insert': Expected 1 argument but 2 were given"),
        ("c.teleport('here')",
         "Invalid argument #1 (position) to 'teleport': expected MapPosition | MapPositionArray, got string"),
        ("s.create_entity{name = 'iron-chest'}", "value for required field 'position' is missing"),
        ("s.find_entities_filtered({}, {})",
         "Arguments count error for 'find_entities_filtered': Expected 1 argument but 2 were given"),
        ("c.get_main_inventory(1)",
         "Arguments count error for 'get_main_inventory': Expected 0 arguments but 1 was given"),
    ],
)
def test_bad_calls_from_lua_raise_the_message_at_the_callers_line(engine, code, message):
    err = _error(engine, code)
    assert err.endswith(message), err
    assert err.startswith('[string "')  # raised where the mod called, as the game's errors are


def test_a_control_member_works_on_a_character_from_lua(engine):
    reply = engine.execute_command(
        "/sc local c = storage.c c.insert{name = 'coal', count = 3} "
        "rcon.print(c.get_main_inventory().get_item_count('coal') .. ' ' .. tostring(c.teleport(1, 0)))")
    assert reply == "3 true"
