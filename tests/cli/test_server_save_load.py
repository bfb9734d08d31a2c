"""A server's game continues across /save and `fv server start --load/--resume`; autosaves; bad saves start nothing.

Real engine processes over RCON. Games run paused and are moved by game.ticks_to_run, so every tick is known.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.engine.save.savefile import read_save
from factoryverse.servers import operations
from factoryverse.servers.instances import (
    configure_instance,
    list_instances,
    saves_folder,
    start_instance,
    stop_instance,
)
from tests.servers._instance import place_chest, wait_snapshot_complete

runner = CliRunner()
_WAIT_S = 60.0


def _tick(iid: int) -> int:
    return int(operations.run_lua(iid, "rcon.print(game.tick)"))


def _run_ticks(iid: int, n: int) -> int:
    """Run n ticks of a paused game and return once they have run (bounded)."""
    target = _tick(iid) + n
    operations.run_lua(iid, f"game.ticks_to_run = {n}")
    deadline = time.monotonic() + _WAIT_S
    while (tick := _tick(iid)) < target:
        assert time.monotonic() < deadline, f"the game reached tick {tick}, not {target}, within {_WAIT_S} s"
        time.sleep(0.01)
    assert tick == target
    return tick


def _start(*args: str):
    return runner.invoke(app, ["server", "start", "--detach", "--mode", "paused", *args])


def _chest_at(iid: int, unit_number: int) -> str:
    return operations.run_lua(
        iid, f"local e = game.get_entity_by_unit_number({unit_number}) rcon.print(e and e.name or 'none')")


def test_save_then_load_continues_the_game_as_a_new_run(fv_home):
    inst = start_instance(mode="paused")
    configure_instance(inst)
    chest = place_chest(inst, 3.5, 4.5)
    _run_ticks(inst.id, 120)
    assert operations.rcon(inst.id, "/save before-stop").endswith("before-stop.fvsave")
    saved = operations.rcon(inst.id, "/fv-state-hash")
    stop_instance(inst)
    save = saves_folder(inst.id) / "before-stop.fvsave"

    # The same instance started from its save: the fresh start kept saves/ (it is where the save is).
    loaded = start_instance(inst.id, mode="paused", load=save)
    try:
        # Before fv_snapshot is given the new run id, the game is exactly the saved one.
        assert operations.rcon(loaded.id, "/fv-state-hash") == saved
        assert saved.startswith("tick=120 ")
        assert _chest_at(loaded.id, chest) == "wooden-chest"
        assert loaded.run_id != inst.run_id
        configure_instance(loaded)
        operations.run_lua(loaded.id, "game.tick_paused = false")
        status = wait_snapshot_complete(loaded)
        assert status["run_id"] == loaded.run_id
        files = list((Path(loaded.folder) / "script-output").rglob("*.jsonl"))
        assert files and all(inst.run_id not in f.read_text() for f in files)
    finally:
        stop_instance(loaded)


def test_cli_load_and_resume_pick_the_save(fv_home):
    assert _start().exit_code == 0
    [inst] = list_instances()
    place_chest(inst, 0.5, 0.5)
    _run_ticks(inst.id, 30)
    operations.rcon(inst.id, "/save older")
    _run_ticks(inst.id, 30)
    operations.rcon(inst.id, "/save newer")
    _run_ticks(inst.id, 30)  # ahead of both saves: a resume must go back to tick 60
    assert runner.invoke(app, ["server", "stop", str(inst.id)]).exit_code == 0
    folder = saves_folder(inst.id)
    # Modification times decide "newest"; set them apart so the order does not rest on the clock's resolution.
    os.utime(folder / "older.fvsave", ns=(1_000_000_000, 1_000_000_000))
    os.utime(folder / "newer.fvsave", ns=(2_000_000_000, 2_000_000_000))

    result = _start("--resume", str(inst.id))
    assert result.exit_code == 0, result.output
    assert f"resuming instance {inst.id} from {folder / 'newer.fvsave'}" in result.output
    [resumed] = list_instances()
    assert resumed.id == inst.id and resumed.run_id != inst.run_id
    assert _tick(resumed.id) == 60
    assert sorted(p.name for p in folder.iterdir()) == ["newer.fvsave", "older.fvsave"]
    assert runner.invoke(app, ["server", "stop", "--all"]).exit_code == 0

    result = _start("--load", str(folder / "older.fvsave"))
    assert result.exit_code == 0, result.output
    [loaded] = list_instances()
    assert _tick(loaded.id) == 30
    assert loaded.run_id not in (inst.run_id, resumed.run_id)
    # Given its run id by the start, the snapshot restarts as the new run.
    operations.run_lua(loaded.id, "game.tick_paused = false")
    assert wait_snapshot_complete(loaded)["run_id"] == loaded.run_id


def test_autosave_writes_at_the_interval_in_game_ticks(fv_home):
    # 0.01 game minutes = 36 ticks.
    result = _start("--autosave-minutes", "0.01")
    assert result.exit_code == 0, result.output
    [inst] = list_instances()
    folder = saves_folder(inst.id)
    _run_ticks(inst.id, 35)
    assert not (folder / "_autosave1.fvsave").exists()
    _run_ticks(inst.id, 1)
    # The autosave follows tick 36 before any later command is served, so it is there once the tick is.
    assert read_save(folder / "_autosave1.fvsave")[0].tick == 36
    _run_ticks(inst.id, 36)
    assert read_save(folder / "_autosave2.fvsave")[0].tick == 72


def test_autosave_off_writes_nothing(fv_home):
    assert _start("--autosave-minutes", "0").exit_code == 0
    [inst] = list_instances()
    _run_ticks(inst.id, 200)
    assert not saves_folder(inst.id).exists() or not list(saves_folder(inst.id).iterdir())


def test_bad_save_names_are_refused_over_rcon(fv_home):
    assert _start().exit_code == 0
    [inst] = list_instances()
    assert "is not allowed" in operations.rcon(inst.id, "/save ../../escape")
    assert "is not allowed" in operations.rcon(inst.id, "/sc game.server_save('a/b')")
    assert not saves_folder(inst.id).exists() or not list(saves_folder(inst.id).iterdir())


def test_missing_or_corrupt_saves_start_nothing(fv_home, tmp_path):
    result = _start("--load", str(tmp_path / "nope.fvsave"))
    assert result.exit_code == 1 and "no save at" in result.output and "nope.fvsave" in result.output
    corrupt = tmp_path / "corrupt.fvsave"
    corrupt.write_bytes(b"PK\x03\x04 a real Factorio zip, say")
    result = _start("--load", str(corrupt))
    assert result.exit_code == 1 and "not a FactoryVerse engine save" in result.output
    result = _start("--resume", "7")
    assert result.exit_code == 1
    assert "instance 7 has no save to resume" in result.output and str(saves_folder(7)) in result.output
    result = _start("--load", str(corrupt), "--resume", "7")
    assert result.exit_code != 0
    assert list_instances() == []


def test_truncated_save_is_refused_before_anything_starts(fv_home, tmp_path):
    assert _start().exit_code == 0
    [inst] = list_instances()
    operations.rcon(inst.id, "/save whole")
    data = (saves_folder(inst.id) / "whole.fvsave").read_bytes()
    assert runner.invoke(app, ["server", "stop", "--all"]).exit_code == 0
    cut = tmp_path / "cut.fvsave"
    cut.write_bytes(data[: len(data) // 2])
    result = _start("--load", str(cut))
    assert result.exit_code == 1 and "truncated or corrupt" in result.output
    assert list_instances() == []
    # The server process itself refuses it too, with FAILED and a clear reason (no instance wrapper).
    proc = subprocess.run([sys.executable, "-m", "factoryverse.engine.server", "--rcon-port", "0", "--load", str(cut)],
               capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    word, _, payload = proc.stdout.strip().partition(" ")
    assert word == "FAILED" and "truncated or corrupt" in json.loads(payload)["message"]
