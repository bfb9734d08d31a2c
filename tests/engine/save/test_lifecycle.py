"""A loaded game's data lifecycle (Factorio's "Data lifecycle" page, save startup): control.lua, [2] on_init for mods
new to the save, [3] migrations, [4] on_load for the others, [5] on_configuration_changed with
ConfigurationChangedData; and migration files, each run once per save."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.migrations import MigrationError
from factoryverse.engine.save import game_save
from factoryverse.engine.save.savefile import decode_save, encode_save
from factoryverse.engine.state_hash import state_hash

# Logs each lifecycle step (log lines keep their order; on_load may not write storage) and keeps the last
# ConfigurationChangedData in storage.
CONTROL = """
script.on_init(function() log("on_init") storage.steps = {"init"} end)
script.on_load(function() log("on_load") end)
script.on_configuration_changed(function(data)
  log("on_configuration_changed")
  storage.changed = helpers.table_to_json(data)
end)
commands.add_command("%(name)s", "", function()
  rcon.print(serpent.line(storage.steps) .. "\\t" .. tostring(storage.changed))
  storage.changed = nil
end)
"""


def _mod(root: Path, name: str, version: str = "1.0.0", migrations: dict[str, str] | None = None,
         settings: str | None = None) -> None:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "info.json").write_text(json.dumps({
        "name": name, "version": version, "title": name, "author": "tests", "factorio_version": "2.0",
        "dependencies": ["base"],
    }))
    (folder / "control.lua").write_text(textwrap.dedent(CONTROL % {"name": name}))
    if settings is not None:
        (folder / "settings.lua").write_text(textwrap.dedent(settings))
    for file, text in (migrations or {}).items():
        (folder / "migrations").mkdir(exist_ok=True)
        (folder / "migrations" / file).write_text(textwrap.dedent(text))


def _migration(tag: str) -> str:
    # Full game access and storage, as the docs give migrations.
    return f"""
      log("migration {tag}")
      storage.steps[#storage.steps + 1] = "{tag}@" .. game.tick
    """


def _steps(engine: Engine, since: int = 0) -> list[str]:
    return [line.split(": ", 1)[1] for line in list(engine.log_lines)[since:] if ": " in line]


def _state(engine: Engine, name: str) -> tuple[str, dict | None]:
    steps, changed = engine.execute_command(f"/{name}").split("\t")
    return steps, None if changed == "nil" else json.loads(changed)


def test_a_new_game_runs_no_migration_and_its_save_runs_none_either(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m", migrations={"1.lua": _migration("one")})
    game = Engine(seed=1, mods_dir=mods)
    assert _steps(game) == ["on_init"]
    assert game.applied_migrations == {"m": ["1.lua"]}
    loaded = Engine.load(game.save(tmp_path, "s"), mods_dir=mods)
    assert _steps(loaded) == ["on_load"]
    assert _state(loaded, "m") == ('{"init"}', None)


def test_an_update_runs_its_new_migrations_once_in_order_then_on_load_then_configuration_changed(
        tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m", migrations={"1.lua": _migration("one")})
    game = Engine(seed=1, mods_dir=mods)
    game.run_ticks(5)
    path = game.save(tmp_path, "s")
    # Version 1.1.0 adds two Lua migrations and a JSON one: JSON first, then Lua by name ("10" < "2").
    _mod(mods, "m", "1.1.0", migrations={"2.lua": _migration("two"), "10.lua": _migration("ten"),
                                         "renames.json": '{"entity": [["old-name", "new-name"]]}'})
    updated = Engine.load(path, mods_dir=mods)
    assert _steps(updated) == ["migration ten", "migration two", "on_load", "on_configuration_changed"]
    assert updated.applied_migrations == {"m": ["1.lua", "renames.json", "10.lua", "2.lua"]}
    assert _state(updated, "m") == ('{"init", "ten@5", "two@5"}', {
        "mod_changes": {"m": {"old_version": "1.0.0", "new_version": "1.1.0"}},
        "mod_startup_settings_changed": False,
        "migration_applied": True,
    })
    # Saved after the update, the next load runs none of them again and nothing changed.
    again = Engine.load(updated.save(tmp_path, "s2"), mods_dir=mods)
    assert _steps(again) == ["on_load"]
    assert _state(again, "m") == ('{"init", "ten@5", "two@5"}', None)


def test_a_migration_alone_is_a_configuration_change(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m")
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    _mod(mods, "m", migrations={"fix.lua": _migration("fix")})  # same version
    loaded = Engine.load(path, mods_dir=mods)
    assert _state(loaded, "m")[1] == {"mod_changes": {}, "mod_startup_settings_changed": False,
                                      "migration_applied": True}


def test_a_mod_added_to_a_save_runs_on_init_then_all_its_migrations(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "a_old", migrations={"1.lua": _migration("a1")})
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    _mod(mods, "b_new", "0.3.0", migrations={"1.lua": _migration("b1"), "2.lua": _migration("b2")})
    loaded = Engine.load(path, mods_dir=mods)
    # Every step runs for all mods before the next: b_new's on_init, the migrations, a_old's on_load, then both
    # on_configuration_changed (mod order).
    assert _steps(loaded) == ["on_init", "migration b1", "migration b2", "on_load", "on_configuration_changed",
                              "on_configuration_changed"]
    assert _state(loaded, "b_new") == ('{"init", "b1@0", "b2@0"}', {
        "mod_changes": {"b_new": {"new_version": "0.3.0"}},
        "mod_startup_settings_changed": False,
        "migration_applied": True,
    })
    assert _state(loaded, "a_old")[0] == '{"init"}'  # its migration was applied when the game began


def test_a_removed_mod_is_a_change_and_a_re_added_one_runs_its_migrations_again(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "a", migrations={"1.lua": _migration("a1")})
    _mod(mods, "b")
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    without = Engine.load(path, mods_dir=mods, mods=["b"])
    assert _state(without, "b")[1]["mod_changes"] == {"a": {"old_version": "1.0.0"}}
    back = Engine.load(without.save(tmp_path, "s2"), mods_dir=mods)
    assert _state(back, "a") == ('{"init", "a1@0"}', {"mod_changes": {"a": {"new_version": "1.0.0"}},
                                                      "mod_startup_settings_changed": False,
                                                      "migration_applied": True})


SETTING = """
data:extend({{type = "int-setting", name = "m-size", setting_type = "startup", default_value = 3},
             {type = "bool-setting", name = "m-flag", setting_type = "runtime-global", default_value = false}})
"""


def test_a_changed_startup_setting_raises_configuration_changed_saying_so(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m", settings=SETTING)
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    assert _state(Engine.load(path, mods_dir=mods), "m")[1] is None
    # A runtime-global value given at start is no startup change (and the save's own value stands).
    quiet = Engine.load(path, mods_dir=mods, mod_settings={"runtime-global": {"m-flag": {"value": True}}})
    assert _state(quiet, "m")[1] is None
    assert quiet.execute_command("/sc rcon.print(tostring(settings.global['m-flag'].value))") == "false"
    changed = Engine.load(path, mods_dir=mods, mod_settings={"startup": {"m-size": {"value": 4}}})
    assert _state(changed, "m")[1] == {"mod_changes": {}, "mod_startup_settings_changed": True,
                                       "migration_applied": False}


def test_changed_prototypes_are_a_configuration_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m")
    monkeypatch.setattr(game_save, "prototype_digest", lambda protos: "prototypes of the saving game")
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    monkeypatch.undo()
    loaded = Engine.load(path, mods_dir=mods)
    assert _state(loaded, "m")[1] == {"mod_changes": {}, "mod_startup_settings_changed": False,
                                      "migration_applied": False}
    # The loaded game records its own prototypes: its save loads with no change.
    assert _state(Engine.load(loaded.save(tmp_path, "s2"), mods_dir=mods), "m")[1] is None


def test_another_game_version_gives_old_and_new_version(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m")
    header, body = decode_save(Engine(seed=1, mods_dir=mods).save(tmp_path, "s").read_bytes())
    older = header.__class__(**{**header.__dict__, "mods": {**header.mods, "base": "2.0.1"}})
    (tmp_path / "older.fvsave").write_bytes(encode_save(older, body))
    loaded = Engine.load(tmp_path / "older.fvsave", mods_dir=mods)
    base = loaded.factorio.base
    assert _state(loaded, "m")[1] == {
        "old_version": "2.0.1", "new_version": base,
        "mod_changes": {"base": {"old_version": "2.0.1", "new_version": base}},
        "mod_startup_settings_changed": False, "migration_applied": False,
    }


def test_a_failing_migration_stops_the_load_naming_mod_and_file(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m")
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    _mod(mods, "m", migrations={"bad.lua": "local x = nil; x.y = 1"})
    with pytest.raises(MigrationError, match=r"mod m failed to apply migration migrations/bad.lua; the save was not "
                                             r"loaded:\n.*__m__/migrations/bad.lua:1: attempt to index local 'x'"):
        Engine.load(path, mods_dir=mods)


def test_migrations_may_require_files_of_their_mod(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m")
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    (mods / "m" / "lib.lua").write_text("return {tag = 'from lib'}")
    _mod(mods, "m", migrations={"1.lua": "storage.steps[2] = require('lib').tag"})
    assert _state(Engine.load(path, mods_dir=mods), "m")[0] == '{"init", "from lib"}'


def test_a_fork_runs_no_migration_and_no_configuration_change(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m", migrations={"1.lua": _migration("one")})
    game = Engine(seed=1, mods_dir=mods)
    game.run_ticks(3)
    fork = game.fork()
    assert _steps(fork) == ["on_load"]
    assert state_hash(fork) == state_hash(game)
