"""Characters walk `character.running_speed` tiles per tick and are stopped by rocks and water."""

from __future__ import annotations

import math

import pytest

from .conftest import clear_land, lua

_DIRECTIONS = {"north": (0, -1), "east": (1, 0), "south": (0, 1), "west": (-1, 0)}


def _spawn_character(engine, x: float, y: float) -> None:
    lua(engine, f"storage.c = s.create_entity{{name = 'character', position = {{{x}, {y}}}, force = 'player'}}")


def _position(engine) -> tuple[float, float]:
    x, y = lua(engine, "rcon.print(storage.c.position.x .. ' ' .. storage.c.position.y)").split()
    return float(x), float(y)


def _walk(engine, direction: str) -> None:
    """Keep walking: walking_state lasts one tick, so it is set again every on_tick, as the agent mod does."""
    lua(
        engine,
        "script.on_event(defines.events.on_tick, function() "
        f"storage.c.walking_state = {{walking = true, direction = defines.direction.{direction}}} end)",
    )


@pytest.mark.parametrize("direction", sorted(_DIRECTIONS))
def test_walking_speed_is_character_running_speed_per_tick(engine, protos, direction):
    speed = float(protos.raw["character"]["character"]["running_speed"])
    clear_land(engine, -20, -20, 20, 20)
    # Natural tiles don't change walking speed (no walking_speed_modifier), so the character's own speed applies.
    assert protos.tiles["grass-1"].get("walking_speed_modifier", 1) == 1
    _spawn_character(engine, 0.5, 0.5)
    _walk(engine, direction)
    ticks = 60
    engine.run_ticks(ticks)
    x, y = _position(engine)
    dx, dy = _DIRECTIONS[direction]
    assert (x - 0.5) * dx + (y - 0.5) * dy == pytest.approx(ticks * speed, abs=1e-6), "character.running_speed"
    assert (x - 0.5) * dy + (y - 0.5) * dx == pytest.approx(0, abs=1e-9)


def test_stopping_keeps_the_position(engine):
    clear_land(engine, -20, -20, 20, 20)
    _spawn_character(engine, 0.5, 0.5)
    _walk(engine, "east")
    engine.run_ticks(10)
    lua(engine, "script.on_event(defines.events.on_tick, nil) storage.c.walking_state = {walking = false}")
    here = _position(engine)
    engine.run_ticks(10)
    assert _position(engine) == here
    assert lua(engine, "rcon.print(tostring(storage.c.walking_state.walking))") == "false"


def test_walking_into_a_rock_stops_at_its_edge(engine, protos):
    clear_land(engine, -10, -10, 20, 10)
    rock_box = protos.raw["simple-entity"]["big-rock"]["collision_box"]
    char_box = protos.raw["character"]["character"]["collision_box"]
    lua(engine, "s.create_entity{name = 'big-rock', position = {8, 0.5}}")
    _spawn_character(engine, 0.5, 0.5)
    _walk(engine, "east")
    engine.run_ticks(120)  # far enough to pass the rock twice over if nothing stopped it
    x, _ = _position(engine)
    rock_left = 8 + rock_box[0][0]
    assert x + char_box[1][0] <= rock_left + 1e-9
    assert x + char_box[1][0] > rock_left - 0.2, "stopped early"


def test_walking_into_water_stops_at_the_shore(engine, protos):
    clear_land(engine, -10, -10, 20, 10)
    for y in range(-10, 10):
        engine.world.surfaces["nauvis"].set_tile(6, y, "water")
    char_box = protos.raw["character"]["character"]["collision_box"]
    _spawn_character(engine, 0.5, 0.5)
    _walk(engine, "east")
    engine.run_ticks(120)
    x, _ = _position(engine)
    assert x + char_box[1][0] <= 6 + 1e-9
    assert x + char_box[1][0] > 6 - 0.2, "stopped early"


def test_diagonal_walking_slides_along_a_wall(engine, protos):
    speed = float(protos.raw["character"]["character"]["running_speed"])
    clear_land(engine, -10, -10, 20, 10)
    for x in range(-10, 20):
        engine.world.surfaces["nauvis"].set_tile(x, -2, "water")
    _spawn_character(engine, 0.5, 0.5)
    _walk(engine, "northeast")
    engine.run_ticks(60)
    x, y = _position(engine)
    assert y >= -1 - 1e-9, "walked into the water"
    # Blocked to the north, it keeps going east rather than standing still at the shore.
    assert x - 0.5 >= 60 * speed * math.sin(math.pi / 4) - 1e-6
