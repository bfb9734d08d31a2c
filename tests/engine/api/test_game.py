"""LuaGameScript (`game`): the server console's view (no player), and creating and merging forces."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def sc(engine: Engine, code: str) -> str:
    return engine.execute_command("/sc " + code)


def test_game_player_is_nil_on_the_server_console(engine):
    """Regression: `game.player` raised "LuaGameScript doesn't contain key player." although it is a real member;
    a command from RCON or a dedicated server's console has no player, so the game answers nil."""
    assert sc(engine, "rcon.print(tostring(game.player))") == "nil"
    assert "LuaGameScript::player is read only." in sc(engine, "game.player = 1")


def test_the_length_of_game_forces_and_game_surfaces_counts_them(engine):
    """Regression: `#game.forces` was 0 (a table keyed by name has no sequence); the game's length operator on a
    LuaCustomTable gives the number of objects."""
    assert sc(engine, "rcon.print(#game.forces .. ' ' .. #game.surfaces)") == "3 1"
    assert sc(engine, "game.create_force('one_more') rcon.print(#game.forces)") == "4"


def test_merge_forces_takes_names_indices_and_forces(engine):
    reply = sc(
        engine,
        "local a, b = game.create_force('by_index'), game.create_force('by_object') "
        "game.merge_forces(a.index, game.forces.player) game.merge_forces(b, 'player') "
        "rcon.print(tostring(a.valid) .. ' ' .. tostring(b.valid) .. ' ' .. tostring(game.forces.by_index))",
    )
    assert reply == "false false nil"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("game.merge_forces('player', 'enemy')", "Force player can't be merged"),
        ("game.merge_forces('nobody', 'player')", "source force 'nobody' doesn't exist"),
        ("game.merge_forces('enemy', 'player')", "Force enemy can't be merged"),
        ("local f = game.create_force('x1') game.merge_forces(f, 99)", "destination force 99 doesn't exist"),
        ("local f = game.create_force('x2') game.merge_forces(f, f)", "Can't merge force x2 into itself."),
        # refused by the argument check against LuaGameScript.merge_forces(source: ForceID, destination: ForceID)
        ("game.merge_forces({}, 'player')",
         "Invalid argument #1 (source) to 'merge_forces': expected ForceID, got table"),
    ],
)
def test_merge_forces_rejects_bad_arguments_and_changes_nothing(engine, call, message):
    before = sc(engine, "rcon.print(table_size(game.forces))")
    reply = sc(engine, call)
    assert message in reply
    # Only the force the command itself created is new; the failed merge removed nothing.
    created = 1 if "create_force" in call else 0
    assert sc(engine, "rcon.print(table_size(game.forces))") == str(int(before) + created)
