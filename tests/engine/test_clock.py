"""The game clock as LuaGameScript documents it: tick_paused, ticks_to_run (uint32) and speed (float, >= 0.01)."""

from __future__ import annotations

import pytest

from factoryverse.engine.clock import MAX_TICKS_TO_RUN
from factoryverse.engine.engine import Engine


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def sc(engine: Engine, code: str) -> str:
    return engine.execute_command("/sc " + code)


def clock(engine: Engine) -> str:
    return sc(engine, "rcon.print(game.tick .. ' ' .. tostring(game.tick_paused) .. ' ' .. game.ticks_to_run)")


def updates(engine: Engine, n: int) -> int:
    """Run n updates of the game loop; returns how many ran a tick."""
    return sum(engine.update() for _ in range(n))


def test_a_new_game_runs_at_normal_speed():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    assert clock(engine) == "0 false 0"
    assert sc(engine, "rcon.print(game.speed)") == "1"


def test_tick_paused_stops_ticks_but_not_commands(engine):
    sc(engine, "game.tick_paused = true")
    assert updates(engine, 50) == 0
    # Commands still run, and can change the world, while the tick stands.
    made = "game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {3.5, 3.5}} rcon.print(game.tick)"
    assert sc(engine, made) == "0"
    assert sc(engine, "rcon.print(#game.surfaces.nauvis.find_entities_filtered{name = 'wooden-chest'})") == "1"
    sc(engine, "game.tick_paused = false")
    assert updates(engine, 5) == 5
    assert clock(engine) == "5 false 0"


def test_ticks_to_run_on_a_paused_game_runs_exactly_that_many_then_pauses_again(engine):
    sc(engine, "game.tick_paused = true game.ticks_to_run = 120")
    assert updates(engine, 500) == 120
    assert clock(engine) == "120 true 0"
    # And a second step goes on from there.
    sc(engine, "game.ticks_to_run = 3")
    assert updates(engine, 10) == 3
    assert clock(engine) == "123 true 0"


def test_ticks_to_run_counts_down_as_the_ticks_run(engine):
    """The documented behaviour: "decremented every tick"; a handler of the last stepped tick reads 0."""
    sc(engine, "game.tick_paused = true game.ticks_to_run = 3 storage.seen = {} "
               "script.on_event(defines.events.on_tick, function() table.insert(storage.seen, game.ticks_to_run) end)")
    updates(engine, 10)
    assert sc(engine, "rcon.print(table.concat(storage.seen, ','))") == "2,1,0"


def test_ticks_to_run_on_a_running_game_is_only_stored(engine):
    """Documented for a paused game only: unpaused, the game runs freely and leaves the value alone; once paused,
    those ticks run."""
    sc(engine, "game.ticks_to_run = 7")
    assert updates(engine, 20) == 20
    assert clock(engine) == "20 false 7"
    sc(engine, "game.tick_paused = true")
    assert updates(engine, 20) == 7
    assert clock(engine) == "27 true 0"


def test_in_process_step_is_its_own_clock(engine):
    """Engine.step()/run_ticks() are how an in-process caller runs ticks: they run whatever the pause says."""
    sc(engine, "game.tick_paused = true")
    engine.run_ticks(4)
    assert clock(engine) == "4 true 0"


def test_speed_is_a_single_precision_float(engine):
    sc(engine, "game.speed = 2")
    assert sc(engine, "rcon.print(game.speed)") == "2"
    sc(engine, "game.speed = 0.3")
    # The game stores a 32-bit float: 0.3 reads back as 0.30000001192092896.
    assert sc(engine, "rcon.print(string.format('%.17g', game.speed))") == "0.30000001192092896"
    sc(engine, "game.speed = 0.01")
    assert sc(engine, "rcon.print(string.format('%.9g', game.speed))") == "0.00999999978"


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("game.speed = 0", "game.speed must be at least 0.01"),
        ("game.speed = 0.009", "game.speed must be at least 0.01"),
        ("game.speed = -1", "game.speed must be at least 0.01"),
        ("game.speed = 'fast'", "game.speed must be a finite number of at least 0.01, got string 'fast'"),
        ("game.speed = 0/0", "game.speed must be a finite number"),
        ("game.speed = math.huge", "game.speed must be a finite number"),
        ("game.speed = 1e39", "out of range for a float"),
        ("game.speed = nil", "got nil"),
        ("game.ticks_to_run = -1", "game.ticks_to_run must be from 0 to 4294967295 (a uint32), got -1"),
        ("game.ticks_to_run = 2^32", "got 4294967296"),
        ("game.ticks_to_run = 1.5", "game.ticks_to_run must be a whole number from 0 to 4294967295, got 1.5"),
        ("game.ticks_to_run = '10'", "got string '10'"),
        ("game.ticks_to_run = {}", "got a table"),
        ("game.tick_paused = 1", "game.tick_paused must be a boolean, got 1"),
        ("game.tick_paused = nil", "game.tick_paused must be a boolean, got nil"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(engine, assignment, message):
    sc(engine, "game.speed = 3 game.ticks_to_run = 5")
    reply = sc(engine, assignment)
    assert reply.startswith("Cannot execute command.") and message in reply, reply
    assert sc(engine, "rcon.print(game.speed .. ' ' .. game.ticks_to_run .. ' ' .. tostring(game.tick_paused))") == "3 5 false"


def test_ticks_to_run_takes_the_whole_uint32_range(engine):
    sc(engine, f"game.ticks_to_run = {MAX_TICKS_TO_RUN}")
    assert sc(engine, "rcon.print(string.format('%d', game.ticks_to_run))") == str(MAX_TICKS_TO_RUN)
    sc(engine, "game.ticks_to_run = 0")
    assert sc(engine, "rcon.print(game.ticks_to_run)") == "0"
