"""A mod's scenario as the level script (engine/scenarios.py, Engine(scenario=...)): found by `mod/name` or a bare
name, run after the mods with its own `storage`, events and remote interface, saved and loaded with the game, and
every wrong name refused with a typed error listing what there is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.scenarios import (
    AmbiguousScenarioError,
    ScenarioError,
    UnknownScenarioError,
    available_scenarios,
    find_scenario,
)

# The level script: state only in storage, a sibling module required by a relative name, a handler per tick,
# a remote interface, and on_load that may only read.
_CONTROL = """
local counter = require("counter")
script.on_init(function()
  storage.started = game.tick
  storage.ticks = 0
  storage.mod_seen = remote.interfaces["probe_mod"] ~= nil
end)
script.on_load(function() loaded_from_save = true end)
script.on_event(defines.events.on_tick, function() counter.bump() end)
remote.add_interface("probe_level", {
  state = function()
    return {ticks = storage.ticks, started = storage.started, loaded = loaded_from_save == true,
            mod_name = script.mod_name, mod_seen = storage.mod_seen}
  end,
})
"""
_COUNTER = "local M = {} function M.bump() storage.ticks = storage.ticks + 1 end return M\n"


def _mod(root: Path, name: str, scenarios: dict[str, dict[str, str]], control: str = "") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "info.json").write_text(json.dumps({
        "name": name, "version": "1.0.0", "title": name, "author": "test", "factorio_version": "2.0",
        "dependencies": ["base >= 2.0"]}), encoding="utf-8")
    if control:
        (folder / "control.lua").write_text(control, encoding="utf-8")
    for scenario, files in scenarios.items():
        where = folder / "scenarios" / scenario
        where.mkdir(parents=True)
        for file, text in files.items():
            (where / file).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def mods(tmp_path: Path) -> Path:
    root = tmp_path / "mods"
    probe = {"control.lua": _CONTROL, "counter.lua": _COUNTER, "description.json": "{}"}
    _mod(root, "alpha", {"probe": probe, "shared": {"control.lua": "", "description.json": "{}"}},
         control='remote.add_interface("probe_mod", {})')
    _mod(root, "beta", {"shared": {"control.lua": ""}, "map-only": {"description.json": "{}"}})
    return root


def _roots(mods: Path) -> list[tuple[str, Path]]:
    return [(p.name, p) for p in sorted(mods.iterdir())]


def _state(engine: Engine) -> dict:
    return json.loads(engine.execute_command(
        "/sc rcon.print(helpers.table_to_json(remote.call('probe_level', 'state')))"))


def test_both_name_forms_find_the_scenario_and_every_scenario_is_listed(mods):
    assert [s.id for s in available_scenarios(_roots(mods))] == [
        "alpha/probe", "alpha/shared", "beta/map-only", "beta/shared"]
    assert find_scenario("probe", _roots(mods)) == find_scenario("alpha/probe", _roots(mods))
    assert find_scenario("beta/shared", _roots(mods)).path == mods / "beta" / "scenarios" / "shared"


def test_wrong_names_are_refused_naming_what_exists(mods):
    with pytest.raises(UnknownScenarioError, match=r"'nope' not found in any loaded mod; there are: alpha/probe, "):
        find_scenario("nope", _roots(mods))
    with pytest.raises(UnknownScenarioError, match=r"not found in mod 'beta'.*alpha/probe"):
        find_scenario("beta/probe", _roots(mods))
    with pytest.raises(AmbiguousScenarioError, match=r"several mods: alpha/shared, beta/shared; name one as mod/scenario"):
        find_scenario("shared", _roots(mods))
    with pytest.raises(ScenarioError, match="has no control.lua"):
        find_scenario("map-only", _roots(mods))
    with pytest.raises(ScenarioError, match="must be `mod/scenario` or `scenario`, got 7"):
        find_scenario(7, _roots(mods))
    with pytest.raises(UnknownScenarioError, match=r"there are: none"):
        find_scenario("probe", [])


def test_the_scenario_runs_as_the_level_after_the_mods(mods):
    engine = Engine(seed=1, mods_dir=mods, scenario="probe")
    try:
        assert engine.scenario is not None and engine.scenario.id == "alpha/probe"
        state = _state(engine)
        # The level's on_init ran once, after the mods' control.lua (their interface already existed).
        assert state == {"ticks": 0, "started": 0, "loaded": False, "mod_name": "level", "mod_seen": True}
        engine.run_ticks(5)
        assert _state(engine)["ticks"] == 5
        # Console commands run in the level's state, so they see the scenario's storage, as in the game.
        assert engine.execute_command("/sc rcon.print(storage.ticks)") == "5"
    finally:
        engine.close()


def test_save_and_load_keep_the_levels_storage_and_run_on_load_not_on_init(mods, tmp_path):
    engine = Engine(seed=1, mods_dir=mods, scenario="alpha/probe")
    engine.run_ticks(3)
    path = engine.save(tmp_path, "probe")
    engine.close()
    loaded = Engine.load(path, mods_dir=mods)
    try:
        assert loaded.scenario is not None and loaded.scenario.id == "alpha/probe"
        assert _state(loaded) == {"ticks": 3, "started": 0, "loaded": True, "mod_name": "level", "mod_seen": True}
        loaded.run_ticks(2)  # the level's handlers are registered again by its control.lua
        assert _state(loaded)["ticks"] == 5
        forked = loaded.fork()
        try:
            assert forked.scenario == loaded.scenario and _state(forked)["ticks"] == 5
        finally:
            forked.close()
    finally:
        loaded.close()
    # The same scenario asked again is the save's; another one is refused, the save untouched.
    Engine.load(path, mods_dir=mods, scenario="probe").close()
    with pytest.raises(ScenarioError, match=r"this save runs the scenario alpha/probe.*start a new game to run 'shared'"):
        Engine.load(path, mods_dir=mods, scenario="shared")


def test_a_save_whose_scenario_is_gone_is_refused(mods, tmp_path):
    engine = Engine(seed=1, mods_dir=mods, scenario="alpha/probe")
    path = engine.save(tmp_path, "probe")
    engine.close()
    (mods / "alpha" / "scenarios" / "probe" / "control.lua").unlink()
    with pytest.raises(ScenarioError, match="runs the scenario alpha/probe, which its mods no longer ship"):
        Engine.load(path, mods_dir=mods)


def test_a_game_without_a_scenario_records_none(mods, tmp_path):
    engine = Engine(seed=1, mods_dir=mods)
    assert engine.scenario is None
    path = engine.save(tmp_path, "plain")
    engine.close()
    loaded = Engine.load(path, mods_dir=mods)
    assert loaded.scenario is None
    loaded.close()
    with pytest.raises(ScenarioError, match=r"runs the scenario \(none\)"):
        Engine.load(path, mods_dir=mods, scenario="probe")


def test_unknown_scenario_and_a_failing_control_lua_are_typed_errors(mods):
    with pytest.raises(UnknownScenarioError, match="there are: alpha/probe, alpha/shared, beta/map-only, beta/shared"):
        Engine(seed=1, mods_dir=mods, scenario="lab")
    (mods / "alpha" / "scenarios" / "shared" / "control.lua").write_text("error('broken level')", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"scenario alpha/shared failed to load control.lua:\n.*broken level"):
        Engine(seed=1, mods_dir=mods, scenario="alpha/shared")
