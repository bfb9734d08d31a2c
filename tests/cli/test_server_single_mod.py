"""Each mod works alone: `fv server start --mods-dir` with only one of our mods starts and that mod answers."""

from __future__ import annotations

import json
import shutil

import pytest
from factorio_rcon import RCONClient
from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.engine.mods import BUNDLED_MODS_DIR
from factoryverse.servers.instances import list_instances
from factoryverse.servers.mod_packages import package_mods

runner = CliRunner()

# What each mod alone must answer over RCON, and interfaces it registers (fv_snapshot's `map` is absent).
_ALONE = {
    "fv_embodied_agent": ("remote.call('agent', 'list_agents')", {"agent", "admin"}),
    "fv_placement_hints": ("remote.call('placement_hints', 'validate_placement', 'wooden-chest', {x = 0.5, y = 0.5})",
                           {"placement_hints"}),
}


@pytest.mark.parametrize("mod", sorted(_ALONE))
def test_a_server_starts_with_one_mod_alone(mod, fv_home, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(BUNDLED_MODS_DIR / mod, source / mod)
    mods_dir = tmp_path / "mods"
    package_mods(mods_dir, unpacked=True, source=source)
    result = runner.invoke(app, ["server", "start", "--detach", "--mode", "fast", "--mods-dir", str(mods_dir)])
    try:
        assert result.exit_code == 0, result.output
        assert "fv_snapshot is not loaded" in result.output
        (inst,) = list_instances()
        assert set(inst.mods) == {mod}
        client = RCONClient("127.0.0.1", inst.rcon_port, inst.rcon_password)
        try:
            call, interfaces = _ALONE[mod]
            names = client.send_command("/sc local n = {} for k in pairs(remote.interfaces) do n[#n + 1] = k end "
                                        "table.sort(n) rcon.print(table.concat(n, ','))")
            assert interfaces <= set(names.split(",")) and "map" not in names.split(",")
            reply = client.send_command(f"/sc rcon.print(helpers.table_to_json({call}))")
            assert not reply.startswith("Cannot execute"), reply
            json.loads(reply)
        finally:
            client.close()
    finally:
        runner.invoke(app, ["server", "stop", "--all"])


def test_all_three_mods_get_no_note(fv_home):
    result = runner.invoke(app, ["server", "start", "--detach", "--mode", "fast"])
    try:
        assert result.exit_code == 0, result.output
        assert "is not loaded" not in result.output
    finally:
        runner.invoke(app, ["server", "stop", "--all"])
