"""`walking_state` is a one-tick input, as in the game: a character walks only on ticks it was set for."""

from __future__ import annotations

import pytest

from .conftest import clear_land, lua


def _x(engine) -> float:
    return float(lua(engine, "rcon.print(storage.c.position.x)"))


@pytest.fixture
def walker(engine):
    clear_land(engine, -20, -20, 20, 20)
    lua(engine, "storage.c = s.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'}")
    return engine


def test_setting_walking_state_once_walks_for_one_tick(walker, protos):
    """Regression: one `walking_state = {walking = true}` kept the character walking forever; in Factorio "a
    one-shot action like this will only make the player walk for one tick"."""
    speed = float(protos.raw["character"]["character"]["running_speed"])
    lua(walker, "storage.c.walking_state = {walking = true, direction = defines.direction.east}")
    walker.run_ticks(30)
    assert _x(walker) == pytest.approx(0.5 + speed, abs=1e-9), "character.running_speed, one tick of it"
    assert lua(walker, "rcon.print(tostring(storage.c.walking_state.walking))") == "false"


def test_setting_it_every_on_tick_keeps_walking_and_stopping_is_immediate(walker, protos):
    speed = float(protos.raw["character"]["character"]["running_speed"])
    # The agent mod's pattern: on_tick sets it, and the world moves the character later in the same tick.
    lua(
        walker,
        "script.on_event(defines.events.on_tick, function(e) if e.tick < storage.until_tick then "
        "storage.c.walking_state = {walking = true, direction = defines.direction.east} end end) "
        f"storage.until_tick = game.tick + 10",
    )
    walker.run_ticks(20)
    assert _x(walker) == pytest.approx(0.5 + 10 * speed, abs=1e-9)
