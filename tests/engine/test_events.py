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
