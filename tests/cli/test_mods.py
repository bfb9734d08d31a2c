"""`fv mods package`: portal-style zips, checked by unzipping them."""

from __future__ import annotations

import json
import zipfile

from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.engine.mods import BUNDLED_MODS_DIR, discover_mods

runner = CliRunner()


def _repo_mods() -> dict[str, str]:
    return {m.name: m.version for m in discover_mods(BUNDLED_MODS_DIR)}


def test_package_writes_zips_for_the_asked_version(tmp_path):
    result = runner.invoke(app, ["mods", "package", "--output", str(tmp_path), "--factorio-version", "2.1"])
    assert result.exit_code == 0, result.output
    mods = _repo_mods()
    assert set(mods) == {"fv_embodied_agent", "fv_placement_hints", "fv_snapshot"}
    assert sorted(z.name for z in tmp_path.glob("*.zip")) == sorted(f"{n}_{v}.zip" for n, v in mods.items())
    for name, version in mods.items():
        top = f"{name}_{version}"
        with zipfile.ZipFile(tmp_path / f"{top}.zip") as z:
            assert z.testzip() is None
            z.extractall(tmp_path / "unzipped")
            # One top folder <name>_<version>/, as the mod portal ships mods.
            assert {entry.split("/")[0] for entry in z.namelist()} == {top}
        unzipped = tmp_path / "unzipped" / top
        source = BUNDLED_MODS_DIR / name
        files = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts and not any(part.startswith(".") for part in p.parts))
        assert sorted(p.relative_to(unzipped) for p in unzipped.rglob("*") if p.is_file()) == files
        for rel in files:
            if rel.as_posix() == "info.json":
                info = json.loads((unzipped / rel).read_text())
                assert info == {**json.loads((source / rel).read_text()), "factorio_version": "2.1"}
            else:
                assert (unzipped / rel).read_bytes() == (source / rel).read_bytes(), rel
    mod_list = json.loads((tmp_path / "mod-list.json").read_text())
    assert mod_list == {"mods": [{"name": "base", "enabled": True},
                                 *({"name": n, "enabled": True} for n in sorted(mods))]}
    assert str(tmp_path / "mod-list.json") in result.output


def test_unzipped_packages_load_in_the_engine(tmp_path):
    """What the zips hold is a working mods folder: the engine loads the unzipped folders as Factorio 2.1."""
    from factoryverse.engine.engine import Engine

    assert runner.invoke(app, ["mods", "package", "--output", str(tmp_path / "zips"), "--factorio-version", "2.1"]).exit_code == 0
    mods_dir = tmp_path / "mods"
    for z in (tmp_path / "zips").glob("*.zip"):
        with zipfile.ZipFile(z) as archive:
            archive.extractall(mods_dir)
    engine = Engine(seed=1, script_output=tmp_path / "out", factorio_version="2.1", mods_dir=mods_dir, starting_chunks=1)
    try:
        reply = engine.execute_command("/sc rcon.print(remote.call('placement_hints', 'version').mod_version)")
        assert reply == _repo_mods()["fv_placement_hints"]
    finally:
        engine.close()


def test_package_refuses_an_unknown_version(tmp_path):
    result = runner.invoke(app, ["mods", "package", "--output", str(tmp_path / "out"), "--factorio-version", "3.0"])
    assert result.exit_code == 2 and "--factorio-version" in result.output
    assert not (tmp_path / "out").exists()
