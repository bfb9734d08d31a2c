"""LuaSurface.request_path: an id now, the answer on a later tick through on_script_path_request_finished, and
a path that keeps the character's collision mask clear of obstacles."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.world.entity import collision_layers

from .conftest import clear_land, lua

_HANDLER = (
    "storage.answers = {} "
    "script.on_event(defines.events.on_script_path_request_finished, function(e) "
    "  local pts = nil "
    "  if e.path then pts = {} for i, w in ipairs(e.path) do pts[i] = w.position.x .. ',' .. w.position.y end end "
    "  storage.answers[#storage.answers + 1] = {id = e.id, tick = game.tick, try_again_later = e.try_again_later, "
    "    path = pts and table.concat(pts, ' ') or 'nil'} "
    "end)"
)


def _request(engine, start: tuple[float, float], goal: tuple[float, float], extra: str = "") -> int:
    reply = lua(
        engine,
        "rcon.print(s.request_path{bounding_box = prototypes.entity.character.collision_box, "
        "collision_mask = prototypes.entity.character.collision_mask, "
        f"start = {{{start[0]}, {start[1]}}}, goal = {{{goal[0]}, {goal[1]}}}, force = 'player'{extra}}})",
    )
    return int(reply)


def _answers(engine) -> list[tuple[int, int, str, str]]:
    reply = lua(
        engine,
        "local out = {} for _, a in ipairs(storage.answers) do "
        "out[#out + 1] = a.id .. '|' .. a.tick .. '|' .. tostring(a.try_again_later) .. '|' .. a.path end "
        "rcon.print(table.concat(out, '\\n'))",
    )
    rows = []
    for line in filter(None, reply.split("\n")):
        rid, tick, again, path = line.split("|")
        rows.append((int(rid), int(tick), again, path))
    return rows


def _points(path: str) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in p.split(",")) for p in path.split()]  # type: ignore[misc]


@pytest.fixture
def walled(engine):
    """Open land with a wall of rocks across x = 5 from y = -12 to 6; the way round is south of it."""
    clear_land(engine, -20, -20, 20, 20)
    for y in range(-12, 7, 2):
        lua(engine, f"s.create_entity{{name = 'big-rock', position = {{5, {y}}}}}")
    lua(engine, _HANDLER)
    return engine


def test_request_path_answers_on_a_later_tick_with_the_same_id(walled):
    walled.run_ticks(3)
    rid = _request(walled, (0.5, 0.5), (10.5, 0.5))
    assert _answers(walled) == [], "answered inside the call that asked"
    walled.run_ticks(3)
    answers = _answers(walled)
    assert len(answers) == 1
    got_id, tick, again, path = answers[0]
    assert got_id == rid
    assert tick > 3
    assert again == "false"
    assert path != "nil"


def test_path_goes_round_obstacles(walled, protos):
    _request(walled, (0.5, 0.5), (10.5, 0.5), ", radius = 0")
    walled.run_ticks(2)
    (_, _, _, path), = _answers(walled)
    points = _points(path)
    assert points[0] == pytest.approx((0.5, 0.5))
    assert points[-1] == pytest.approx((10.5, 0.5))
    surface = walled.world.surfaces["nauvis"]
    blocked = surface.tile_blocked_for(collision_layers(protos.raw["character"]["character"]))
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        steps = max(1, int(math.hypot(x1 - x0, y1 - y0) / 0.05))
        for i in range(steps + 1):
            x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
            assert not blocked(math.floor(x), math.floor(y)), f"path crosses a blocked tile at ({x:.2f}, {y:.2f})"
    assert max(y for _, y in points) > 6, "the path must go round the south end of the wall"


def test_unreachable_goal_answers_without_a_path(engine):
    clear_land(engine, -20, -20, 20, 20)
    surface = engine.world.surfaces["nauvis"]
    # A moat of water two tiles wide round the start tile (0, 0): the search ends as soon as the island is explored.
    for y in range(-3, 4):
        for x in range(-3, 4):
            if max(abs(x), abs(y)) >= 2:
                surface.set_tile(x, y, "water")
    lua(engine, _HANDLER)
    rid = _request(engine, (0.5, 0.5), (10.5, 0.5))
    engine.run_ticks(2)
    assert [(a[0], a[3]) for a in _answers(engine)] == [(rid, "nil")]


def test_several_requests_get_distinct_ids_and_each_an_answer(walled):
    ids = [_request(walled, (0.5, 0.5), (0.5, y)) for y in (3.5, 5.5, 7.5)]
    assert len(set(ids)) == 3
    walled.run_ticks(2)
    assert sorted(a[0] for a in _answers(walled)) == sorted(ids)


def test_request_path_needs_a_collision_mask(engine):
    reply = engine.execute_command(
        "/sc game.surfaces.nauvis.request_path{bounding_box = {{-0.2, -0.2}, {0.2, 0.2}}, force = 'player', "
        "start = {0, 0}, goal = {1, 1}}"
    )
    assert "collision_mask is required" in reply
