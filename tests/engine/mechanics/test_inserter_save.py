"""Inserters are saveable and deterministic: a save/load and a fork continue a swinging, a waiting and a burner
inserter exactly as the uninterrupted game (same state hash after more ticks)."""

from __future__ import annotations

from pathlib import Path

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash

from .power import power_surface
from .conftest import clear_land, lua


def _factory(engine: Engine) -> None:
    clear_land(engine, -8, -8, 8, 8)
    lua(
        engine,
        "local function chest(x, y) return s.create_entity{name = 'iron-chest', position = {x, y}, force = 'player'} end "
        "chest(0.5, -0.5).insert{name = 'iron-plate', count = 300} chest(0.5, 1.5) "
        "s.create_entity{name = 'fast-inserter', position = {0.5, 0.5}, force = 'player'} "
        "chest(2.5, -0.5).insert{name = 'coal', count = 40} chest(2.5, 1.5) "
        "s.create_entity{name = 'burner-inserter', position = {2.5, 0.5}, force = 'player'} "
        "chest(4.5, -0.5) chest(4.5, 1.5) "  # an idle inserter: nothing to move
        "local i = s.create_entity{name = 'bulk-inserter', position = {4.5, 0.5}, force = 'player'} "
        "i.set_filter(1, 'iron-plate') i.use_filters = true",
    )


def test_save_load_and_fork_continue_exactly(tmp_path: Path) -> None:
    game = Engine(seed=1, mods=[], starting_chunks=2)
    power_surface(game)
    _factory(game)
    game.run_ticks(317)  # mid-swing for the fast and the burner inserter
    loaded = Engine.load(game.save(tmp_path, "inserters"), mods=[])
    fork = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    for _ in range(3):
        for g in (game, loaded, fork):
            g.run_ticks(400)
        assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    assert lua(game, "rcon.print(s.find_entity('iron-chest', {0.5, 1.5}).get_item_count('iron-plate'))") == lua(
        loaded, "rcon.print(s.find_entity('iron-chest', {0.5, 1.5}).get_item_count('iron-plate'))"
    )
