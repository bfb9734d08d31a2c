"""Event ids: defines.events, custom events, and how bad identifiers are reported."""

from __future__ import annotations

import pytest

from factoryverse.engine.api.defines import defines_tree
from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ScriptError


@pytest.fixture
def bus():
    return Engine(seed=1, mods=[], starting_chunks=1).events


def test_ids_are_defines_events(bus):
    assert bus.ids == defines_tree()["events"]
    assert bus.id_of("on_tick") == bus.ids["on_tick"]
    assert bus.id_of(bus.ids["on_tick"]) == bus.ids["on_tick"]


def test_generated_ids_are_new_and_named_ones_resolve(bus):
    a = bus.generate_event_name()
    b = bus.generate_event_name("my-event")
    assert a not in bus.ids.values() and b not in bus.ids.values() and a != b
    assert bus.id_of("my-event") == b


@pytest.mark.parametrize(
    ("event", "message"),
    [(10**6, "Invalid event id: 1000000"), ("on_nothing", "Unknown event name: on_nothing"), (True, "Invalid event id"), (1.5, "Invalid event identifier")],
)
def test_bad_identifiers(bus, event, message):
    with pytest.raises(ScriptError, match=message):
        bus.id_of(event)


def test_raise_event_passes_name_tick_and_data_to_every_state():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    engine.run_ticks(2)
    eid = engine.events.generate_event_name("probe")
    engine.execute_command(
        f"/sc script.on_event({eid}, function(e) storage.got = e.name .. ' ' .. e.tick .. ' ' .. e.value end)"
    )
    engine.events.raise_event(eid, {"value": "v"})
    assert engine.execute_command("/sc rcon.print(storage.got)") == f"{eid} 2 v"


# -- event tables made in Lua (lua/event_table.py) -------------------------------------------------------------


def _probe(engine: Engine, body: str) -> int:
    eid = engine.events.generate_event_name()
    engine.execute_command(f"/sc script.on_event({eid}, function(e) {body} end)")
    return eid


def test_nested_data_objects_and_lists_reach_the_handler_as_the_python_tables_would():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    world = engine.world
    chest = world.create_entity(world.surfaces["nauvis"], "wooden-chest", 0.5, 0.5, force=world.forces["player"])
    eid = _probe(engine, "storage.got = table.concat({e.a.b.c, e.entity.name, e.force.name, #e.list, e.list[2], "
                         "tostring(e.flag), tostring(e.missing), e['odd-key'].x, e.n[1]}, ' ')")
    engine.events.raise_event(eid, {
        "a": {"b": {"c": 1.5}}, "entity": chest, "force": world.forces["player"], "list": [3, 4, 5], "flag": False,
        "missing": None, "odd-key": {"x": "y"}, "n": {1: "one"},
    })
    assert engine.execute_command("/sc rcon.print(storage.got)") == "1.5 wooden-chest player 3 4 false nil y one"


def test_a_key_lua_cannot_name_makes_the_table_in_python():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    eid = _probe(engine, "storage.got = e['end'] .. e['a-b'] .. e.name")
    engine.events.raise_event(eid, {"end": "x", "a-b": "y"})
    assert engine.execute_command("/sc rcon.print(storage.got)") == f"xy{eid}"


def test_data_cannot_replace_the_events_name_and_tick():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    engine.run_ticks(3)
    eid = _probe(engine, "storage.got = e.name .. ' ' .. e.tick")
    engine.events.raise_event(eid, {"name": "fake", "tick": -1, "other": 1})
    assert engine.execute_command("/sc rcon.print(storage.got)") == f"{eid} 3"


def test_a_failing_handler_is_logged_and_the_next_event_runs():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    eid = _probe(engine, "storage.n = (storage.n or 0) + 1 if e.boom then error('boom') end")
    engine.events.raise_event(eid, {"boom": True})
    engine.events.raise_event(eid, {"boom": False})
    assert engine.execute_command("/sc rcon.print(storage.n)") == "2"
    assert any("boom" in str(e) for e in engine.mod_errors)


def test_an_event_raised_inside_a_command_runs_its_handler_under_the_commands_budget():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    engine.execute_command("/sc script.on_event(defines.events.script_raised_built, function(e) "
                           "storage.built = e.entity.name .. ' ' .. e.name end)")
    engine.execute_command("/sc game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {3.5, 3.5}, "
                           "raise_built = true} rcon.print('after')")
    built = engine.execute_command("/sc rcon.print(storage.built)")
    assert built == f"wooden-chest {engine.events.ids['script_raised_built']}"


def test_the_chart_events_fixed_shape_is_what_flatten_gives():
    from factoryverse.engine.events import _CHART_SHAPE
    from factoryverse.engine.lua.event_table import flatten

    engine = Engine(seed=1, mods=[], starting_chunks=1)
    data = {"surface_index": 1, "position": {"x": 0, "y": 0},
            "area": {"left_top": {"x": 0, "y": 0}, "right_bottom": {"x": 32, "y": 32}},
            "force": engine.world.forces["player"]}
    assert flatten(data).shape == _CHART_SHAPE


def test_data_with_more_values_than_a_builder_takes_arrives_whole():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    eid = _probe(engine, "local n = 0 for _ in pairs(e) do n = n + 1 end storage.n = n")
    for size in (10, 400):
        engine.events.raise_event(eid, {f"k{i}": i for i in range(size)})
        assert engine.execute_command("/sc rcon.print(storage.n)") == str(size + 2)  # and name, tick
