"""The files a command line names: config.ini's write-data, server-settings.json, map-gen-settings.json,
mod-list.json and the saves folder, each read as the game reads it, each mistake a ConfigFileError naming it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from factoryverse.engine.errors import ModLoadError
from factoryverse.engine.headless import ConfigFileError, SaveNotFoundError
from factoryverse.engine.headless._mod_list import select_mods
from factoryverse.engine.headless._saves import find_save, latest_save, save_file_path
from factoryverse.engine.headless._settings_files import read_map_gen_settings, read_server_settings
from factoryverse.engine.headless._write_data import EXECUTABLE_ENV, read_write_data
from factoryverse.engine.mods import BUNDLED_MODS_DIR


def test_write_data_from_config_ini(tmp_path, monkeypatch):
    cfg = tmp_path / "config.ini"
    cfg.write_text("; a comment\n[path]\nread-data=__PATH__executable__/../data\nwrite-data=wd\n\n[other]\nx=1\n")
    monkeypatch.chdir(tmp_path)
    wd = read_write_data(cfg)
    assert wd.root == tmp_path / "wd"
    assert (wd.saves, wd.mods, wd.script_output) == (tmp_path / "wd/saves", tmp_path / "wd/mods",
                                                     tmp_path / "wd/script-output")
    cfg.write_text("[path]\nwrite-data=__PATH__executable__/../..\n")
    launcher = tmp_path / "opt/factorio/bin/x64/factorio"
    monkeypatch.setenv(EXECUTABLE_ENV, str(launcher))
    assert read_write_data(cfg).root.resolve() == (tmp_path / "opt/factorio").resolve()
    assert read_write_data(None).root == tmp_path  # no config: the current folder


def test_a_missing_or_broken_config_ini_is_named(tmp_path):
    with pytest.raises(ConfigFileError, match="cannot read the config file .*nope.ini"):
        read_write_data(tmp_path / "nope.ini")
    bad = tmp_path / "bad.ini"
    bad.write_text("write-data=x\n")  # a key before any section
    with pytest.raises(ConfigFileError, match="bad.ini is not an ini file"):
        read_write_data(bad)


def test_server_settings_autosave_and_ignored_keys(tmp_path):
    path = tmp_path / "server-settings.json"
    path.write_text(json.dumps({"name": "lab", "autosave_interval": 5, "autosave_slots": 3, "max_players": 0,
                                "visibility": {"public": False}, "_comment_name": "x"}))
    s = read_server_settings(path)
    assert (s.name, s.autosave_minutes, s.autosave_slots) == ("lab", 5, 3)
    assert s.not_applied == ["max_players", "visibility"]
    assert read_server_settings(None).autosave_minutes == 10  # the example file's interval


@pytest.mark.parametrize("text,match", [
    ("{not json", r"is not valid JSON: .* at line 1 column 2"),
    ("[1]", "must hold a JSON object"),
    ('{"autosave_interval": -1}', "'autosave_interval' is in minutes and must be a number >= 0"),
    ('{"autosave_slots": 0}', "'autosave_slots' must be a whole number >= 1"),
    ('{"name": 3}', "'name' must be a string"),
])
def test_bad_server_settings_name_the_file_and_key(tmp_path, text, match):
    path = tmp_path / "server-settings.json"
    path.write_text(text)
    with pytest.raises(ConfigFileError, match=match):
        read_server_settings(path)


def test_map_gen_settings_seed_and_unknown_keys(tmp_path):
    path = tmp_path / "map-gen-settings.json"
    path.write_text(json.dumps({"seed": 42, "width": 0, "autoplace_controls": {}, "made_up_key": 1}))
    m = read_map_gen_settings(path)
    assert m.seed == 42 and m.not_applied == ["autoplace_controls", "made_up_key", "width"]
    path.write_text('{"seed": null}')
    assert read_map_gen_settings(path).seed is None
    path.write_text('{"seed": 4294967296}')
    with pytest.raises(ConfigFileError, match="'seed' must be null or a whole number from 0 to 4294967295"):
        read_map_gen_settings(path)
    path.write_text('{"seed": 1,}')
    with pytest.raises(ConfigFileError, match="--map-gen-settings.*not valid JSON"):
        read_map_gen_settings(path)


def test_mod_list_disables_and_skips(tmp_path):
    folder = tmp_path / "mods"
    shutil.copytree(BUNDLED_MODS_DIR, folder)
    assert select_mods(folder).enabled == ["fv_embodied_agent", "fv_placement_hints", "fv_snapshot"]
    (folder / "mod-list.json").write_text(json.dumps({"mods": [
        {"name": "base", "enabled": True}, {"name": "fv_snapshot", "enabled": False},
        {"name": "gone_mod", "enabled": True}]}))
    sel = select_mods(folder)
    assert sel.enabled == ["fv_embodied_agent", "fv_placement_hints"]
    assert sel.disabled == ["fv_snapshot"] and sel.missing == ["gone_mod"]
    (folder / "mod-list.json").write_text('{"mods": [{"name": "fv_snapshot", "enabled": "no"}]}')
    with pytest.raises(ConfigFileError, match="\"enabled\" of mod 'fv_snapshot' must be true or false"):
        select_mods(folder)
    assert select_mods(tmp_path / "absent").enabled == []
    (folder / "broken").mkdir()
    (folder / "broken" / "info.json").write_text("{")
    with pytest.raises(ModLoadError, match="info.json is not valid JSON"):
        select_mods(folder)


def test_saves_by_name_and_the_newest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    saves = tmp_path / "saves"
    with pytest.raises(SaveNotFoundError, match="found no save"):
        latest_save(saves)
    saves.mkdir()
    assert save_file_path("game") == Path("game.zip") and save_file_path("g.fvsave") == Path("g.fvsave")
    for i, name in enumerate(["b.zip", "a.zip", "_autosave1.fvsave", "notes.txt", "c.zip.tmp"]):
        (saves / name).write_bytes(b"x")
        os.utime(saves / name, ns=(10**18 + i, 10**18 + i))
    assert latest_save(saves).name == "_autosave1.fvsave"  # c.zip.tmp (an unfinished write) and notes.txt are not saves
    os.utime(saves / "a.zip", ns=(2 * 10**18, 2 * 10**18))
    assert latest_save(saves).name == "a.zip"
    assert find_save("b", saves) == saves / "b.zip"  # a bare name is looked for in the saves folder
    with pytest.raises(SaveNotFoundError, match="no save at .*missing.zip or .*saves/missing.zip"):
        find_save("missing", saves)
