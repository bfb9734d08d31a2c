"""Fork (issue 7, point 9 and its bad input): refused after a failed command, forced on request, and the engine's
`/fv-fork` console command that servers and the SDK fork through."""

from __future__ import annotations

from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.save import ForkRefusedError
from factoryverse.engine.state_hash import state_hash


def _game(tmp_path: Path) -> Engine:
    engine = Engine(seed=1, mods=[], starting_chunks=1, saves_dir=tmp_path / "saves")
    engine.execute_command("/sc game.surfaces[1].create_entity{name = 'wooden-chest', position = {3, 3}, force = 'player'}")
    engine.run_ticks(10)
    return engine


def test_a_fork_after_a_failed_command_is_refused_and_the_game_is_untouched(tmp_path):
    engine = _game(tmp_path)
    reply = engine.execute_command("/sc storage.half = 1 error('boom')")
    assert reply.startswith("Cannot execute command")
    before = state_hash(engine)
    with pytest.raises(ForkRefusedError, match="boom.*force"):
        engine.fork()
    assert state_hash(engine) == before
    # Forced, the copy is the game as the failed command left it (what it did before its error stays, as in Factorio).
    copy = engine.fork(force=True)
    assert state_hash(copy) == before
    assert copy.execute_command("/sc rcon.print(storage.half)") == "1"


def test_a_command_that_succeeds_clears_the_refusal(tmp_path):
    engine = _game(tmp_path)
    engine.execute_command("/sc error('boom')")
    engine.execute_command("/sc rcon.print(game.tick)")
    assert state_hash(engine.fork()) == state_hash(engine)


def test_the_fork_command_saves_a_game_that_loads_as_the_parent(tmp_path):
    engine = _game(tmp_path)
    reply = engine.execute_command("/fv-fork")
    assert reply == f"Forked the game to {tmp_path / 'saves' / '_fork-10.fvsave'}"
    child = Engine.load(tmp_path / "saves" / "_fork-10.fvsave", mods=[])
    assert state_hash(child) == state_hash(engine)
    child.run_ticks(100)
    engine.run_ticks(100)
    assert state_hash(child) == state_hash(engine)


def test_the_fork_command_refuses_after_a_failure_unless_forced_and_checks_its_name(tmp_path):
    engine = _game(tmp_path)
    engine.execute_command("/sc error('boom')")
    refused = engine.execute_command("/fv-fork")
    assert refused.startswith("Error: the game's last command failed") and "boom" in refused
    assert not (tmp_path / "saves").exists() or not list((tmp_path / "saves").iterdir())
    assert engine.execute_command("/fv-fork force mine").endswith("mine.fvsave")
    assert engine.execute_command("/fv-fork ../x").startswith("Error: ")
    assert engine.execute_command("/fv-fork a b c").startswith("Error: /fv-fork takes")
