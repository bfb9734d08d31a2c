"""Finding and ordering mods: dependencies load first, unmet or incompatible dependencies fail with a clear error."""

from __future__ import annotations

import json

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ModLoadError
from factoryverse.engine.mods import BUNDLED_MODS_DIR, ModInfo, discover_mods, order_mods

from .lua.modkit import write_mod


def _loaded(tmp_path) -> list[str]:
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    return [line.split(":", 1)[0] for line in engine.log_lines if line.endswith(": loaded")]


def test_a_mod_loads_after_the_mod_it_depends_on(tmp_path):
    # By name alone "aaa_user" would load first; its dependency must come before it.
    write_mod(tmp_path, "aaa_user", {"control.lua": "log('loaded')"}, dependencies=("base", "zzz_lib"))
    write_mod(tmp_path, "zzz_lib", {"control.lua": "log('loaded')"})
    assert _loaded(tmp_path) == ["zzz_lib", "aaa_user"]


def test_independent_mods_load_by_name(tmp_path):
    for name in ("beta", "Alpha", "gamma"):
        write_mod(tmp_path, name, {"control.lua": "log('loaded')"})
    assert _loaded(tmp_path) == ["Alpha", "beta", "gamma"]


def test_optional_dependency_orders_when_present_and_is_skipped_when_absent(tmp_path):
    write_mod(tmp_path, "aaa", {"control.lua": "log('loaded')"}, dependencies=("base", "? zzz", "? not_installed"))
    write_mod(tmp_path, "zzz", {"control.lua": "log('loaded')"})
    assert _loaded(tmp_path) == ["zzz", "aaa"]


def test_dependency_sees_the_interfaces_of_what_loaded_before(tmp_path):
    write_mod(tmp_path, "provider", {"control.lua": "remote.add_interface('provider', {v = function() return 1 end})"})
    write_mod(
        tmp_path,
        "consumer",
        {"control.lua": "log('provider ready: ' .. tostring(remote.interfaces.provider ~= nil))"},
        dependencies=("base", "provider"),
    )
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    assert "consumer: provider ready: true" in engine.log_lines


def test_missing_dependency_names_it(tmp_path):
    write_mod(tmp_path, "needy", {"control.lua": ""}, dependencies=("base", "ghost_mod"))
    with pytest.raises(ModLoadError, match="needy requires ghost_mod"):
        Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def test_incompatible_mod_fails(tmp_path):
    write_mod(tmp_path, "picky", {"control.lua": ""}, dependencies=("base", "! rival"))
    write_mod(tmp_path, "rival", {"control.lua": ""})
    with pytest.raises(ModLoadError, match="picky is incompatible with rival"):
        Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def test_incompatible_mod_absent_is_fine(tmp_path):
    write_mod(tmp_path, "picky", {"control.lua": "log('loaded')"}, dependencies=("base", "! rival"))
    assert _loaded(tmp_path) == ["picky"]


def test_version_constraint_is_checked(tmp_path):
    write_mod(tmp_path, "lib", {"control.lua": ""}, version="1.2.0")
    write_mod(tmp_path, "app", {"control.lua": ""}, dependencies=("base", "lib >= 1.3.0"))
    with pytest.raises(ModLoadError, match=r"app requires lib >= 1.3.0, found 1.2.0"):
        Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def test_version_constraint_met(tmp_path):
    write_mod(tmp_path, "lib", {"control.lua": "log('loaded')"}, version="1.10.0")
    write_mod(tmp_path, "app", {"control.lua": "log('loaded')"}, dependencies=("base", "lib >= 1.9"))
    assert _loaded(tmp_path) == ["lib", "app"]


def test_dependency_cycle_is_an_error(tmp_path):
    write_mod(tmp_path, "one", {}, dependencies=("base", "two"))
    write_mod(tmp_path, "two", {}, dependencies=("base", "one"))
    with pytest.raises(ModLoadError, match="dependency cycle"):
        order_mods(discover_mods(tmp_path))


def test_info_json_must_be_valid(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "info.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModLoadError, match="not valid JSON"):
        discover_mods(tmp_path)


def test_info_json_needs_a_supported_factorio_version(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "info.json").write_text(
        json.dumps({"name": "old", "version": "1.0.0", "factorio_version": "1.1"}), encoding="utf-8"
    )
    with pytest.raises(ModLoadError, match="factorio_version '1.1'"):
        ModInfo.read(folder)


def test_only_the_named_mods_are_loaded_and_unknown_names_fail(tmp_path):
    write_mod(tmp_path, "keep", {"control.lua": "log('loaded')"})
    write_mod(tmp_path, "skip", {"control.lua": "log('loaded')"})
    engine = Engine(seed=1, mods_dir=tmp_path, mods=["keep"], starting_chunks=1)
    assert [m.name for m in engine.mods] == ["keep"]
    with pytest.raises(ModLoadError, match="mods not found .*: nope"):
        Engine(seed=1, mods_dir=tmp_path, mods=["nope"], starting_chunks=1)


def test_missing_mods_folder(tmp_path):
    with pytest.raises(ModLoadError, match="does not exist"):
        Engine(seed=1, mods_dir=tmp_path / "nowhere", starting_chunks=1)


def test_the_repositorys_mods_load_without_errors(tmp_path):
    engine = Engine(seed=1, script_output=tmp_path, starting_chunks=1)
    names = {m.name for m in engine.mods}
    assert {"fv_embodied_agent", "fv_snapshot", "fv_placement_hints"} <= names
    assert {info.name for info in discover_mods(BUNDLED_MODS_DIR)} == names
    engine.run_ticks(5)
    assert engine.mod_errors == []
