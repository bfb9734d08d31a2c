"""The local backend end to end against a `factorio` binary: the engine's Factorio command line behind a launcher
script (engine/headless), started, read, stopped and resumed exactly as a real headless server would be."""

from __future__ import annotations

import configparser
import json
from dataclasses import replace
from pathlib import Path

import pytest

from factoryverse.engine.headless import write_launcher
from factoryverse.servers import operations
from factoryverse.servers.instances import (
    EngineStartError,
    FactorioBinaryError,
    ProcessState,
    configure_instance,
    latest_save,
    list_instances,
    saves_folder,
    start_instance,
    stop_instance,
)
from factoryverse.servers.backends._spec import LaunchSpec
from factoryverse.servers.backends.local import server_command
from factoryverse.servers.ports import scheme_ports
from tests.servers._instance import place_chest, wait_snapshot_complete


@pytest.fixture
def factorio(tmp_path) -> Path:
    return write_launcher(tmp_path / "factorio-bin", factorio_version="2.0")


def _args(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def _bootstrapped(inst) -> dict:
    """fv_snapshot's status once its bootstrap is complete. A local server runs at 60 UPS as a real headless one
    does; a higher game.speed (real Factorio's too) runs the bootstrap's ticks without waiting out seconds of clock."""
    operations.run_lua(inst.id, "game.speed = 100")
    return wait_snapshot_complete(inst)


def test_a_local_server_keeps_its_files_in_the_instance_folder_and_saves_on_stop(fv_home, factorio):
    inst = start_instance(backend="local", factorio_bin=factorio, seed=3, autosave_minutes=0)
    folder = Path(inst.folder)
    assert (inst.backend, inst.factorio_bin, inst.factorio_version, inst.seed) == ("local", str(factorio), "2.0", 3)
    assert set(inst.mods) == {"fv_embodied_agent", "fv_snapshot", "fv_placement_hints"}
    ini = configparser.ConfigParser()
    ini.read(folder / "config" / "config.ini")
    assert Path(ini["path"]["write-data"]) == folder.resolve()
    settings = json.loads((folder / "config" / "server-settings.json").read_text())
    assert (settings["autosave_interval"], settings["auto_pause"]) == (0, False)
    assert settings["visibility"] == {"public": False, "lan": False}
    mod_list = json.loads((folder / "mods" / "mod-list.json").read_text())["mods"]
    assert {"name": "space-age", "enabled": False} in mod_list
    # Every role's port is on the server's command line, as the record lists them.
    args = _args(inst.pid)
    assert args[args.index("--port") + 1] == str(inst.game_udp_port) == str(scheme_ports(inst.id).game_udp)
    assert args[args.index("--enable-lua-udp") + 1] == str(inst.agent_udp_ports[0])
    assert args[args.index("--rcon-bind") + 1] == f"127.0.0.1:{inst.rcon_port}"
    assert inst.alive() and list_instances()[0].ports() == inst.ports()

    configure_instance(inst)
    assert _bootstrapped(inst)["run_id"] == inst.run_id
    assert any((folder / "script-output").rglob("*.jsonl"))  # where the SDK and the map database read
    (created,) = (folder / "saves").glob("seed3-*.zip")
    tick_before = int(operations.run_lua(inst.id, "rcon.print(game.tick)"))

    assert stop_instance(inst) is True and not inst.alive()
    log = inst.log_path.read_text(encoding="utf-8")
    assert "Received SIGINT" in log and f"Saving map as {created}" in log  # stopped as a real server is: it saved
    assert list_instances() == []
    assert tick_before >= 0


def test_a_resume_loads_the_newest_zip_save_not_a_newer_engine_save(fv_home, factorio):
    """What `fv server start --resume ID --backend local` does: the newest .zip (real Factorio's saves) in saves/,
    served with --start-server; a newer .fvsave (an embedded run's, kept in the same saves/) is not the game's."""
    first = start_instance(backend="local", factorio_bin=factorio, seed=4, autosave_minutes=0)
    configure_instance(first)
    _bootstrapped(first)
    unit = place_chest(first, 10.5, 10.5)
    stop_instance(first)  # saves to the .zip it was started from
    (created,) = saves_folder(first.id).glob("seed4-*.zip")
    # Not a save this server can load: were it picked, the start would fail on it.
    (saves_folder(first.id) / "embedded-run.fvsave").write_bytes(b"an embedded game")

    save = latest_save(first.id, "local")
    assert save == created
    again = start_instance(first.id, backend="local", factorio_bin=factorio, load=save, autosave_minutes=0)
    assert again.run_id != first.run_id
    args = _args(again.pid)
    assert args[args.index("--start-server") + 1] == str(created)
    found = operations.run_lua(again.id, "local e = game.surfaces[1].find_entity('wooden-chest', {10.5, 10.5}) "
                                         "rcon.print(e and e.unit_number or 'none')")
    assert found == str(unit)


def test_resume_without_a_save_lets_the_game_pick_its_newest(tmp_path):
    spec = LaunchSpec(instance_id=2, folder=tmp_path, ports=scheme_ports(2), password="pw", seed=1,
                      factorio_version="2.0", resume=True)
    cmd = server_command(Path("/opt/factorio/bin/x64/factorio"), spec, config_ini=tmp_path / "config.ini",
                         settings=tmp_path / "server-settings.json", mods=tmp_path / "mods", save=None)
    assert "--start-server-load-latest" in cmd and "--start-server" not in cmd


def test_a_missing_binary_says_where_to_point(fv_home, tmp_path, monkeypatch):
    monkeypatch.delenv("FACTORIO_BIN", raising=False)
    with pytest.raises(FactorioBinaryError, match="--factorio-bin PATH or set FACTORIO_BIN"):
        start_instance(backend="local")
    with pytest.raises(FactorioBinaryError, match="does not exist"):
        start_instance(backend="local", factorio_bin=tmp_path / "nowhere" / "factorio")
    assert list_instances() == []


def test_a_binary_that_is_not_factorio_is_refused(fv_home, tmp_path):
    not_factorio = tmp_path / "factorio"
    not_factorio.write_text("#!/bin/sh\necho 'GNU hello 2.12'\n")
    not_factorio.chmod(0o755)
    with pytest.raises(FactorioBinaryError, match="is not a Factorio binary: `--version` printed 'GNU hello 2.12'"):
        start_instance(backend="local", factorio_bin=not_factorio)
    assert list_instances() == []


def test_a_binary_of_another_version_than_asked_is_refused(fv_home, tmp_path):
    v21 = write_launcher(tmp_path / "bin21", factorio_version="2.1")
    with pytest.raises(FactorioBinaryError, match=r"is Factorio 2\.1\.\d+, not 2\.0; give --factorio-version 2\.1"):
        start_instance(backend="local", factorio_bin=v21, factorio_version="2.0")


def test_a_server_that_exits_at_start_fails_with_its_log(fv_home, factorio):
    with pytest.raises(EngineStartError, match="exited with code 1 before it was ready") as failed:
        start_instance(backend="local", factorio_bin=factorio, scenario="fv_embodied_agent/no-such-scenario")
    assert "no-such-scenario" in str(failed.value)  # the log's tail says why
    assert list_instances() == []


def test_a_scenario_is_loaded_by_the_server_itself(fv_home, factorio):
    inst = start_instance(backend="local", factorio_bin=factorio, scenario="fv_embodied_agent/test-ground",
                          autosave_minutes=0)
    args = _args(inst.pid)
    assert args[args.index("--start-server-load-scenario") + 1] == "fv_embodied_agent/test-ground"
    assert inst.scenario == "fv_embodied_agent/test-ground" and not list((Path(inst.folder) / "saves").iterdir())
    # test-ground lays lab floor round the spawn: ground no new map has.
    assert operations.run_lua(inst.id, "rcon.print(game.surfaces[1].get_tile(5, 5).name)").startswith("lab-")


def test_a_record_that_no_longer_names_its_server_is_never_signalled(fv_home, factorio, tmp_path):
    inst = start_instance(backend="local", factorio_bin=factorio, autosave_minutes=0)
    # Another start time: the pid was recycled. Not signalled, and the live server's record stays.
    stale = replace(inst, process_start=inst.process_start - 1)
    assert stale.process_state() is ProcessState.REPLACED and stop_instance(stale) is False
    # A command line without this instance's own settings file: another server has the pid.
    assert replace(inst, folder=str(tmp_path)).process_state() is ProcessState.REPLACED
    assert inst.alive() and operations.run_lua(inst.id, "rcon.print('still here')") == "still here"
    assert stop_instance(inst) is True
