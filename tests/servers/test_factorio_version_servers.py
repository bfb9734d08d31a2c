"""Servers run as one Factorio version: `start_instance(factorio_version=...)` end to end, with real processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factorio_rcon import RCONClient

from factoryverse.engine.mods import BUNDLED_MODS_DIR
from factoryverse.servers.instances import EngineStartError, InstanceError, list_instances, start_instance


def _rcon(inst, lua: str) -> str:
    with RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, timeout=30) as client:
        return client.send_command("/sc " + lua)


def test_a_2_1_server_loads_our_mods_packaged_for_2_1(fv_home):
    inst = start_instance(mode="paused", factorio_version="2.1")
    assert (inst.factorio_version, inst.factorio_base_version, inst.factorio_api_version) == ("2.1", "2.1.20", "2.1.7")
    assert inst.manifest()["factorio_version"] == "2.1"
    active = json.loads(_rcon(inst, "rcon.print(helpers.table_to_json(script.active_mods))"))
    assert active["base"] == "2.1.20"
    assert {"fv_embodied_agent", "fv_snapshot", "fv_placement_hints"} <= set(active) and inst.mods
    # The mods it runs are the instance folder's copies, declaring 2.1; the repository's still declare 2.0.
    declared = {json.loads(p.read_text())["factorio_version"] for p in (Path(inst.folder) / "mods").glob("*/info.json")}
    assert declared == {"2.1"}
    assert {json.loads(p.read_text())["factorio_version"] for p in BUNDLED_MODS_DIR.glob("*/info.json")} == {"2.0"}


def test_a_mod_for_another_version_fails_the_start_and_leaves_a_running_game_alone(fv_home, tmp_path):
    running = start_instance(mode="paused")
    _rcon(running, "storage.mark = 'still here'")
    (tmp_path / "mods" / "newer_mod").mkdir(parents=True)
    (tmp_path / "mods" / "newer_mod" / "info.json").write_text(json.dumps(
        {"name": "newer_mod", "version": "1.0.0", "title": "t", "factorio_version": "2.1"}), encoding="utf-8")
    with pytest.raises(EngineStartError,
                       match=r"runs as Factorio 2\.0.*newer_mod 1\.0\.0 \(declares factorio_version 2\.1"):
        start_instance(mode="paused", mods_dir=tmp_path / "mods")
    assert [i.id for i in list_instances()] == [running.id]
    assert _rcon(running, "rcon.print(storage.mark)") == "still here"


def test_an_unknown_version_is_refused_before_anything_starts(fv_home):
    with pytest.raises(InstanceError, match=r"'1\.1' is not one a server runs as; give one of 2\.0, 2\.1"):
        start_instance(factorio_version="1.1")
    assert list_instances() == []
