"""Migrations by version run when an older save is loaded (issue 10, point 10).

Each test plays a game under an older release of a mod: the repository's mod labelled with the older version in
info.json (as the older zip was), its `storage` rewritten to the layout that release kept. The game is saved and
loaded with the current mods; the load's on_configuration_changed names the version change, the migration steps
run, and the mod goes on working on the migrated state. Every test runs on each Factorio version (conftest.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from factoryverse.engine.engine import Engine
from factoryverse.servers.mod_packages import package_mods

from .test_mods_on_engine import _call, _completion, _nearest_tile
from .test_snapshot_power import build_network
from .test_snapshot_records import _jsonl, _sc
from .test_snapshot_runs import _bootstrap
from .test_snapshot_watch import _chests, _run_until_changed

ROOT = Path(__file__).resolve().parents[2]


def _older_mods(tmp_path: Path, factorio: str, mod: str, version: str) -> Path:
    """The mods folder of a game that ran `mod` at `version`: its info.json and meta.lua say so."""
    source = tmp_path / "older-source"
    shutil.copytree(ROOT / "mods", source)
    info = source / mod / "info.json"
    data = json.loads(info.read_text(encoding="utf-8"))
    current, data["version"] = data["version"], version
    info.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    meta = source / mod / "scripts" / "meta.lua"
    meta.write_text(meta.read_text(encoding="utf-8").replace(f'"{current}"', f'"{version}"'), encoding="utf-8")
    dest = tmp_path / "older-mods"
    package_mods(dest, factorio, unpacked=True, source=source)
    return dest


def _in_mod(engine: Engine, mod_name: str, code: str) -> None:
    """Run Lua in the mod's own state, where its `storage` is (the console's /sc sees the level's)."""
    mod = next(m for m in engine.mods if m.name == mod_name)
    engine._run_handler(mod, "test", mod.state.lua.eval(f"function() {code} end"))
    assert not engine.mod_errors, engine.mod_errors


def _storage_versions(engine: Engine, mod_name: str) -> tuple[int, str]:
    mod = next(m for m in engine.mods if m.name == mod_name)
    storage = mod.state.globals().storage
    return storage.schema_version, storage.mod_version


def _reload(engine: Engine, tmp_path: Path, packaged_mods: dict) -> Engine:
    path = engine.save(tmp_path / "saves", "older")
    engine.close()
    return Engine.load(path, script_output=tmp_path / "loaded", mods_dir=packaged_mods[engine.factorio.name])


def test_a_snapshot_save_of_storage_schema_4_gets_power_deltas_after_loading(engine, tmp_path, packaged_mods):
    """fv_snapshot 0.3.1 (storage schema 4) tracked no poles; step 5 (0.3.2) finds them in the watch list and takes
    the networks as they are at the load as the baseline, so power_changed deltas follow from the load on."""
    factorio = engine.factorio.name
    engine.close()
    older = Engine(seed=1, script_output=tmp_path / "older", factorio_version=factorio,
                   mods_dir=_older_mods(tmp_path, factorio, "fv_snapshot", "0.3.1"))
    try:
        _call(older, "map", "set_snapshot_config", "{run_id = 'run-m'}")
        _bootstrap(older)
        build_network(older)
        _sc(older, "storage.load.power_usage = 500")
        older.step()
        seq = _call(older, "map", "get_snapshot_status")["seq"]
        _in_mod(older, "fv_snapshot", "storage.snapshot.power = nil storage.schema_version = 4 "
                                      "storage.mod_version = '0.3.1'")
        assert _call(older, "map", "version")["mod_version"] == "0.3.1"
        loaded = _reload(older, tmp_path, packaged_mods)
    finally:
        older.close()
    try:
        assert _storage_versions(loaded, "fv_snapshot") == (6, "0.3.3")
        assert _call(loaded, "map", "version")["mod_version"] == "0.3.3"
        loaded.run_ticks(120)
        log = _jsonl(tmp_path / "loaded" / "fv_snapshot" / "nauvis" / "updates.jsonl")
        power = [r for r in log if r["type"] == "power_changed"]
        assert power and power[0]["seq"] == seq + 1, log
        assert power[0]["networks"][0]["poles"] == 1
        assert power[0]["networks"][0]["consumption"]["electric-energy-interface"] > 0
        assert [r["seq"] for r in log] == list(range(seq + 1, seq + 1 + len(log)))
        assert loaded.mod_errors == []
    finally:
        loaded.close()


def test_an_agent_save_of_storage_schema_1_goes_on_mining_after_loading(engine, tmp_path, packaged_mods, udp):
    """fv_embodied_agent 0.1.0 (storage schema 1) counted hand mining itself, keeping the ore entity as
    `mining.resource`; 0.2.0's step 2 hands the action to the character's own mining, and it completes."""
    factorio = engine.factorio.name
    tx, ty = _nearest_tile(engine, "iron-ore", 0, 0)
    engine.close()
    older = Engine(seed=1, script_output=tmp_path / "older", factorio_version=factorio,
                   mods_dir=_older_mods(tmp_path, factorio, "fv_embodied_agent", "0.1.0"))
    try:
        agent = _call(older, "agent", "create_agent", str(udp.getsockname()[1]),
                      f"{{position = {{x = {tx + 0.5}, y = {ty + 1.5}}}}}")
        started = _call(older, agent["interface_name"], "mine_resource", "'iron-ore'", "3")
        older.step()
        # The schema-1 layout: no `target`, the ore entity as `resource`, the character not mining by itself.
        _in_mod(older, "fv_embodied_agent", """
local agent = storage.agents[1]
local m = agent.mining
agent.mining = {action_id = m.action_id, resource = m.target, item = m.item, products = m.products,
  target_count = m.target_count, count = 0}
agent.own_force = nil
agent.character.mining_state = {mining = false}
agent.character.selected = nil
storage.schema_version = 1 storage.mod_version = '0.1.0'
""")
        loaded = _reload(older, tmp_path, packaged_mods)
    finally:
        older.close()
    try:
        assert _storage_versions(loaded, "fv_embodied_agent") == (2, "0.3.0")
        done = _completion(loaded, udp, max_ticks=2000)
        assert done["action_id"] == started["action_id"] and done["success"] is True, done
        assert done["result"] == {"item": "iron-ore", "count": 3}
        assert _call(loaded, agent["interface_name"], "get_inventory_items")["iron-ore"] >= 3
        assert loaded.mod_errors == []
    finally:
        loaded.close()


def test_a_snapshot_save_with_a_stuck_sampler_of_storage_schema_5_samples_again_after_loading(
        engine, tmp_path, packaged_mods):
    """fv_snapshot 0.3.2 (storage schema 5) could leave its sampler stuck: removing a watched entity read the unit
    number of a gone one swapped into its slot, failed half-way, and left that slot out of the index. Step 6
    (0.3.3) rebuilds the watch list from the entities still there, so the sampler sends changes again."""
    factorio = engine.factorio.name
    engine.close()
    older = Engine(seed=1, script_output=tmp_path / "older", factorio_version=factorio,
                   mods_dir=_older_mods(tmp_path, factorio, "fv_snapshot", "0.3.2"))
    try:
        _call(older, "map", "set_snapshot_config", "{run_id = 'run-s'}")
        _bootstrap(older)
        mined, filled, silent = _chests(older, [3.5, 5.5, 7.5])
        _sc(older, "storage.chests[3].destroy() storage.chests[1].destroy()")
        # What 0.3.2 kept after the failed removal of the first chest: the gone last chest moved into its slot, the
        # list one shorter, the index still naming the old last slot; no units or places.
        _in_mod(older, "fv_snapshot", f"""
local w = storage.snapshot.watch
local at, last = w.index[{mined}], #w.list
assert(w.index[{silent}] == last)
w.list[at], w.list[last] = w.list[last], nil
w.index[{mined}], w.prints[{mined}] = nil, nil
w.units, w.places = nil, nil
storage.schema_version = 5 storage.mod_version = '0.3.2'
""")
        loaded = _reload(older, tmp_path, packaged_mods)
    finally:
        older.close()
    try:
        assert _storage_versions(loaded, "fv_snapshot") == (6, "0.3.3")
        _sc(loaded, "storage.chests[2].insert{name = 'iron-plate', count = 4}")
        log = _run_until_changed(loaded, tmp_path / "loaded", filled)
        changed = [r for r in log if r["type"] == "entity_changed"]
        assert changed[-1]["entity"]["inventories"]["chest"] == {"iron-plate": 4}
        assert loaded.mod_errors == []
    finally:
        loaded.close()
