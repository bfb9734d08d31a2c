"""What waiting on a belt costs (issue 8 point 10): a taker is woken when an item comes within its reach, not at
every tick items move, and a blocked belt with its waiters costs nothing per tick."""

from __future__ import annotations

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash

from .conftest import clear_land, lua

# A burner inserter at (0.5, 0.5) facing north picks up from the belt tile north of it (its pickup_position {0, -1})
# and drops into a chest south of it; the belt runs east from x = -10 and ends under the pickup point.
_BELTS = "for x = -10, 0 do s.create_entity{name = 'transport-belt', position = {x + 0.5, -0.5}, " \
         "direction = defines.direction.east, force = 'player'} end"
_INSERTER = "storage.i = s.create_entity{name = 'burner-inserter', position = {0.5, 0.5}, force = 'player'} " \
            "storage.i.insert{name = 'coal', count = 5} " \
            "storage.c = s.create_entity{name = 'wooden-chest', position = {0.5, 1.5}, force = 'player'}"


def _updates_of(engine, entity_name: str, ticks: int) -> int:
    world = engine.world
    counted = 0
    run = world._update_entity

    def update(entity, tick):
        nonlocal counted
        if entity.name == entity_name:
            counted += 1
        run(entity, tick)

    world._update_entity = update
    try:
        engine.run_ticks(ticks)
    finally:
        del world._update_entity
    return counted


def test_an_item_travelling_to_an_inserter_wakes_it_once(engine):
    clear_land(engine, -12, -3, 3, 4)
    lua(engine, _BELTS)
    lua(engine, _INSERTER)
    engine.run_ticks(30)  # built, linked, waiting for source items
    lua(engine, "s.find_entity('transport-belt', {-9.5, -0.5}).get_transport_line(1).insert_at(0, 'iron-plate')")
    # 10 tiles at transport-belt.speed 0.03125 tiles per tick: 320 ticks; then a swing.
    updates = _updates_of(engine, "burner-inserter", 400)
    assert lua(engine, "rcon.print(storage.c.get_item_count('iron-plate'))") == "1"
    # Woken when the plate comes within reach, then one update per half swing (pick up, drop, back): not ~320.
    assert updates <= 4, updates


def test_a_blocked_belt_and_its_waiters_cost_nothing(engine):
    clear_land(engine, -12, -3, 3, 4)
    lua(engine, _BELTS)
    lua(engine, _INSERTER)
    # The chest full, every lane of the run compressed: the inserter can't drop, nothing on the belt can move.
    lua(engine, "storage.c.insert{name = 'wood', count = 1600} "
                "for x = -10, 0 do local b = s.find_entity('transport-belt', {x + 0.5, -0.5}) "
                "for lane = 1, 2 do for q = 0, 3 do b.get_transport_line(lane).insert_at(q * 0.25, 'iron-plate') end end end")
    engine.run_ticks(120)
    before = engine.world.entity_updates
    engine.run_ticks(600)
    assert engine.world.entity_updates == before
    # Room in the chest wakes the inserter (it watches its drop target while the belt holds items).
    lua(engine, "storage.c.remove_item{name = 'wood', count = 100}")
    engine.run_ticks(60)
    assert lua(engine, "rcon.print(storage.c.get_item_count('iron-plate'))") == "1"


def test_save_load_and_fork_continue_a_taker_waiting_for_an_item_on_its_way(tmp_path):
    game = Engine(seed=1, mods=[], starting_chunks=2)
    clear_land(game, -12, -3, 3, 4)
    lua(game, _BELTS)
    lua(game, _INSERTER)
    game.run_ticks(30)
    lua(game, "local l = s.find_entity('transport-belt', {-9.5, -0.5}).get_transport_line(1) "
              "l.insert_at(0, 'iron-plate') l.insert_at(0.5, 'copper-plate')")
    game.run_ticks(100)  # the plates are on their way; the inserter waits for them to come within reach
    loaded = Engine.load(game.save(tmp_path, "belt-wakes"), mods=[])
    fork = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    for _ in range(3):
        for g in (game, loaded, fork):
            g.run_ticks(150)
        assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    assert lua(loaded, "rcon.print(storage.c.get_item_count())") == lua(game, "rcon.print(storage.c.get_item_count())") == "2"
