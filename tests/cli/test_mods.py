"""`fv mods package`."""

from __future__ import annotations

import json
import zipfile

from typer.testing import CliRunner

from factoryverse.cli import app

runner = CliRunner()


def test_package_writes_zips_for_the_asked_version(tmp_path):
    result = runner.invoke(app, ["mods", "package", "--output", str(tmp_path), "--factorio-version", "2.1"])
    assert result.exit_code == 0, result.output
    zips = sorted(tmp_path.glob("*.zip"))
    assert [z.name for z in zips] == ["fv_embodied_agent_0.1.0.zip", "fv_placement_hints_0.1.0.zip",
                                      "fv_snapshot_0.2.0.zip"]
    with zipfile.ZipFile(tmp_path / "fv_snapshot_0.2.0.zip") as z:
        assert json.loads(z.read("fv_snapshot_0.2.0/info.json"))["factorio_version"] == "2.1"
    assert str(tmp_path / "mod-list.json") in result.output


def test_package_refuses_an_unknown_version(tmp_path):
    result = runner.invoke(app, ["mods", "package", "--output", str(tmp_path / "out"), "--factorio-version", "3.0"])
    assert result.exit_code == 2 and "--factorio-version" in result.output
    assert not (tmp_path / "out").exists()
