"""LuaSurface.request_path arguments as Factorio checks them, and PathRequests answering every request even when
solving one of them fails inside the engine."""

from __future__ import annotations

import pytest

from factoryverse.engine.mechanics import pathing

from .conftest import clear_land, lua

_HANDLER = (
    "storage.answers = {} "
    "script.on_event(defines.events.on_script_path_request_finished, function(e) "
    "  local last = e.path and e.path[#e.path].position "
    "  storage.answers[e.id] = last and (last.x .. ',' .. last.y) or 'nil' "
    "end)"
)
_CHARACTER = (
    "bounding_box = prototypes.entity.character.collision_box, "
    "collision_mask = prototypes.entity.character.collision_mask, force = 'player', "
)


@pytest.fixture
def open_land(engine):
    clear_land(engine, -20, -20, 20, 20)
    lua(engine, _HANDLER)
    return engine


def _request(engine, fields: str) -> int:
    return int(lua(engine, f"rcon.print(s.request_path{{{fields}}})"))


def _answer(engine, rid: int) -> str:
    return lua(engine, f"rcon.print(storage.answers[{rid}] or 'unanswered')")


def _error(engine, fields: str) -> str:
    reply = engine.execute_command(f"/sc game.surfaces.nauvis.request_path{{{fields}}}")
    assert reply.startswith("Cannot execute command"), reply
    return reply


def test_entity_to_ignore_must_be_an_entity(open_land):
    """Regression: a table passed as entity_to_ignore was queued, then raised inside the next tick (killing a
    served game's thread); it must be refused in the call, as Factorio refuses a non-LuaEntity."""
    reply = _error(open_land, _CHARACTER + "start = {0.5, 0.5}, goal = {5.5, 5.5}, entity_to_ignore = {x = 1, y = 2}")
    assert "request_path: entity_to_ignore must be a LuaEntity" in reply
    tick = open_land.tick
    open_land.run_ticks(3)
    assert open_land.tick == tick + 3


@pytest.mark.parametrize("missing", ["bounding_box", "force"])
def test_bounding_box_and_force_are_required(open_land, missing):
    """Regression: request_path accepted a request without `bounding_box` or `force`, which Factorio requires."""
    fields = {
        "bounding_box": "bounding_box = {{-0.2, -0.2}, {0.2, 0.2}}, ",
        "force": "force = 'player', ",
    }
    del fields[missing]
    body = "".join(fields.values()) + "collision_mask = {layers = {player = true}}, start = {0.5, 0.5}, goal = {5.5, 0.5}"
    assert f"request_path: '{missing}' is required" in _error(open_land, body)


@pytest.mark.parametrize("radius", ["-1", "0/0", "1/0"])
def test_radius_must_be_a_finite_number_at_least_zero(open_land, radius):
    reply = _error(open_land, _CHARACTER + f"start = {{0.5, 0.5}}, goal = {{5.5, 0.5}}, radius = {radius}")
    assert "Invalid request_path.radius" in reply


def test_radius_defaults_to_one_tile(open_land):
    """Regression: radius defaulted to 0, but Factorio's documented default is 1: a goal on an occupied tile is
    reached to within a tile instead of failing."""
    lua(open_land, "s.create_entity{name = 'wooden-chest', position = {10.5, 0.5}, force = 'player'}")
    exact = _request(open_land, _CHARACTER + "start = {0.5, 0.5}, goal = {10.5, 0.5}, radius = 0")
    default = _request(open_land, _CHARACTER + "start = {0.5, 0.5}, goal = {10.5, 0.5}")
    open_land.run_ticks(2)
    assert _answer(open_land, exact) == "nil"
    x, y = (float(v) for v in _answer(open_land, default).split(","))
    assert (x - 10.5) ** 2 + (y - 0.5) ** 2 <= 1.0 + 1e-9


def test_entity_to_ignore_does_not_block_the_path(open_land):
    lua(open_land, "storage.chest = s.create_entity{name = 'wooden-chest', position = {10.5, 0.5}, force = 'player'}")
    rid = _request(open_land, _CHARACTER + "start = {0.5, 0.5}, goal = {10.5, 0.5}, radius = 0, "
                                           "entity_to_ignore = storage.chest")
    open_land.run_ticks(2)
    assert _answer(open_land, rid) == "10.5,0.5"


def test_an_internal_error_in_one_request_answers_it_without_a_path(open_land, monkeypatch):
    """Regression: an unexpected exception while solving one request escaped PathRequests.update and aborted the
    whole tick (and a served game's thread); now that request is answered as a failed path and the rest go on."""
    real = pathing.find_path

    def failing_for_one_goal(blocked, start, goal, **kw):
        if goal == (7.5, 0.5):
            raise RuntimeError("injected failure inside the path search")
        return real(blocked, start, goal, **kw)

    monkeypatch.setattr(pathing, "find_path", failing_for_one_goal)
    bad = _request(open_land, _CHARACTER + "start = {0.5, 0.5}, goal = {7.5, 0.5}, radius = 0")
    good = _request(open_land, _CHARACTER + "start = {0.5, 0.5}, goal = {5.5, 0.5}, radius = 0")
    open_land.run_ticks(2)
    assert _answer(open_land, bad) == "nil"
    assert _answer(open_land, good) == "5.5,0.5"
