"""The engine's own saves (engine/save/server_saves.py): /save, game.server_save and autosaves, in process."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.save import SaveError
from factoryverse.engine.save.savefile import read_save
from factoryverse.engine.save.server_saves import ServerSaves


def _engine(tmp_path, **kw) -> Engine:
    return Engine(seed=1, mods=[], saves_dir=tmp_path / "saves", **kw)


def _saves(tmp_path) -> list[str]:
    folder = tmp_path / "saves"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_save_command_writes_the_current_save_name_then_a_loaded_game_keeps_its_name(tmp_path):
    engine = _engine(tmp_path)
    engine.run_ticks(5)
    reply = engine.execute_command("/save")
    assert reply == f"Saved the game to {tmp_path / 'saves' / 'game.fvsave'}"
    assert engine.execute_command("/save my-base").endswith("my-base.fvsave")
    assert read_save(tmp_path / "saves" / "my-base.fvsave")[0].tick == 5
    # A game loaded from my-base saves as my-base by default, as Factorio's server does.
    loaded = Engine.load(tmp_path / "saves" / "my-base.fvsave", mods=[], saves_dir=tmp_path / "saves")
    loaded.run_ticks(3)
    loaded.execute_command("/save")
    assert read_save(tmp_path / "saves" / "my-base.fvsave")[0].tick == 8
    assert _saves(tmp_path) == ["game.fvsave", "my-base.fvsave"]


def test_server_save_is_written_once_the_command_has_finished(tmp_path):
    engine = _engine(tmp_path)
    # The file is not there while the script that asked still runs: the game saves between updates.
    reply = engine.execute_command(
        "/sc game.server_save('from-lua') rcon.print(tostring(game.tick))")
    assert reply == "0"
    assert _saves(tmp_path) == ["from-lua.fvsave"]
    engine.execute_command("/sc game.server_save()")
    assert _saves(tmp_path) == ["from-lua.fvsave", "game.fvsave"]


def test_server_save_asked_in_on_tick_is_written_after_that_tick(tmp_path):
    engine = _engine(tmp_path)
    engine.execute_command("/sc script.on_nth_tick(10, function(e) game.server_save('nth') end)")
    engine.run_ticks(11)
    # on_nth_tick(10) runs during tick 10; the save follows that tick, so it holds game.tick 11.
    assert read_save(tmp_path / "saves" / "nth.fvsave")[0].tick == 11


@pytest.mark.parametrize("name", ["../escape", "a/b", "a\\b", ".."])
def test_bad_names_are_refused_and_nothing_is_written(tmp_path, name):
    engine = _engine(tmp_path)
    assert "is not allowed" in engine.execute_command(f"/save {name}")
    reply = engine.execute_command(f"/sc game.server_save({name!r})")
    assert "game.server_save: save name" in reply and "is not allowed" in reply
    assert _saves(tmp_path) == []
    assert not (tmp_path / "escape.fvsave").exists()


def test_a_game_with_no_saves_folder_refuses_to_save(tmp_path):
    engine = Engine(seed=1, mods=[])
    assert "no saves folder" in engine.execute_command("/save x")
    assert "no saves folder" in engine.execute_command("/sc game.server_save('x')")


def test_autosaves_at_every_interval_in_rotating_slots(tmp_path):
    engine = _engine(tmp_path, autosave_ticks=60, autosave_slots=3)
    engine.run_ticks(59)
    assert _saves(tmp_path) == []
    engine.run_ticks(1)
    assert _saves(tmp_path) == ["_autosave1.fvsave"]
    assert read_save(tmp_path / "saves" / "_autosave1.fvsave")[0].tick == 60
    engine.run_ticks(180)  # ticks 120, 180 and 240: the fourth autosave goes back to slot 1
    assert _saves(tmp_path) == ["_autosave1.fvsave", "_autosave2.fvsave", "_autosave3.fvsave"]
    ticks = [read_save(tmp_path / "saves" / f"_autosave{i}.fvsave")[0].tick for i in (1, 2, 3)]
    assert ticks == [240, 120, 180]


def test_a_loaded_game_autosaves_on_the_same_schedule(tmp_path):
    engine = _engine(tmp_path, autosave_ticks=60, autosave_slots=3)
    engine.run_ticks(90)
    path = engine.save(tmp_path / "saves", "mid")
    loaded = Engine.load(path, mods=[], saves_dir=tmp_path / "saves", autosave_ticks=60, autosave_slots=3)
    loaded.run_ticks(30)
    assert read_save(tmp_path / "saves" / "_autosave2.fvsave")[0].tick == 120


@pytest.mark.parametrize("kw", [{"autosave_ticks": -1}, {"autosave_ticks": 1.5}, {"slots": 0}])
def test_bad_autosave_settings_are_refused(kw):
    with pytest.raises(ValueError):
        ServerSaves(None, **kw)


def test_save_errors_are_save_errors(tmp_path):
    engine = _engine(tmp_path)
    with pytest.raises(SaveError):
        engine.saves.save_now(engine, "../x")
