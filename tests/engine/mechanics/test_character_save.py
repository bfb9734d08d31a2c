"""A character mid-craft and mid-mining continues exactly across save/load and fork (same state hash after)."""

from __future__ import annotations

from pathlib import Path

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash

from .conftest import clear_land, lua


def _busy_character(engine: Engine) -> None:
    clear_land(engine, -12, -12, 12, 12)
    engine.world.forces["player"].recipes_enabled.update({"electronic-circuit": True, "copper-cable": True})
    lua(engine, "storage.c = s.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'} "
                "storage.c.insert{name = 'iron-plate', count = 40} storage.c.insert{name = 'copper-plate', count = 20} "
                "storage.c.begin_crafting{recipe = 'electronic-circuit', count = 5} "
                "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 6} "
                "storage.o = s.create_entity{name = 'iron-ore', position = {1.5, 0.5}, amount = 500} "
                "storage.t = s.create_entity{name = 'tree-01', position = {-1.5, 0.5}} "
                "storage.c.selected = storage.o storage.c.mining_state = {mining = true, position = {1.5, 0.5}}")
    engine.run_ticks(47)  # mid-craft (a cable) and mid-mining cycle
    assert lua(engine, "rcon.print(storage.c.crafting_queue_progress > 0 and storage.c.character_mining_progress > 0)") == "true"


def _reading(engine: Engine) -> str:
    return lua(engine, "rcon.print(serpent.line({storage.c.get_main_inventory().get_contents(), storage.c.crafting_queue, "
                       "storage.c.crafting_queue_progress, storage.c.character_mining_progress, storage.o.amount}))")


def _continue_alike(a: Engine, b: Engine) -> None:
    assert state_hash(a) == state_hash(b)
    for n in (13, 200, 500, 1000):
        a.run_ticks(n)
        b.run_ticks(n)
        assert _reading(a) == _reading(b)
        assert state_hash(a) == state_hash(b)
    # It went on: every craft done, ore mined.
    assert "electronic-circuit" in _reading(a) and "iron-ore" in _reading(a)


def test_save_and_load_mid_craft_and_mid_mining(engine: Engine, tmp_path: Path) -> None:
    _busy_character(engine)
    path = engine.save(tmp_path, "busy")
    loaded = Engine.load(path, mods=[])
    assert _reading(loaded) == _reading(engine)
    _continue_alike(engine, loaded)


def test_fork_mid_craft_and_mid_mining(engine: Engine) -> None:
    _busy_character(engine)
    child = engine.fork()
    _continue_alike(engine, child)
    # Independent: what the parent queues, the child doesn't.
    lua(engine, "storage.c.begin_crafting{recipe = 'iron-gear-wheel', count = 1}")
    assert lua(child, "rcon.print(storage.c.crafting_queue_size)") == "0"
