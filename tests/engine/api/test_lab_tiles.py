"""LuaSurface.generate_with_lab_tiles: once set, new chunks are lab floor (a checkerboard of lab-dark-1 and
lab-dark-2) with nothing on them; chunks generated before keep their ground; the flag is saved with the game."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.world.lab_tiles import LAB_TILES, lab_chunk
from factoryverse.engine.world.mapgen import CHUNK_SIZE

from ._lua_print import fails, run

S = "local s = game.surfaces[1] "
# A chunk far from the starting ones, generated on request.
FAR = "s.request_to_generate_chunks({x = 1000, y = -1000}, 0) s.force_generate_chunk_requests() "


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def test_lab_chunk_is_a_checkerboard_of_the_two_lab_tiles_with_nothing_on_it():
    for cx, cy in ((0, 0), (-3, 5), (7, -1)):
        data = lab_chunk(cx, cy)
        assert (data.cx, data.cy, data.resources, data.decoratives) == (cx, cy, (), ())
        for i, name in enumerate(data.tiles):
            x, y = cx * CHUNK_SIZE + i % CHUNK_SIZE, cy * CHUNK_SIZE + i // CHUNK_SIZE
            assert name == LAB_TILES[(x + y) % 2]


def test_new_chunks_are_lab_floor_once_set_and_old_ones_keep_their_ground(engine):
    assert run(engine, S + "p(s.generate_with_lab_tiles)") == "false"
    before = run(engine, S + "p(s.get_tile(0, 0).name)")
    run(engine, S + "s.generate_with_lab_tiles = true " + FAR)
    assert run(engine, S + "p(s.generate_with_lab_tiles)") == "true"
    assert run(engine, S + "p(s.get_tile(0, 0).name)") == before  # generated before: unchanged
    assert run(engine, S + "p(s.get_tile(1000, -1000).name, s.get_tile(1001, -1000).name)") == "lab-dark-1\tlab-dark-2"
    far = "{{992, -1024}, {1024, -992}}"
    assert run(engine, S + f"p(s.count_entities_filtered{{area = {far}}}, s.count_tiles_filtered{{area = {far}, "
               "name = {'lab-dark-1', 'lab-dark-2'}})") == f"0\t{CHUNK_SIZE * CHUNK_SIZE}"


def test_the_flag_is_saved_with_the_game_and_can_be_turned_off(engine, tmp_path):
    run(engine, S + "s.generate_with_lab_tiles = true")
    loaded = Engine.load(engine.save(tmp_path, "lab"), mods=[])
    try:
        assert run(loaded, S + "p(s.generate_with_lab_tiles)") == "true"
        run(loaded, S + "s.generate_with_lab_tiles = false " + FAR)
        assert run(loaded, S + "p(s.get_tile(1000, -1000).name)") not in LAB_TILES
    finally:
        loaded.close()


def test_a_value_other_than_a_boolean_is_refused_and_changes_nothing(engine):
    assert "generate_with_lab_tiles must be a boolean, got 1" in fails(engine, S + "s.generate_with_lab_tiles = 1")
    assert run(engine, S + "p(s.generate_with_lab_tiles)") == "false"


def test_the_flag_is_part_of_the_state_hash(engine):
    from factoryverse.engine.state_hash import state_hash

    before = state_hash(engine)
    run(engine, S + "s.generate_with_lab_tiles = true")
    assert state_hash(engine) != before
