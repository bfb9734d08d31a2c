"""The world at start: a seeded map (same seed, same world), a starting area with every basic resource, water,
trees and rocks, and the starting chunks generated and charted for the player force."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.world.mapgen import ROCKS, TREES, WATER_TILES

_STARTING_CHUNKS = 2  # chunks -2..1 on each axis: 128 x 128 tiles, enough to hold the starting patches


def _world_hash(engine: Engine) -> str:
    surface = engine.world.surfaces["nauvis"]
    h = hashlib.sha256()
    for key in sorted(surface.chunks):
        chunk = surface.chunks[key]
        h.update(repr(key).encode())
        h.update("\n".join(chunk.tiles).encode())
        for e in chunk.entities:
            h.update(f"{e.name}@{e.x:.6f},{e.y:.6f}:{e.amount}".encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def world_seed_1() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=_STARTING_CHUNKS)


def test_same_seed_gives_the_same_world(world_seed_1):
    again = Engine(seed=1, mods=[], starting_chunks=_STARTING_CHUNKS)
    assert _world_hash(again) == _world_hash(world_seed_1)


def test_same_seed_gives_the_same_world_in_another_process(world_seed_1):
    # Another interpreter with another string-hash seed: nothing may depend on set or dict hashing order.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from tests.engine.world.test_world import _world_hash, _STARTING_CHUNKS; "
        "from factoryverse.engine.engine import Engine; "
        "print(_world_hash(Engine(seed=1, mods=[], starting_chunks=_STARTING_CHUNKS)))"
    )
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(root)], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == _world_hash(world_seed_1)


def test_different_seed_gives_a_different_world(world_seed_1):
    other = Engine(seed=2, mods=[], starting_chunks=_STARTING_CHUNKS)
    assert _world_hash(other) != _world_hash(world_seed_1)


def test_starting_chunks_are_generated(world_seed_1):
    surface = world_seed_1.world.surfaces["nauvis"]
    r = _STARTING_CHUNKS
    assert set(surface.chunks) == {(cx, cy) for cx in range(-r, r) for cy in range(-r, r)}


@pytest.mark.parametrize("resource", ["iron-ore", "copper-ore", "coal", "stone"])
def test_starting_area_has_each_basic_resource(world_seed_1, resource):
    reply = world_seed_1.execute_command(
        "/sc local found = game.surfaces.nauvis.find_entities_filtered{"
        f"area = {{{{-64, -64}}, {{64, 64}}}}, type = 'resource', name = '{resource}'}} "
        "local total, low = 0, math.huge "
        "for _, e in pairs(found) do total = total + e.amount; low = math.min(low, e.amount) end "
        "rcon.print(#found .. ' ' .. total .. ' ' .. low)"
    )
    count, total, lowest = (int(v) for v in reply.split())
    assert count >= 20, f"only {count} {resource} tiles near spawn"
    assert lowest > 0 and total > 0


def test_starting_area_has_water_trees_and_rocks(world_seed_1):
    surface = world_seed_1.world.surfaces["nauvis"]
    tiles = {t for chunk in surface.chunks.values() for t in chunk.tiles}
    assert tiles & set(WATER_TILES)
    names = {e.name for e in surface.all_entities()}
    assert names & set(TREES)
    assert names & set(ROCKS)


def test_trees_and_rocks_have_their_prototype_types(world_seed_1):
    reply = world_seed_1.execute_command(
        "/sc local s = game.surfaces.nauvis "
        "rcon.print(s.count_entities_filtered{type = 'tree'} .. ' ' .. s.count_entities_filtered{type = 'simple-entity'})"
    )
    trees, rocks = (int(v) for v in reply.split())
    assert trees > 0 and rocks > 0


def test_spawn_is_dry_land(world_seed_1):
    reply = world_seed_1.execute_command("/sc rcon.print(game.surfaces.nauvis.get_tile(0, 0).name)")
    assert reply not in WATER_TILES


def test_starting_chunks_are_generated_and_charted_by_nobody(world_seed_1):
    """As on a headless server: no player is there to chart the start area (tests/engine/mechanics/test_charting.py)."""
    reply = world_seed_1.execute_command(
        "/sc local f, s = game.forces.player, game.surfaces.nauvis "
        "rcon.print(tostring(f.is_chunk_charted(s, {0, 0})) .. ' ' .. tostring(f.is_chunk_charted(s, {-2, 1})) "
        ".. ' ' .. tostring(f.is_chunk_charted(s, {5, 5})) .. ' ' .. tostring(game.forces.enemy.is_chunk_charted(s, {0, 0})) "
        ".. ' ' .. tostring(s.is_chunk_generated({1, 1})) .. ' ' .. tostring(s.is_chunk_generated({9, 9})))"
    )
    assert reply == "false false false false true false"


def test_chunks_generate_on_request_and_raise_on_chunk_generated():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    engine.run_ticks(1)  # the starting chunks' own events
    engine.execute_command(
        "/sc storage.generated = {} "
        "script.on_event(defines.events.on_chunk_generated, function(e) "
        "storage.generated[#storage.generated + 1] = e.position.x .. ',' .. e.position.y .. ':' .. e.area.left_top.x end) "
        "game.surfaces.nauvis.request_to_generate_chunks({100, 100}, 0)"
    )
    # Only a request, as in the game: the chunk appears during the next tick, its event on the one after.
    assert engine.execute_command("/sc rcon.print(game.surfaces.nauvis.is_chunk_generated({3, 3}))") == "false"
    engine.run_ticks(1)
    assert engine.execute_command("/sc rcon.print(game.surfaces.nauvis.is_chunk_generated({3, 3}))") == "true"
    engine.run_ticks(1)
    assert engine.execute_command("/sc rcon.print(table.concat(storage.generated, ' '))") == "3,3:96"


def test_chart_charts_new_chunks_and_raises_on_chunk_charted():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    engine.execute_command(
        "/sc storage.charted = {} "
        "script.on_event(defines.events.on_chunk_charted, function(e) "
        "storage.charted[#storage.charted + 1] = e.position.x .. ',' .. e.position.y .. ' ' .. e.force.name end) "
        "game.forces.player.chart(game.surfaces.nauvis, {{64, 0}, {96, 32}})"
    )
    engine.run_ticks(2)  # charted during the next tick, its event raised on the one after
    charted = engine.execute_command("/sc rcon.print(table.concat(storage.charted, ';'))")
    assert charted == "2,0 player"
    assert engine.execute_command(
        "/sc rcon.print(game.forces.player.is_chunk_charted(game.surfaces.nauvis, {2, 0}))"
    ) == "true"


def test_forces_exist_and_new_ones_can_be_created():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command(
        "/sc local f = game.create_force('agents') "
        "rcon.print(f.name .. ' ' .. f.index .. ' ' .. tostring(game.forces.agents == f) .. ' ' .. table_size(game.forces))"
    )
    assert reply == "agents 4 true 4"
    assert 'Force with name "agents" already exists.' in engine.execute_command("/sc game.create_force('agents')")


def test_world_create_force_rejects_duplicates():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    with pytest.raises(ScriptError, match="already exists"):
        engine.world.create_force("player")


def test_destroying_an_entity_invalidates_its_burner():
    """Regression: world.destroy_entity invalidated the entity and its inventories but not its LuaBurner, which kept
    answering valid = true and reading a dead drill's fuel."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command(
        "/sc local d = game.surfaces.nauvis.create_entity{name = 'burner-mining-drill', position = {40, 40}, "
        "force = 'player'} storage.b = d.burner rcon.print(tostring(storage.b.valid)) d.destroy()"
    )
    assert reply == "true"
    reply = engine.execute_command(
        "/sc local ok, err = pcall(function() return storage.b.inventory end) "
        "rcon.print(tostring(storage.b.valid) .. ' ' .. err)"
    )
    assert reply.startswith("false ")
    assert reply.endswith("LuaBurner API call when LuaBurner was invalid.")


def test_force_indices_stay_unique_after_a_merge():
    """Regression: a new force took index len(forces) + 1, so after a merge it shared its index with a live force
    and game.forces[i] found the wrong one."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command(
        "/sc local a, b = game.create_force('a'), game.create_force('b') "
        "game.merge_forces('a', 'player') local c = game.create_force('c') "
        "local seen, unique = {}, true "
        "for _, f in pairs(game.forces) do unique = unique and not seen[f.index] seen[f.index] = true end "
        "rcon.print(b.index .. ' ' .. c.index .. ' ' .. tostring(unique) .. ' ' .. game.forces[b.index].name .. ' ' "
        ".. game.forces[c.index].name)"
    )
    assert reply == "5 4 true b c"


def test_create_and_merge_forces_raise_the_games_events():
    """Regression: create_force and merge_forces raised none of on_force_created, on_forces_merging and
    on_forces_merged, so mods tracking forces never heard of them."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    engine.execute_command(
        "/sc storage.log = {} local function note(t) storage.log[#storage.log + 1] = t end "
        "script.on_event(defines.events.on_force_created, function(e) note('created ' .. e.force.name) end) "
        "script.on_event(defines.events.on_forces_merging, function(e) "
        "note('merging ' .. e.source.name .. '>' .. e.destination.name .. ' ' .. tostring(e.source.valid) "
        ".. ' ' .. e.source.index) end) "
        "script.on_event(defines.events.on_forces_merged, function(e) "
        "note('merged ' .. e.source_name .. '#' .. e.source_index .. '>' .. e.destination.name "
        ".. ' ' .. tostring(game.forces[e.source_name] == nil)) end)"
    )
    reply = engine.execute_command(
        "/sc local f = game.create_force('team') "
        "local chest = game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {30.5, 30.5}, force = f} "
        "game.merge_forces(f, 'player') "
        "rcon.print(table.concat(storage.log, ';') .. ';' .. chest.force.name .. ' ' .. tostring(f.valid))"
    )
    assert reply == "created team;merging team>player true 4;merged team#4>player true;player false"
    assert engine.mod_errors == []
