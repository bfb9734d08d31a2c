"""Save, load and fork (issue 7, points 8 and 9): a game continues across them as if they never happened."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ModLoadError
from factoryverse.engine.mods import ModVersionMismatchError
from factoryverse.engine.save import (
    CorruptSaveError,
    SaveError,
    SaveVersionError,
    StorageWriteInOnLoadError,
)
from factoryverse.engine.save.savefile import SAVE_SCHEMA_VERSION, decode_save, encode_save
from factoryverse.engine.state_hash import state_hash, state_sections
from tests.engine.state_hash_factory import SEED, build_factory, call

REPO = Path(__file__).resolve().parents[3]
PRINT_ALL = """
  local function print_all(...)
    local t = {}
    for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end
    rcon.print(table.concat(t, '\\t'))
  end
"""


def sc(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + code)
    assert not reply.startswith("Cannot execute command"), reply
    return reply


def plates(engine: Engine, factory: dict) -> int:
    fx, fy = factory["furnace"]
    state = call(engine, factory["interface"], "inspect_entity", "'stone-furnace'", f"{{x = {fx}, y = {fy}}}")
    return (state.get("inventories") or {}).get("output", {}).get("iron-plate", 0)


def test_a_working_factory_continues_across_save_and_load_exactly(tmp_path: Path) -> None:
    # The three mods, an agent that built a burner drill feeding a furnace: the loaded game makes the same plates on
    # the same ticks, and its whole state hashes as the uninterrupted game's, before and after 3,000 more ticks.
    game = Engine(seed=SEED, script_output=tmp_path / "a")
    factory = build_factory(game)
    game.run_ticks(500)
    path = game.save(tmp_path / "saves", "factory")
    loaded = Engine.load(path, script_output=tmp_path / "b")
    assert loaded.tick == game.tick
    assert state_sections(loaded) == state_sections(game)
    for _ in range(6):
        game.run_ticks(500)
        loaded.run_ticks(500)
        assert plates(loaded, factory) == plates(game, factory)
        assert state_hash(loaded) == state_hash(game)
    assert plates(game, factory) > 10  # the factory works: the comparison means something


def test_storage_keeps_references_shared_tables_and_cycles(tmp_path: Path) -> None:
    game = Engine(seed=2, mods=[])
    sc(game, """
      local s = game.surfaces.nauvis
      local chest = s.create_entity{name = 'wooden-chest', position = {3, 3}, force = 'player'}
      chest.insert{name = 'coal', count = 7}
      local gone = s.create_entity{name = 'wooden-chest', position = {6, 3}, force = 'player'}
      local shared = {n = 1}
      storage.x = {chest = chest, inv = chest.get_inventory(defines.inventory.chest), force = game.forces.player,
                   surface = s, a = shared, b = shared, gone = gone, game = game, [chest] = 'by key'}
      storage.x.me = storage.x
      for i = 1, 5 do storage[i] = i * i end
      storage.z = 'late'
      storage.y = 'later'
      gone.destroy()
    """)
    loaded = Engine.load(game.save(tmp_path, "refs"), mods=[])
    out = sc(loaded, PRINT_ALL + """
      local x = storage.x
      local keys = {}
      for k in pairs(storage) do keys[#keys + 1] = tostring(k) end
      print_all(x.chest.get_item_count('coal'), x.inv.get_item_count(), x.force.name, x.surface.name,
        x.a == x.b, x.me == x, x.gone.valid, x.game.tick, x[x.chest], table.concat(keys, ','),
        x.chest == game.surfaces.nauvis.find_entity('wooden-chest', {3.5, 3.5}))
    """)
    assert out.split("\t") == ["7", "7", "player", "nauvis", "true", "true", "false", str(loaded.tick), "by key",
                               "1,2,3,4,5,x,z,y", "true"]
    assert state_hash(loaded) == state_hash(game)


def test_object_ids_are_per_game_and_survive_a_load(tmp_path: Path) -> None:
    # Two games built alike print the same tostring for the same entity, whatever other games the process made,
    # and a loaded game names its entities, and the ones it makes next, as the uninterrupted game does.
    make = "rcon.print(tostring(game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {%d, 0}, force = 'player'}))"
    first = Engine(seed=4, mods=[])
    Engine(seed=5, mods=[])  # another game in between moves no counter of the first kind
    second = Engine(seed=4, mods=[])
    assert sc(first, make % 1) == sc(second, make % 1)
    loaded = Engine.load(first.save(tmp_path, "ids"), mods=[])
    assert sc(loaded, make % 5) == sc(first, make % 5)


def test_mod_lifecycle_on_load_and_configuration_changed(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "old_mod", "1.0.0", """
      script.on_init(function() storage.inits = 1 end)
      script.on_load(function() loads = (loads or 0) + 1 end)
      script.on_configuration_changed(function(data) storage.changed = helpers.table_to_json(data) end)
      commands.add_command('old-mod', '', function()
        rcon.print(tostring(loads) .. '\\t' .. tostring(storage.inits) .. '\\t' .. tostring(storage.changed))
      end)
    """)
    game = Engine(seed=1, mods_dir=mods)
    path = game.save(tmp_path, "one")
    # Same mods: on_load only, no on_configuration_changed.
    same = Engine.load(path, mods_dir=mods)
    assert same.execute_command("/old-mod") == "1\t1\tnil"
    # A new version of old_mod and a new mod: on_init for the new one, then on_configuration_changed for both.
    _mod(mods, "old_mod", "1.1.0", (mods / "old_mod" / "control.lua").read_text())
    _mod(mods, "new_mod", "0.1.0", """
      script.on_init(function() storage.inits = 'new' end)
      script.on_load(function() error('on_load of a mod new to the save') end)
      commands.add_command('new-mod', '', function() rcon.print(storage.inits) end)
    """)
    changed = Engine.load(path, mods_dir=mods)
    assert changed.execute_command("/new-mod") == "new"
    loads, inits, data = changed.execute_command("/old-mod").split("\t")
    assert (loads, inits) == ("1", "1")
    assert json.loads(data) == {
        "mod_changes": {"old_mod": {"old_version": "1.0.0", "new_version": "1.1.0"}, "new_mod": {"new_version": "0.1.0"}},
        "mod_startup_settings_changed": False,
        "migration_applied": False,
    }
    assert not changed.mod_errors


def test_on_load_may_not_write_storage(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "bad_load", "1.0.0", "script.on_load(function() storage.touched = true end)")
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    with pytest.raises(StorageWriteInOnLoadError, match="bad_load while running on_load"):
        Engine.load(path, mods_dir=mods)


def test_a_function_in_storage_cannot_be_saved_and_nothing_is_written(tmp_path: Path) -> None:
    game = Engine(seed=1, mods=[])
    sc(game, "storage.cb = {f = function() end}")
    with pytest.raises(SaveError, match=r"storage\['cb'\]\['f'\] holds a function"):
        game.save(tmp_path, "fn")
    assert list(tmp_path.iterdir()) == []
    sc(game, "storage.cb = nil")
    game.save(tmp_path, "fn")  # the game goes on and saves once the function is gone


@pytest.mark.parametrize("name", ["../up", "a/b", "a\\b", "..", "", "x..y"])
def test_bad_save_names_are_refused(tmp_path: Path, name: str) -> None:
    game = Engine(seed=1, mods=[])
    before = state_hash(game)
    with pytest.raises(SaveError, match="save name"):
        game.save(tmp_path / "saves", name)
    assert not (tmp_path / "saves").exists() and state_hash(game) == before


def test_corrupt_truncated_newer_and_foreign_saves_are_refused(tmp_path: Path) -> None:
    game = Engine(seed=1, mods=[])
    good = game.save(tmp_path, "good").read_bytes()
    cases = {
        "truncated": good[: len(good) - 100],
        "flipped": good[:-50] + bytes([good[-50] ^ 1]) + good[-49:],
        "factorio": b"PK\x03\x04 a real Factorio save is a zip",
        "header": good[:20],
    }
    for name, data in cases.items():
        (tmp_path / f"{name}.fvsave").write_bytes(data)
        with pytest.raises(CorruptSaveError):
            Engine.load(tmp_path / f"{name}.fvsave", mods=[])
    header, body = decode_save(good)
    newer = encode_save(header.__class__(**{**header.__dict__, "schema_version": SAVE_SCHEMA_VERSION + 1}), body)
    (tmp_path / "newer.fvsave").write_bytes(newer)
    with pytest.raises(SaveVersionError, match="newer than this engine"):
        Engine.load(tmp_path / "newer.fvsave", mods=[])
    # Schema 1 wrote one pickle per object; this engine reads only its own (columns, engine/save/_object_table.py).
    older = encode_save(header.__class__(**{**header.__dict__, "schema_version": SAVE_SCHEMA_VERSION - 1}), body)
    (tmp_path / "older.fvsave").write_bytes(older)
    with pytest.raises(SaveVersionError, match="older than this engine"):
        Engine.load(tmp_path / "older.fvsave", mods=[])
    with pytest.raises(SaveVersionError, match="Factorio 2.0 game and this server runs as Factorio 2.1"):
        Engine.load(tmp_path / "good.fvsave", mods=[], factorio_version="2.1")
    with pytest.raises(CorruptSaveError, match="no save"):
        Engine.load(tmp_path / "missing.fvsave", mods=[])
    game.run_ticks(10)  # the running game is untouched by all of it
    assert game.tick == 10


def test_a_mod_declaring_another_factorio_version_is_refused_on_load(tmp_path: Path) -> None:
    mods = tmp_path / "mods"
    _mod(mods, "m", "1.0.0", "")
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    _mod(mods, "m", "1.0.0", "", factorio_version="2.1")
    with pytest.raises(ModVersionMismatchError):
        Engine.load(path, mods_dir=mods)


def test_kill_9_in_the_middle_of_a_save_leaves_the_previous_save_loadable(tmp_path: Path) -> None:
    # A child saves once, then blocks inside the second save once its temporary file is complete (a test hook),
    # is killed with SIGKILL there, and the first save still loads as the game it was.
    script = textwrap.dedent(f"""
        import sys
        from factoryverse.engine.engine import Engine
        from factoryverse.engine.save import savefile
        from factoryverse.engine.state_hash import state_hash
        game = Engine(seed=1, mods=[])
        game.run_ticks(7)
        game.save({str(tmp_path)!r}, "s")
        print(state_hash(game), flush=True)
        def block(tmp):
            print("TEMP", tmp, flush=True)
            sys.stdin.readline()
        savefile.after_temp_written = block
        game.run_ticks(50)
        game.save({str(tmp_path)!r}, "s")
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, cwd=REPO)
    try:
        first_hash = child.stdout.readline().strip()
        assert child.stdout.readline().startswith("TEMP")
        child.kill()
    finally:
        child.wait(timeout=30)
    assert (tmp_path / "s.fvsave.tmp").exists()
    loaded = Engine.load(tmp_path / "s.fvsave", mods=[])
    assert loaded.tick == 7 and state_hash(loaded) == first_hash


def test_fork_shares_nothing_mutable(tmp_path: Path) -> None:
    parent = Engine(seed=3)
    sc(parent, "storage.t = {n = 1}; game.surfaces.nauvis.create_entity{name = 'wooden-chest', position = {2, 2}, force = 'player'}")
    parent.run_ticks(30)
    child = parent.fork()
    assert state_hash(child) == state_hash(parent)
    before = state_sections(parent)
    sc(child, "storage.t.n = 2; game.surfaces.nauvis.find_entity('wooden-chest', {2.5, 2.5}).insert{name = 'coal', count = 3}")
    child.execute_command("/sc game.forces.player.chart(game.surfaces.nauvis, {{-200, -200}, {-190, -190}})")
    assert state_sections(parent) == before  # the parent is untouched
    after = state_sections(child)
    # The chart is a request until the next tick: it is in the world's state, not yet in the force's.
    assert {k for k in after if after[k] != before[k]} == {"world", "storage"}
    parent.run_ticks(100)
    child.run_ticks(100)
    assert child.tick == parent.tick and state_hash(child) != state_hash(parent)
    grandchild = child.fork()
    assert sc(grandchild, "rcon.print(storage.t.n)") == "2"


def _mod(root: Path, name: str, version: str, control: str, factorio_version: str = "2.0") -> None:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "info.json").write_text(json.dumps({
        "name": name, "version": version, "title": name, "author": "tests", "factorio_version": factorio_version,
        "dependencies": ["base"],
    }))
    (folder / "control.lua").write_text(textwrap.dedent(control))


def test_a_save_of_a_mod_error_does_not_load_as_a_mod_error(tmp_path: Path) -> None:
    # A control.lua that fails on load is the load's error, with the mod named (ModLoadError), not a broken game.
    mods = tmp_path / "mods"
    _mod(mods, "m", "1.0.0", "")
    path = Engine(seed=1, mods_dir=mods).save(tmp_path, "s")
    _mod(mods, "m", "1.0.0", "error('broken')")
    with pytest.raises(ModLoadError, match="mod m failed to load control.lua"):
        Engine.load(path, mods_dir=mods)


def test_a_loaded_world_goes_to_the_collectors_oldest_generation(tmp_path: Path) -> None:
    # Else the first young collection after a load walks every object the load made, only to promote them
    # (world_codec.no_cyclic_gc(long_lived=True)); objects frozen on purpose stay frozen.
    import gc

    game = Engine(seed=3, mods=[], starting_chunks=1)
    game.execute_command("/sc game.surfaces[1].create_entity{name = 'wooden-chest', position = {0, 0}}")
    path = game.save(tmp_path, "g")
    gc.collect()
    loaded = Engine.load(path, mods=[])
    chest = next(iter(loaded.world.by_unit_number.values()))
    assert id(chest) in set(map(id, gc.get_objects(generation=2)))
    keep = [object() for _ in range(10)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        Engine.load(path, mods=[])
        assert 0 < gc.get_freeze_count() <= frozen  # not unfrozen, and the load's objects not frozen
    finally:
        gc.unfreeze()
    del keep
