"""`factorio` (the launcher) as other tools start a real server: real processes, real RCON (factorio-rcon-py),
real files; each wait is for a log line, bounded."""

from __future__ import annotations

import json
import os
import signal

from factorio_rcon import RCONClient

from factoryverse.engine.mods import BUNDLED_MODS_DIR
from factoryverse.engine.save.savefile import read_save

from tests.engine.headless.conftest import PASSWORD, TIMEOUT

RCON = ("--rcon-bind", "127.0.0.1:0", "--rcon-password", PASSWORD)
MODS = ("--mod-directory", str(BUNDLED_MODS_DIR))


def _rcon(port: int, command: str) -> str:
    with RCONClient("127.0.0.1", port, PASSWORD, timeout=TIMEOUT) as client:
        return client.send_command(command)


def test_create_then_start_server_answers_rcon_and_logs_as_the_game(run_factorio, tmp_path):
    created = run_factorio("--create", "saves/world", "--map-gen-seed", "7", "--console-log", "console.log", *MODS)
    assert created.finish() == 0, created.log
    assert (tmp_path / "console.log").read_text().splitlines() == created.lines  # the same lines, copied
    header, _ = read_save(tmp_path / "saves" / "world.zip")  # .zip added, as the game names saves
    assert (header.seed, header.tick, header.factorio_version) == (7, 0, "2.0")
    assert set(header.mods) == {"base", "fv_embodied_agent", "fv_placement_hints", "fv_snapshot"}

    server = run_factorio("--start-server", "world", "--port", "34197", *RCON, *MODS)
    server.wait_for(r"^ +\d+\.\d{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d; Factorio 2\.0\.77 \(build 0, linux64, headless")
    server.wait_for(r"Loading map .*saves/world\.zip: \d+ bytes\.")
    server.wait_for(r"Loading mod fv_embodied_agent \d+\.\d+\.\d+ \(control\.lua\)")
    server.wait_for(r"serves no game clients: nothing listens at IP ADDR:\(\{0\.0\.0\.0:34197\}\)")
    port = server.rcon_port()
    assert server.in_game_tick() == 0
    assert int(_rcon(port, "/sc rcon.print(game.tick)")) >= 0
    assert json.loads(_rcon(port, "/sc rcon.print(helpers.table_to_json(script.active_mods))"))["base"] == "2.0.77"
    assert server.stop(signal.SIGTERM) == 0, server.log
    assert "Received SIGTERM, shutting down" in server.log


def test_sigint_saves_the_running_save_and_a_restart_goes_on_at_its_tick(run_factorio, tmp_path):
    assert run_factorio("--create", "g.zip", "--map-gen-seed", "3", *MODS).finish() == 0
    server = run_factorio("--start-server", "g.zip", *RCON, *MODS)
    port = server.rcon_port()
    server.in_game_tick()
    # Run until tick 30 at least, then hold the clock, so the tick saved is the one read here.
    _rcon(port, "/sc game.speed = 20")
    for _ in range(100_000):  # each round is a real RCON command while the game runs on; bounded, not slept
        if int(_rcon(port, "/sc rcon.print(game.tick)")) >= 30:
            break
    tick = int(_rcon(port, "/sc game.tick_paused = true; rcon.print(game.tick)"))
    assert server.stop(signal.SIGINT) == 0, server.log
    saved = server.wait_for(r"Saving finished: \d+ bytes at tick (\d+)")
    assert int(saved.group(1)) == tick >= 30
    assert read_save(tmp_path / "g.zip")[0].tick == tick  # written in place, atomically (no .tmp left)
    assert not (tmp_path / "g.zip.tmp").exists()
    assert server.find(r"Info MainLoop\.cpp:0: Saving map as .*g\.zip$")

    again = run_factorio("--start-server", "g.zip", *RCON, *MODS)
    assert again.in_game_tick() == tick
    assert int(_rcon(again.rcon_port(), "/sc rcon.print(game.tick)")) == tick  # still paused where it stopped
    assert again.stop() == 0


def test_start_server_load_latest_loads_the_newest_save_under_config_write_data(run_factorio, tmp_path):
    wd = tmp_path / "write-data"
    config = tmp_path / "config.ini"
    config.write_text(f"[path]\nread-data=__PATH__executable__/../data\nwrite-data={wd}\n")
    for name, seed in (("old", 1), ("new", 2)):
        assert run_factorio("-c", str(config), "--create", str(wd / "saves" / name), "--map-gen-seed",
                            str(seed), *MODS).finish() == 0
    os.utime(wd / "saves" / "old.zip", ns=(1, 1))  # the newer by time is new.zip, whatever the clock did
    server = run_factorio("-c", str(config), "--start-server-load-latest", *RCON, *MODS)
    server.wait_for(rf"Write data path: {wd}$")
    server.wait_for(r"Loading map .*saves/new\.zip")
    port = server.rcon_port()
    _rcon(port, "/sc helpers.write_file('probe.txt', 'here')")
    assert (wd / "script-output" / "probe.txt").read_text() == "here"
    _rcon(port, "/save manual")
    assert read_save(wd / "saves" / "manual.fvsave")[0].seed == 2
    assert server.stop() == 0


def test_server_settings_autosave_interval_and_slots(run_factorio, tmp_path):
    settings = tmp_path / "server-settings.json"
    settings.write_text(json.dumps({"name": "autosaver", "autosave_interval": 1, "autosave_slots": 2,
                                    "visibility": {"public": False, "lan": False}}))
    assert run_factorio("--create", "a", "--map-gen-seed", "1", *MODS).finish() == 0
    server = run_factorio("--start-server", "a", "--server-settings", str(settings), *RCON, *MODS)
    server.wait_for(r"server settings read and not applied \(no game clients\): visibility")
    port = server.rcon_port()
    _rcon(port, "/sc game.speed = 1000")  # one game minute (3600 ticks) in a few seconds of wall time
    server.wait_for(r"Autosaved the game to .*saves/_autosave1\.fvsave")
    server.wait_for(r"Autosaved the game to .*saves/_autosave2\.fvsave")
    server.wait_for(r"Autosaved the game to .*saves/_autosave1\.fvsave")  # two slots: the third goes to slot 1
    assert server.stop() == 0
    assert read_save(tmp_path / "saves" / "_autosave1.fvsave")[0].tick == 3 * 3600
    assert not (tmp_path / "saves" / "_autosave3.fvsave").exists()


def test_mod_list_json_disables_a_mod(run_factorio, mods_copy, tmp_path):
    (mods_copy / "mod-list.json").write_text(json.dumps({"mods": [
        {"name": "base", "enabled": True}, {"name": "fv_snapshot", "enabled": False}]}))
    assert run_factorio("--create", "m", "--map-gen-seed", "1", "--mod-directory", str(mods_copy)).finish() == 0
    server = run_factorio("--start-server", "m", *RCON, "--mod-directory", str(mods_copy))
    server.wait_for(r"Info ModManager\.cpp:0: Mod fv_snapshot is disabled in .*mod-list\.json")
    active = json.loads(_rcon(server.rcon_port(), "/sc rcon.print(helpers.table_to_json(script.active_mods))"))
    assert "fv_snapshot" not in active and "fv_embodied_agent" in active
    assert server.stop() == 0
    assert "Loading mod fv_snapshot" not in server.log


def test_a_mod_for_another_factorio_version_fails_the_start(run_factorio):
    proc = run_factorio("--create", "v", "--map-gen-seed", "1", *MODS, version="2.1")
    assert proc.finish() == 1, proc.log
    line = proc.wait_for(r"^ +\d+\.\d{3} Error ModManager\.cpp:0: (.*)$").group(1)
    assert "runs as Factorio 2.1" in line and "fv_embodied_agent" in line
    assert "FACTORYVERSE_FACTORIO_VERSION" in line
    assert "Factorio 2.1.20 (build 0" in proc.log  # the banner names the version it runs as


def test_a_bad_version_in_the_environment_is_an_error(run_factorio):
    proc = run_factorio("--version", version="1.1")
    assert proc.finish() == 1
    assert "Factorio version '1.1' is not one the engine runs as" in proc.log


def test_bad_flags_get_the_games_text_and_exit_code(run_factorio):
    proc = run_factorio("--start-server", "x.zip", "--no-such-flag")
    assert proc.finish() == 1
    assert proc.lines[0] == "Option ‘no-such-flag’ does not exist"
    assert proc.lines[1] == "" and proc.lines[2] == "Usage:"
    helped = run_factorio("--help")
    assert helped.finish() == 0 and "--start-server-load-latest" in helped.log
    version = run_factorio("--version")
    assert version.finish() == 0 and version.lines[0].startswith("Version: 2.0.77 (build 0, linux64, headless")


def test_bad_files_and_missing_saves_are_errors_that_name_them(run_factorio, tmp_path):
    settings = tmp_path / "server-settings.json"
    settings.write_text("{\"autosave_interval\": 10,,}")
    proc = run_factorio("--start-server-load-latest", "--server-settings", str(settings), *RCON)
    assert proc.finish() == 1
    proc.wait_for(r"Error Main\.cpp:0: .*server-settings\.json \(--server-settings\) is not valid JSON")
    (tmp_path / "real.zip").write_bytes(b"PK\x03\x04 a real Factorio save is a zip archive")
    real = run_factorio("--start-server", "real.zip", *RCON)
    assert real.finish() == 1
    real.wait_for(r"Error Main\.cpp:0: .*real\.zip is not a FactoryVerse engine save \(a real Factorio save cannot")
    missing = run_factorio("--start-server", "nothing-here", *RCON)
    assert missing.finish() == 1
    missing.wait_for(r"Error Main\.cpp:0: no save at .*nothing-here\.zip")
    no_password = run_factorio("--create", "x", "--rcon-port", "27015")
    assert no_password.finish() == 1
    no_password.wait_for(r"Error CommandLine\.cpp:0: RCON needs a password")


def test_load_scenario_runs_a_mods_scenario_and_saves_under_its_name(run_factorio, tmp_path):
    server = run_factorio("--start-server-load-scenario", "test-ground", "--map-gen-seed", "5", *RCON, *MODS)
    server.wait_for(r"Info Main\.cpp:0: Map seed 5$")
    port = server.rcon_port()
    assert server.in_game_tick() == 0
    # Console commands run in the level's state, which is the scenario's script here.
    assert _rcon(port, "/sc rcon.print(storage.fv_scenario.name)") == "test-ground"
    assert server.stop() == 0
    saved = tmp_path / "saves" / "test-ground.zip"
    assert read_save(saved)[0].seed == 5

    again = run_factorio("--start-server-load-latest", *RCON, *MODS)
    again.wait_for(r"Loading map .*saves/test-ground\.zip")
    assert _rcon(again.rcon_port(), "/sc rcon.print(storage.fv_scenario.name)") == "test-ground"
    assert again.stop() == 0


def test_an_unknown_scenario_lists_the_ones_there_are(run_factorio):
    proc = run_factorio("--start-server-load-scenario", "fv_embodied_agent/nope", *RCON, *MODS)
    assert proc.finish() == 1
    line = proc.wait_for(r"Error ModManager\.cpp:0: (.*)").group(1)
    assert "'fv_embodied_agent/nope' not found" in line and "fv_embodied_agent/test-ground" in line
