"""The state hash: the same game hashes alike in any process (PYTHONHASHSEED, Lua table order, engine object ids
aside), and any change to the game's state changes it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import StateHashError, state_hash, state_sections

REPO = Path(__file__).resolve().parents[2]
# Two processes of about 5 s each on an idle core; generous for a loaded CI machine.
RUN_TIMEOUT_S = 300


def sc(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + code)
    assert not reply.startswith("Cannot execute command"), reply
    return reply


def small() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def test_two_engines_of_one_game_hash_alike_and_number_their_objects_alike():
    a, b = small(), small()
    # Object ids are per game (world/ids.py): the second engine numbers its objects as the first did.
    for engine in (a, b):
        sc(engine, "storage.chest = game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {2.5, 2.5}} "
                   "storage.force = game.forces.player storage.inv = storage.chest.get_inventory(defines.inventory.chest) "
                   "storage.inv.insert{name = 'coal', count = 7}")
        engine.run_ticks(30)
    assert a.world.surfaces["nauvis"].oid == b.world.surfaces["nauvis"].oid
    assert storage_oids(a) == storage_oids(b)
    assert state_hash(a) == state_hash(b)


def storage_oids(engine):
    return sc(engine, "rcon.print(tostring(storage.chest) .. tostring(storage.force) .. tostring(storage.inv))")


def test_storage_is_hashed_by_sorted_keys_not_insertion_or_pairs_order():
    a, b = small(), small()
    keys = [f"key{i}" for i in range(200)]
    sc(a, "storage.t = {} " + " ".join(f"storage.t['{k}'] = {i}" for i, k in enumerate(keys)))
    sc(b, "storage.t = {} " + " ".join(f"storage.t['{k}'] = {keys.index(k)}" for k in reversed(keys)))
    assert state_hash(a) == state_hash(b)
    sc(b, "storage.t.key7 = 8")
    assert state_hash(a) != state_hash(b)


@pytest.mark.parametrize(
    "change",
    [
        "game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {5.5, 5.5}}",
        "local e = game.surfaces.nauvis.find_entities_filtered{limit = 1}[1] e.teleport({e.position.x + 1, e.position.y})",
        "storage.x = 1",
        "storage.x = {1, 2, {y = 'z'}}",
        "math.random()",
        "game.create_force('other')",
        "game.forces.player.chart(game.surfaces.nauvis, {{200, 200}, {201, 201}})",
    ],
)
def test_a_change_to_the_game_changes_the_hash(change):
    before = small()
    after = small()
    sc(after, change)
    assert state_hash(before) != state_hash(after)


def test_an_item_more_or_a_tick_more_changes_the_hash():
    a, b = small(), small()
    for engine, count in ((a, 7), (b, 8)):
        sc(engine, "local c = game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {2.5, 2.5}} "
                   f"c.insert{{name = 'coal', count = {count}}}")
    assert state_hash(a) != state_hash(b)
    c, d = small(), small()
    d.step()
    assert state_hash(c) != state_hash(d)


def test_the_clock_controls_are_not_game_state():
    """A game stepped by ticks_to_run hashes like one run freely to the same tick."""
    stepped, free = small(), small()
    sc(stepped, "game.tick_paused = true game.ticks_to_run = 20 game.speed = 3")
    while stepped.update():
        pass
    free.run_ticks(20)
    assert stepped.tick == free.tick == 20
    assert state_hash(stepped) == state_hash(free)


def test_shared_and_cyclic_tables_in_storage_hash_by_shape():
    a, b = small(), small()
    sc(a, "local t = {n = 1} storage.a = t storage.b = t t.self = t")
    sc(b, "storage.a = {n = 1} storage.b = {n = 1} storage.a.self = storage.a storage.b.self = storage.b")
    # Same contents, different sharing: Factorio's save keeps the sharing, so it is state.
    assert state_hash(a) != state_hash(b)
    c = small()
    sc(c, "local t = {n = 1} storage.b = t storage.a = t t.self = t")
    assert state_hash(a) == state_hash(c)


def test_a_function_in_storage_is_refused_with_where_it_is():
    engine = small()
    sc(engine, "storage.handlers = {on_x = function() end}")
    with pytest.raises(StateHashError, match=r"level's storage\['handlers'\]\['on_x'\] holds a function"):
        state_hash(engine)
    assert engine.execute_command("/fv-state-hash").startswith("Error: level's storage['handlers']['on_x'] holds a function")


def test_the_console_command_answers_tick_and_hash():
    engine = small()
    engine.run_ticks(5)
    reply = engine.execute_command("/fv-state-hash")
    assert reply == f"tick=5 hash={state_hash(engine)}"
    lines = engine.execute_command("/fv-state-hash sections").splitlines()
    assert lines[0] == reply
    assert lines[1:] == [f"{name}={value}" for name, value in state_sections(engine).items()]
    assert "takes no parameter or `sections`" in engine.execute_command("/fv-state-hash all")
    assert "/fv-state-hash - FactoryVerse engine only" in engine.execute_command("/help fv-state-hash")


def _run(seed: str, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.engine.state_hash_factory", str(out)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_a_working_factory_with_the_three_mods_hashes_alike_in_two_processes(tmp_path):
    """10,000 ticks of an agent's drill feeding a furnace, in two processes with different PYTHONHASHSEEDs (and so
    different Lua string hash seeds and memory layouts): the hash every 1,000 ticks must agree."""
    procs = [_run(seed, tmp_path / f"out{seed}") for seed in ("1", "2")]
    outputs = []
    for proc in procs:
        try:
            stdout, stderr = proc.communicate(timeout=RUN_TIMEOUT_S)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, stderr[-3000:]
        outputs.append(stdout.splitlines())
    first, second = outputs
    hashes = [line for line in first if re.fullmatch(r"\d+ [0-9a-f]{64}", line)]
    assert len(hashes) == 11, first
    assert len({h.split()[1] for h in hashes}) == 11  # the game moves: every sample differs
    plates = int(next(line for line in first if line.startswith("plates ")).split()[1])
    assert plates >= 20, f"the factory made only {plates} iron plates: {first}"
    # On a mismatch, the last line names the sections of the final state that differ.
    assert first == second


def test_reading_a_new_forces_research_is_not_a_change():
    """Regression: the first read of a force's research (current_research, research_queue, ...) creates the
    engine's research state for it, and the hash took that for a change, so a refused mod call that only looked
    (cancel_current_research with nothing researched) seemed to change the game."""
    game = Engine(seed=1, mods=[], starting_chunks=1)
    try:
        game.execute_command("/sc game.create_force('fresh')")
        before = state_hash(game)
        assert game.execute_command("/sc rcon.print(game.forces.fresh.current_research == nil)") == "true"
        assert state_hash(game) == before
        # Research that does change the force still changes the hash.
        game.execute_command("/sc game.forces.fresh.technologies['automation-science-pack'].researched = true")
        assert state_hash(game) != before
    finally:
        game.close()
