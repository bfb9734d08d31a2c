"""Mod settings: the settings stage, configured values, and `settings` (LuaSettings) in the control stage."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.settings import ModSettingsError
from factoryverse.engine.state_hash import state_hash, state_sections

SETTINGS = """
data:extend({
  {type = "int-setting", name = "sm-count", setting_type = "startup", default_value = 5, minimum_value = 1,
   maximum_value = 10},
  {type = "bool-setting", name = "sm-on", setting_type = "runtime-global", default_value = true},
  {type = "double-setting", name = "sm-rate", setting_type = "runtime-global", default_value = 1.5,
   minimum_value = 0},
  {type = "string-setting", name = "sm-mode", setting_type = "runtime-per-user", default_value = "a",
   allowed_values = {"a", "b"}},
  {type = "color-setting", name = "sm-color", setting_type = "startup", default_value = {r = 1, g = 0.5, b = 0}},
})
"""

# Reads every kind of setting, in control.lua's main chunk as well as in a command; counts change events.
CONTROL = """
local count_at_load = settings.startup["sm-count"].value
script.on_event(defines.events.on_runtime_mod_setting_changed, function(e)
  storage.changes = (storage.changes or 0) + 1
  storage.last = e.setting .. " " .. e.setting_type .. " " .. tostring(e.player_index)
end)
commands.add_command("sm", "", function()
  local g = {}
  for name, setting in pairs(settings.global) do g[#g + 1] = name .. "=" .. tostring(setting.value) end
  local c = settings.startup["sm-color"].value
  rcon.print(table.concat({count_at_load, table.concat(g, ","), settings.player_default["sm-mode"].value,
    c.r .. "/" .. c.g .. "/" .. c.b .. "/" .. c.a, tostring(settings.startup["no-such"]), #settings.global}, " "))
end)
commands.add_command("sm-set", "", function(c)
  local ok, err = pcall(function() settings.global["sm-rate"] = {value = load("return " .. c.parameter)()} end)
  rcon.print(tostring(ok) .. " " .. settings.global["sm-rate"].value .. " " .. tostring(storage.changes) .. " "
    .. tostring(storage.last) .. (ok and "" or " " .. err))
end)
"""


def _mod(root: Path, name: str, files: dict[str, str], deps: tuple[str, ...] = ("base",)) -> None:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "info.json").write_text(json.dumps({
        "name": name, "version": "1.0.0", "title": name, "author": "tests", "factorio_version": "2.0",
        "dependencies": list(deps),
    }))
    for file, text in files.items():
        (folder / file).write_text(textwrap.dedent(text))


def _game(tmp_path: Path, **kwargs) -> Engine:
    mods = tmp_path / "mods"
    _mod(mods, "sm", {"settings.lua": SETTINGS, "control.lua": CONTROL})
    return Engine(seed=1, mods_dir=mods, **kwargs)


def test_a_mod_sees_its_defaults_in_control(tmp_path: Path) -> None:
    game = _game(tmp_path)
    assert game.execute_command("/sm") == "5 sm-on=true,sm-rate=1.5 a 1/0.5/0/1 nil 2"
    assert not game.mod_errors


def test_configured_values_override_the_defaults_the_keyword_over_the_file(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "mod-settings.json").write_text(json.dumps({
        "startup": {"sm-count": {"value": 7}, "sm-color": {"value": [0, 0, 1]}},
        "runtime-global": {"sm-on": {"value": False}},
        "runtime-per-user": {"sm-mode": {"value": "b"}},
    }))
    assert _game(tmp_path).execute_command("/sm") == "7 sm-on=false,sm-rate=1.5 b 0/0/1/1 nil 2"
    game = _game(tmp_path, mod_settings={"startup": {"sm-count": {"value": 9}}})
    assert game.execute_command("/sm") == "9 sm-on=false,sm-rate=1.5 b 0/0/1/1 nil 2"


def test_stages_run_in_rounds_over_all_mods_in_one_state(tmp_path: Path) -> None:
    # b's settings-updates.lua sees a's setting (a round later) though b loads first; final-fixes see both updates.
    mods = tmp_path / "mods"
    _mod(mods, "a_mod", {"settings.lua": """
      data:extend({{type = "int-setting", name = "a-n", setting_type = "startup", default_value = 1}})
      shared_note = "a"
    """, "settings-final-fixes.lua": """
      data.raw["int-setting"]["a-n"].default_value = data.raw["int-setting"]["a-n"].default_value * 10
    """, "control.lua": """
      commands.add_command("a", "", function() rcon.print(settings.startup["a-n"].value .. " "
        .. settings.startup["b-s"].value) end)
    """}, deps=("base", "? b_mod"))
    _mod(mods, "b_mod", {"settings.lua": """
      data:extend({{type = "string-setting", name = "b-s", setting_type = "startup", default_value = "x"}})
    """, "settings-updates.lua": """
      data.raw["int-setting"]["a-n"].default_value = 4
      data.raw["string-setting"]["b-s"].default_value = shared_note .. mods["a_mod"] .. mods["base"]
    """})
    game = Engine(seed=1, mods_dir=mods)
    assert game.execute_command("/a") == f"40 a1.0.0{game.factorio.base}"
    assert game.mod_settings.prototypes["a-n"].mod == "a_mod"  # the mod whose stage created it owns it


@pytest.mark.parametrize(("setting", "message"), [
    ('{type = "int-setting", name = "x-n", setting_type = "startup", default_value = 20, maximum_value = 10}',
     r"mod x: setting 'x-n' \(int-setting\): default_value 20 is above the setting's maximum_value 10"),
    ('{type = "bool-setting", name = "x-b", default_value = true}',
     r"mod x: setting 'x-b' \(bool-setting\): setting_type must be one of startup"),
    ('{type = "string-setting", name = "x-s", setting_type = "startup", default_value = "c", allowed_values = {"a"}}',
     r"mod x: setting 'x-s' \(string-setting\): default_value 'c' is not one of the setting's allowed_values"),
    ('{type = "int-setting", name = "x-i", setting_type = "startup", default_value = 1.5}',
     r"mod x: setting 'x-i' \(int-setting\): default_value must be an integer"),
    ('{type = "item", name = "x-item"}', r"mod x: the settings stage defined 'x-item' of type 'item'"),
])
def test_a_bad_setting_prototype_stops_the_start_naming_mod_and_setting(tmp_path: Path, setting: str,
                                                                       message: str) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "x", {"settings.lua": f"data:extend({{{setting}}})"})
    with pytest.raises(ModSettingsError, match=message):
        Engine(seed=1, mods_dir=mods)


def test_a_settings_lua_error_names_the_mod_and_file(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "x", {"settings-updates.lua": "error('boom')"})
    with pytest.raises(ModSettingsError, match=r"mod x failed to run settings-updates.lua:\n.*boom"):
        Engine(seed=1, mods_dir=mods)


@pytest.mark.parametrize(("given", "message"), [
    ({"startup": {"sm-cuont": {"value": 3}}}, r"startup setting 'sm-cuont' is not defined by any mod's settings stage"),
    ({"startup": {"sm-count": {"value": 11}}},
     r"mod sm setting 'sm-count' 11 is above the setting's maximum_value 10"),
    ({"startup": {"sm-count": {"value": 0}}}, r"mod sm setting 'sm-count' 0 is below the setting's minimum_value 1"),
    ({"runtime-per-user": {"sm-mode": {"value": "c"}}}, r"mod sm setting 'sm-mode' 'c' is not one of"),
    ({"runtime-global": {"sm-count": {"value": 3}}},
     r"setting 'sm-count' of mod sm is a startup setting, not runtime-global"),
    ({"startup": {"sm-count": 3}}, r"startup setting 'sm-count' must be given as \{\"value\": ...\}"),
    ({"global": {}}, r"unknown section 'global'"),
])
def test_a_bad_configured_value_stops_the_start_with_a_clear_error(tmp_path: Path, given: dict, message: str) -> None:
    with pytest.raises(ModSettingsError, match=message):
        _game(tmp_path, mod_settings=given)
    (tmp_path / "mods" / "mod-settings.json").write_text(json.dumps(given))
    with pytest.raises(ModSettingsError, match=r"mod-settings.json: .*" + message):
        _game(tmp_path)


def test_scripts_change_global_settings_and_the_change_event_is_raised(tmp_path: Path) -> None:
    game = _game(tmp_path)
    assert game.execute_command("/sm-set 2.5") == "true 2.5 1 sm-rate runtime-global nil"
    assert game.execute_command("/sm").startswith("5 sm-on=true,sm-rate=2.5 ")
    # A bad value is refused with the game's rule, and nothing changes (no event either).
    reply = game.execute_command("/sm-set -1")
    assert reply.startswith("false 2.5 1 sm-rate runtime-global nil ")
    assert "-1.0 is below the setting's minimum_value 0" in reply
    assert "must be a number" in game.execute_command("/sm-set 'fast'")
    # The console (the level) may change any mod's setting; the event reaches the mod.
    game.execute_command("/sc settings.global['sm-on'] = {value = false}")
    assert game.execute_command("/sm-set 3") == "true 3 3 sm-rate runtime-global nil"
    reply = game.execute_command("/sc settings.startup['sm-count'] = {value = 3}")
    assert "settings.startup is read only" in reply
    assert "must be a number" not in game.execute_command("/sc settings.player_default['sm-mode'] = {value = 'b'}")
    assert game.execute_command("/sm").split()[2] == "b"
    assert not game.mod_errors


def test_a_mod_may_change_only_its_own_settings(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "sm", {"settings.lua": SETTINGS, "control.lua": CONTROL})
    _mod(mods, "other", {"control.lua": """
      commands.add_command("poke", "", function()
        local ok, err = pcall(function() settings.global["sm-on"] = {value = false} end)
        rcon.print(tostring(ok) .. " " .. tostring(settings.global["sm-on"].value) .. " " .. err)
      end)
    """})
    game = Engine(seed=1, mods_dir=mods)
    reply = game.execute_command("/poke")
    assert reply.startswith("false true ") and "mod other cannot change setting 'sm-on': it belongs to mod sm" in reply


def test_get_player_settings_names_the_missing_player(tmp_path: Path) -> None:
    reply = _game(tmp_path).execute_command("/sc settings.get_player_settings(1)")
    assert "get_player_settings: player 1 doesn't exist (this headless game has no players)" in reply


def test_runtime_global_values_are_game_state_saved_forked_and_hashed(tmp_path: Path) -> None:
    game = _game(tmp_path)
    before = state_sections(game)
    game.execute_command("/sc settings.global['sm-rate'] = {value = 4.25}")
    after = state_sections(game)
    assert after["settings"] != before["settings"]
    # A loaded game keeps its own values, whatever the configured ones say; so does a fork.
    loaded = Engine.load(game.save(tmp_path, "s"), mods_dir=tmp_path / "mods",
                         mod_settings={"runtime-global": {"sm-rate": {"value": 9}}})
    fork = game.fork()
    for other in (loaded, fork):
        assert other.execute_command("/sm").startswith("5 sm-on=true,sm-rate=4.25 ")
        assert state_hash(other) == state_hash(game)
    # ...and they go on alike.
    for g in (game, loaded, fork):
        g.execute_command("/sm-set 0.5")
        g.run_ticks(30)
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)


def test_a_game_without_settings_runs_no_settings_stage(tmp_path: Path) -> None:
    game = Engine(seed=1, mods=[])
    assert game.mod_settings.prototypes == {}
    assert game.execute_command("/sc rcon.print(settings.object_name .. ' ' .. #settings.startup)") == "LuaSettings 0"
