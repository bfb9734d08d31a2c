"""fv_snapshot's complete records (issue 10, point 6) and its deltas (point 7), on the engine.

Entity records carry their components (recipe, status, inventories, fuel, crafting progress, belt neighbours,
inserter and drill targets, pole wires and supply area, fluids, electric network id); power networks and research
are exported when the bootstrap completes; every change is a delta in the log and over UDP with a gap-free seq,
each record valid under wire.schema.json. Every test runs on each Factorio version (conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.schemas import validate_wire_record

from .test_mods_on_engine import _call
from .test_snapshot_runs import _bootstrap

# Sampling reads 16 watched entities every 5 ticks (scripts/watch.lua); these tests watch fewer than 16, so the
# samples of 21 ticks always see a change.
_SAMPLE_TICKS = 21

# A small factory near the spawn, cleared first so the map's own trees and rocks do not collide with it.
_FACTORY = """
local s = game.surfaces[1]
for _, e in pairs(s.find_entities_filtered{area = {{-16, -16}, {16, 16}}}) do
  if e.type ~= 'character' then e.destroy() end
end
local function mk(name, x, y, direction)
  local e = s.create_entity{name = name, position = {x, y}, force = 'player', direction = direction, raise_built = true}
  assert(e, name)
  return e
end
local chest = mk('wooden-chest', 0.5, 0.5)
chest.insert{name = 'iron-ore', count = 10}
mk('burner-inserter', 1.5, 0.5, defines.direction.west)
local furnace = mk('stone-furnace', 3, 1)
furnace.insert{name = 'coal', count = 5}
mk('transport-belt', 0.5, 5.5, defines.direction.east)
mk('transport-belt', 1.5, 5.5, defines.direction.east)
mk('transport-belt', 2.5, 5.5, defines.direction.east)
mk('small-electric-pole', 0.5, 8.5)
mk('small-electric-pole', 5.5, 8.5)
mk('assembling-machine-1', 9.5, 9.5).set_recipe('iron-gear-wheel')
local drill = mk('burner-mining-drill', -10, -10)
local drop = drill.drop_position
mk('wooden-chest', math.floor(drop.x) + 0.5, math.floor(drop.y) + 0.5)
mk('storage-tank', -10.5, 8.5).insert_fluid{name = 'water', amount = 100}
"""


def _sc(engine: Engine, lua: str) -> str:
    reply = engine.execute_command("/sc " + lua.replace("\n", " "))
    assert not reply.startswith("Cannot execute"), reply
    return reply


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _log(tmp_path: Path) -> list[dict]:
    return _jsonl(tmp_path / "fv_snapshot" / "nauvis" / "updates.jsonl")


def _init_entities(tmp_path: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for path in (tmp_path / "fv_snapshot" / "nauvis" / "chunks").rglob("entities-init.jsonl"):
        for rec in _jsonl(path):
            if rec["type"] == "entity":
                out.setdefault(rec["name"], []).append(rec)
    return out


def _latest(log: list[dict], name: str) -> list[dict]:
    """The newest record of each entity called `name`, from the built and changed deltas of the log."""
    last: dict[int, dict] = {}
    for rec in log:
        if rec["type"] in ("entity_built", "entity_changed") and rec["entity"]["name"] == name:
            last[rec["entity"]["unit_number"]] = rec["entity"]
    return [last[k] for k in sorted(last)]


def _check_log(log: list[dict]) -> None:
    """Gap-free seq from 1, every record valid under the Python side of the schema."""
    assert [r["seq"] for r in log] == list(range(1, len(log) + 1))
    for rec in log:
        validate_wire_record(rec, "snapshot_delta")


@pytest.fixture
def factory_in_snapshot(engine, tmp_path):
    """The factory built before the run: the bootstrap writes it with its components."""
    _sc(engine, _FACTORY)
    engine.run_ticks(_SAMPLE_TICKS)  # the inserter moves ore, the drill finds its chest: state worth recording
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-r'}")
    _bootstrap(engine)
    return _init_entities(tmp_path)


def test_bootstrap_records_carry_each_component(engine, tmp_path, factory_in_snapshot):
    ents = factory_in_snapshot
    for records in ents.values():
        for rec in records:
            validate_wire_record(rec, "snapshot_file")
    chests = {c["unit_number"]: c for c in ents["wooden-chest"]}
    (furnace,) = ents["stone-furnace"]
    (inserter,) = ents["burner-inserter"]
    # The inserter's hand: positions and targets as the game gives them (pickup from the chest, drop in the furnace).
    ins = inserter["inserter"]
    assert ins["pickup_position"] == [0.5, 0.5] and ins["pickup_target"] in chests
    assert ins["drop_target"] == furnace["unit_number"]
    assert inserter["fuel"]["remaining"] >= 0
    # The furnace: fuel inventory from the script's insert, ore the inserter brought, a status name, progress.
    assert furnace["inventories"]["fuel"].get("coal", 0) + (1 if furnace["fuel"].get("burning") else 0) >= 4
    assert set(furnace["inventories"]) >= {"fuel", "crafter_input", "crafter_output"}
    assert isinstance(furnace["status"], str) and 0 <= furnace["crafting_progress"] <= 1
    (assembler,) = ents["assembling-machine-1"]
    assert assembler["recipe"] == "iron-gear-wheel" and "crafter_input" in assembler["inventories"]
    # Belts: each one's input and output neighbours by unit number.
    belts = sorted(ents["transport-belt"], key=lambda b: b["x"])
    ids = [b["unit_number"] for b in belts]
    assert belts[0]["belt"] == {"outputs": [ids[1]]}
    assert belts[1]["belt"] == {"inputs": [ids[0]], "outputs": [ids[2]]}
    assert belts[2]["belt"] == {"inputs": [ids[1]]}
    # Poles: the wire between them, supply areas of small-electric-pole.supply_area_distance (2.5) round each.
    poles = sorted(ents["small-electric-pole"], key=lambda p: p["x"])
    assert poles[0]["pole"] == {"wires": [poles[1]["unit_number"]], "supply_area": [-2, 6, 3, 11]}
    assert poles[1]["pole"]["wires"] == [poles[0]["unit_number"]]
    assert poles[0]["electric_network_id"] == poles[1]["electric_network_id"]
    # The drill: its mining area (burner-mining-drill.resource_searching_radius 0.99) and the chest it drops into.
    (drill,) = ents["burner-mining-drill"]
    assert drill["drill"]["mining_area"] == [-10.99, -10.99, -9.01, -9.01]
    assert drill["drill"]["drop_target"] in chests
    (tank,) = ents["storage-tank"]
    assert tank["fluids"] == [{"index": 1, "name": "water", "amount": 100, "temperature": 15}]
    # A chest has an inventory and nothing else.
    chest = next(c for c in chests.values() if c["inventories"]["chest"])
    assert not {"status", "recipe", "fuel", "inserter", "belt", "pole", "drill", "fluids"} & chest.keys()


_UNDERGROUND = """
local s = game.surfaces[1]
for _, e in pairs(s.find_entities_filtered{area = {{-2, 10}, {12, 16}}}) do
  if e.type ~= 'character' then e.destroy() end
end
local east = defines.direction.east
local function mk(name, x, kind)
  assert(s.create_entity{name = name, position = {x, 12.5}, force = 'player', direction = east, type = kind,
    raise_built = true}, name)
end
mk('transport-belt', 0.5)
mk('underground-belt', 1.5, 'input')
mk('underground-belt', 5.5, 'output')
mk('transport-belt', 6.5)
mk('underground-belt', 9.5, 'input')
"""


def test_underground_belts_carry_their_pair(engine, tmp_path):
    """Regression: belt_neighbours leaves an underground's other end out, so belt lines stopped at undergrounds.

    The record names the other end (`underground_pair`) and its type, as the game pairs them: an entrance with the
    first exit of its name ahead, within underground-belt.max_distance (5) tiles.
    """
    assert engine.prototypes.raw["underground-belt"]["underground-belt"]["max_distance"] >= 4
    _sc(engine, _UNDERGROUND)
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-u'}")
    _bootstrap(engine)
    ents = _init_entities(tmp_path)
    for rec in ents["underground-belt"]:
        validate_wire_record(rec, "snapshot_file")
    by_x = {r["x"]: r for r in ents["underground-belt"] + ents["transport-belt"] if r["y"] == 12.5}
    entrance, exit_, lone = by_x[1.5], by_x[5.5], by_x[9.5]
    assert entrance["belt"]["underground_type"] == "input" and exit_["belt"]["underground_type"] == "output"
    assert entrance["belt"]["underground_pair"] == exit_["unit_number"]
    assert exit_["belt"]["underground_pair"] == entrance["unit_number"]
    # The line continues through the pair: belt -> entrance ... exit -> belt.
    assert entrance["belt"]["inputs"] == [by_x[0.5]["unit_number"]]
    assert exit_["belt"]["outputs"] == [by_x[6.5]["unit_number"]]
    # An entrance with no exit ahead has no pair; a plain belt has no underground fields.
    assert lone["belt"]["underground_type"] == "input" and "underground_pair" not in lone["belt"]
    assert not {"underground_type", "underground_pair"} & by_x[0.5]["belt"].keys()


def test_power_research_and_whose_map_are_exported(engine, tmp_path, factory_in_snapshot):
    root = tmp_path / "fv_snapshot"
    (network,) = _jsonl(root / "nauvis" / "power.jsonl")
    pole = factory_in_snapshot["small-electric-pole"][0]
    assert network["network_id"] == pole["electric_network_id"] and network["poles"] == 2
    assert isinstance(network["production"], dict) and isinstance(network["consumption"], dict)
    research = {r["force"]: r for r in _jsonl(root / "research.jsonl")}
    assert "player" in research and 0 <= research["player"]["progress"] <= 1
    complete = _jsonl(root / "status.jsonl")[-1]
    assert complete["phase"] == "complete" and complete["charted_by"] == ["player"]
    for rec in [network, *research.values(), complete]:
        validate_wire_record(rec, "snapshot_file")


def test_the_map_shown_is_the_agents_forces_charts(engine, tmp_path):
    """An agent with its own force charts round itself; the snapshot names that force and covers its chunks."""
    agent = _call(engine, "agent", "create_agent", "1")
    engine.run_ticks(30)
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-f'}")
    status = _bootstrap(engine)
    complete = _jsonl(tmp_path / "fv_snapshot" / "status.jsonl")[-1]
    force = _sc(engine, f"rcon.print(game.forces[{agent['force_index']}].name)") if "force_index" in agent else None
    forces = complete["charted_by"]
    assert "player" in forces and "enemy" not in forces and "neutral" not in forces
    if force:
        assert force in forces
    assert status["chunks"] > 0


def test_every_change_is_a_gap_free_delta_on_disk_and_udp(engine, tmp_path, udp):
    _call(engine, "map", "set_snapshot_config", f"{{run_id = 'run-d', udp_port = {udp.getsockname()[1]}}}")
    _bootstrap(engine)
    _sc(engine, _FACTORY)
    engine.run_ticks(_SAMPLE_TICKS)
    log = _log(tmp_path)
    built = [r for r in log if r["type"] == "entity_built"]
    assert {r["event"] for r in built} == {"script_raised_built"}
    assert len(built) == 12  # everything _FACTORY made
    # The changes the sampler found: items the script put in after building, the drill's target chest.
    changed = [r for r in log if r["type"] == "entity_changed"]
    assert {r["cause"] for r in changed} == {"sampled"}
    tank = _latest(log, "storage-tank")[0]
    assert tank["fluids"][0]["name"] == "water"
    assert _latest(log, "burner-mining-drill")[0]["drill"].get("drop_target") is not None
    _check_log(log)
    datagrams = []
    while True:
        try:
            datagrams.append(json.loads(udp.recv(65536)))
        except BlockingIOError:
            break
    assert datagrams == log  # the same records, in the same order, over UDP


def test_rotate_recipe_filter_and_inventory_changes_are_sampled(engine, tmp_path, factory_in_snapshot):
    start = len(_log(tmp_path))
    _sc(engine, """
local s = game.surfaces[1]
local belt = s.find_entities_filtered{name = 'transport-belt', position = {2.5, 5.5}}[1]
belt.rotate()
game.forces.player.recipes['copper-cable'].enabled = true
s.find_entities_filtered{name = 'assembling-machine-1'}[1].set_recipe('copper-cable')
local chest = s.find_entities_filtered{name = 'wooden-chest', position = {0.5, 0.5}}[1]
chest.insert{name = 'copper-plate', count = 7}
""")
    engine.run_ticks(_SAMPLE_TICKS)
    log = _log(tmp_path)
    new = log[start:]
    assert new and all(r["type"] == "entity_changed" and r["cause"] == "sampled" for r in new)
    assert _latest(new, "assembling-machine-1")[0]["recipe"] == "copper-cable"
    rotated = next(b for b in _latest(new, "transport-belt") if b["x"] == 2.5)
    assert rotated["direction"] != 4
    chest = next(c for c in _latest(new, "wooden-chest") if c["x"] == 0.5)
    assert chest["inventories"]["chest"].get("copper-plate") == 7
    _check_log(log)
    # Nothing changed since: the next samples send nothing for them.
    # (Not the chest: the inserter keeps taking its ore.)
    quiet_units = {_latest(new, "assembling-machine-1")[0]["unit_number"], rotated["unit_number"]}
    engine.run_ticks(_SAMPLE_TICKS)
    assert not [r for r in _log(tmp_path)[len(log):] if r["entity"]["unit_number"] in quiet_units]


def test_status_changes_are_sampled(engine, tmp_path, factory_in_snapshot):
    before = {r["unit_number"]: r for r in factory_in_snapshot["stone-furnace"]}
    (unit,) = before
    # Nothing left to smelt: the chest the inserter takes from and the furnace's source are emptied.
    _sc(engine, "local s = game.surfaces[1] local f = s.find_entities_filtered{name = 'stone-furnace'}[1] "
                "f.get_inventory(defines.inventory.fuel).clear() f.get_inventory(defines.inventory.crafter_input).clear() "
                "for _, c in pairs(s.find_entities_filtered{name = 'wooden-chest'}) do c.get_inventory(defines.inventory.chest).clear() end")
    engine.run_ticks(600)  # the plate in progress finishes
    furnace = _latest(_log(tmp_path), "stone-furnace")
    assert furnace and furnace[-1]["unit_number"] == unit
    assert before[unit]["status"] == "working", before
    assert furnace[-1]["status"] == "no_ingredients" and furnace[-1]["inventories"]["fuel"] == {}


def test_revive_build_mine_and_destroy_are_deltas(engine, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-v'}")
    _bootstrap(engine)
    _sc(engine, """
local s = game.surfaces[1]
for _, e in pairs(s.find_entities_filtered{area = {{-6, -6}, {6, 6}}}) do
  if e.type ~= 'character' then e.destroy() end
end
local ghost = s.create_entity{name = 'entity-ghost', inner_name = 'wooden-chest', position = {2.5, 2.5}, force = 'player'}
ghost.revive{raise_revive = true}
local tree = s.create_entity{name = 'tree-01', position = {4.5, 4.5}}
""")
    log = _log(tmp_path)
    assert [(r["type"], r["event"]) for r in log] == [("entity_built", "script_raised_revive")]
    chest = log[0]["entity"]
    assert chest["name"] == "wooden-chest" and chest["inventories"] == {"chest": {}}
    _sc(engine, """
local s = game.surfaces[1]
s.find_entities_filtered{name = 'wooden-chest', position = {2.5, 2.5}}[1].destroy{raise_destroy = true}
s.find_entities_filtered{name = 'tree-01', position = {4.5, 4.5}}[1].destroy{raise_destroy = true}
""")
    log = _log(tmp_path)
    assert [r["type"] for r in log] == ["entity_built", "entity_removed", "resource_entity_removed"]
    assert log[1]["unit_number"] == chest["unit_number"]
    assert (log[2]["name"], log[2]["x"], log[2]["y"]) == ("tree-01", 4.5, 4.5)
    _check_log(log)
    # The removed chest is no longer watched: sampling sends nothing for it.
    engine.run_ticks(_SAMPLE_TICKS)
    assert len(_log(tmp_path)) == 3


def test_research_events_are_deltas(engine, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-q'}")
    _bootstrap(engine)
    # automation's prerequisite is a trigger technology (crafting), so it is marked researched first.
    _sc(engine, "game.forces.player.technologies['automation-science-pack'].researched = true")
    engine.run_ticks(2)
    start = len(_log(tmp_path))
    _sc(engine, "assert(game.forces.player.add_research('automation'))")
    engine.run_ticks(2)
    _sc(engine, "game.forces.player.technologies['automation'].researched = true")
    engine.run_ticks(2)
    log = _log(tmp_path)
    research = [r for r in log[start:] if r["type"] == "research_changed"]
    assert research, log
    assert research[0]["event"] == "on_research_started" and research[0]["technology"] == "automation"
    assert research[0]["research"]["current"] == "automation"
    finished = [r for r in research if r["event"] == "on_research_finished"]
    assert finished and "automation" in finished[-1]["research"]["researched"]
    _check_log(log)


def test_newly_charted_chunks_are_deltas_after_their_files(engine, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-c'}")
    _bootstrap(engine)
    _sc(engine, "game.forces.player.chart(game.surfaces[1], {{320, 320}, {330, 330}})")
    engine.run_ticks(30)
    charted = [r for r in _log(tmp_path) if r["type"] == "chunk_charted"]
    assert (charted[0]["cx"], charted[0]["cy"]) == (10, 10)
    assert (tmp_path / "fv_snapshot" / "nauvis" / "chunks" / "10" / "10" / "chunk-init.jsonl").exists()
    _check_log(_log(tmp_path))


def _in_mod(engine: Engine, code: str) -> None:
    """Run Lua inside fv_snapshot's own state, with its `records` and `writer` modules in reach, as its handlers run
    (the console has no mod context, and require works only while control.lua loads)."""
    mod = next(m for m in engine.mods if m.name == "fv_snapshot")
    modules = {Path(key).stem: value for key, value in mod.state.requirer.loaded.items()
               if Path(key).parent.name == "scripts"}
    fn = mod.state.lua.eval(f"function(records, writer) {code} end")
    engine._run_handler(mod, "test", fn, modules["records"], modules["writer"])
    assert not engine.mod_errors, engine.mod_errors


def test_a_record_the_schema_refuses_is_dropped_without_using_a_seq(engine, tmp_path):
    """A bug making a bad record (here an inventory as an array) is caught by the Lua side of the schema: the record
    is logged and sent nowhere, and the next good delta gets the next seq, so the log has no gap."""
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-b'}")
    _bootstrap(engine)
    _in_mod(engine, """
local chest = game.surfaces[1].create_entity{name = 'wooden-chest', position = {30.5, 30.5}, force = 'player'}
local bad = records.entity_built('script_raised_built', chest)
bad.entity.inventories = {{'iron-plate', 3}}
assert(writer.emit_delta('nauvis', bad) == false)
assert(writer.emit_delta('nauvis', records.entity_built('script_raised_built', chest)) == true)
""")
    log = _log(tmp_path)
    assert [r["seq"] for r in log] == [1] and "inventories" in log[0]["entity"]
    assert _call(engine, "map", "get_snapshot_status")["seq"] == 1
    with pytest.raises(ValueError, match="inventories"):
        validate_wire_record({**log[0], "entity": {**log[0]["entity"], "inventories": [["iron-plate", 3]]}})


def test_an_older_save_migrates_to_storage_schema_3(engine, tmp_path):
    """A storage-schema-2 save (no watch list, schema-2 files) ends its run and snapshots afresh with a new run id."""
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-old'}")
    _bootstrap(engine)
    _in_mod(engine, "storage.schema_version = 2 storage.snapshot.watch = nil storage.snapshot.charted_by = nil")
    mod = next(m for m in engine.mods if m.name == "fv_snapshot")
    data = {"mod_changes": {"fv_snapshot": {"old_version": "0.2.0", "new_version": "0.3.0"}}}
    engine._run_handler(mod, "on_configuration_changed", mod.on_configuration_changed, mod.state.to_lua(data))
    assert not engine.mod_errors, engine.mod_errors
    status = _call(engine, "map", "get_snapshot_status")
    assert status["phase"] == "waiting" and "run_id" not in status
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-old'}")
    _bootstrap(engine)
    _sc(engine, "game.surfaces[1].create_entity{name = 'wooden-chest', position = {30.5, 30.5}, force = 'player', "
                "raise_built = true}")
    assert [r["seq"] for r in _log(tmp_path)] == [1]
    assert {r["schema_version"] for r in _log(tmp_path)} == {3}


def test_a_ghost_record_names_what_it_will_become(engine, tmp_path):
    """An entity-ghost's record carries ghost_name and ghost_type (LuaEntity.ghost_name/ghost_type), in the bootstrap's
    files and in its built delta."""
    ghost = ("game.surfaces[1].create_entity{{name = 'entity-ghost', inner_name = 'assembling-machine-1', "
             "position = {{{x}, 12.5}}, force = 'player', raise_built = true}}")
    _sc(engine, ghost.format(x=-12.5))
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-g'}")
    _bootstrap(engine)
    (written,) = _init_entities(tmp_path)["entity-ghost"]
    assert (written["ghost_name"], written["ghost_type"]) == ("assembling-machine-1", "assembling-machine")
    _sc(engine, ghost.format(x=-18.5))
    (built,) = [r["entity"] for r in _log(tmp_path) if r["type"] == "entity_built"]
    assert (built["name"], built["ghost_name"], built["ghost_type"]) == ("entity-ghost", "assembling-machine-1",
                                                                         "assembling-machine")
    _check_log(_log(tmp_path))
    validate_wire_record(written, "snapshot_file")
