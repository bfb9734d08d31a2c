"""FactoryVerse's mods packaged for a Factorio version: portal-style zips, or folders for the embedded engine."""

from __future__ import annotations

import json
import zipfile

import pytest

from factoryverse.engine.mods import BUNDLED_MODS_DIR, discover_mods
from factoryverse.servers.mod_packages import ModPackageError, package_mods

OURS = {m.name: m for m in discover_mods(BUNDLED_MODS_DIR)}


@pytest.mark.parametrize("target", ["2.0", "2.1"])
def test_zips_are_portal_style_and_declare_the_target(tmp_path, target):
    written = package_mods(tmp_path, target)
    assert sorted(p.name for p in written) == sorted(
        [f"{m.name}_{m.version}.zip" for m in OURS.values()] + ["mod-list.json"])
    for mod in OURS.values():
        top = f"{mod.name}_{mod.version}"
        with zipfile.ZipFile(tmp_path / f"{top}.zip") as z:
            names = z.namelist()
            assert all(n.startswith(top + "/") for n in names)
            info = json.loads(z.read(f"{top}/info.json"))
            original = json.loads((mod.path / "info.json").read_text(encoding="utf-8"))
            assert info == {**original, "factorio_version": target}
            # Everything but info.json is the repository's file, byte for byte.
            for path in sorted(p for p in mod.path.rglob("*.lua")):
                assert z.read(f"{top}/{path.relative_to(mod.path).as_posix()}") == path.read_bytes()
    mod_list = json.loads((tmp_path / "mod-list.json").read_text(encoding="utf-8"))
    assert {m["name"] for m in mod_list["mods"] if m["enabled"]} == {"base", *OURS}


def test_packaging_twice_gives_the_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    package_mods(a, "2.1")
    package_mods(b, "2.1")
    assert {p.name: p.read_bytes() for p in a.iterdir()} == {p.name: p.read_bytes() for p in b.iterdir()}


def test_the_repository_copies_stay_2_0(tmp_path):
    package_mods(tmp_path, "2.1", unpacked=True)
    assert {m.factorio_version for m in discover_mods(BUNDLED_MODS_DIR)} == {"2.0"}
    assert {m.factorio_version for m in discover_mods(tmp_path)} == {"2.1"}


def test_an_unknown_version_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(ModPackageError, match=r"'1\.1' is not one the engine runs as"):
        package_mods(tmp_path / "out", "1.1")
    assert not (tmp_path / "out").exists()
