"""LuaSurface.count_tiles_filtered takes find_tiles_filtered's filters and counts what it would find; set_tiles
changes what both see and charts nothing."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=2)


def sc(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    assert not reply.startswith("Cannot execute command"), reply
    return reply


@pytest.mark.parametrize("filters", [
    "{area = {{-10, -10}, {10, 10}}}",
    "{area = {{-64, -64}, {64, 64}}, name = 'water'}",
    "{area = {{-64, -64}, {64, 64}}, name = {'grass-1', 'grass-2'}}",
    "{area = {{-64, -64}, {64, 64}}, collision_mask = 'water_tile'}",
    "{area = {{-64, -64}, {64, 64}}, collision_mask = 'water_tile', invert = true}",
    "{position = {3, 4}, radius = 7.5}",
    "{area = {{-64, -64}, {64, 64}}, name = 'grass-1', limit = 17}",
    "{}",
])
def test_count_is_the_number_find_would_return(engine, filters):
    reply = sc(engine, f"rcon.print(s.count_tiles_filtered{filters} .. ' ' .. #s.find_tiles_filtered{filters})")
    counted, found = reply.split()
    assert counted == found


def test_counts_follow_set_tiles_and_set_tiles_charts_nothing(engine):
    sc(engine, "storage.charts = 0 script.on_event(defines.events.on_chunk_charted, function() "
               "storage.charts = storage.charts + 1 end)")
    area = "{{100, 100}, {104, 103}}"
    sc(engine, "local tiles = {} for x = 100, 103 do for y = 100, 102 do "
               "tiles[#tiles + 1] = {name = 'concrete', position = {x, y}} end end s.set_tiles(tiles)")
    engine.run_ticks(2)
    assert sc(engine, f"rcon.print(s.count_tiles_filtered{{area = {area}, name = 'concrete'}})") == "12"
    assert sc(engine, f"rcon.print(s.count_tiles_filtered{{area = {area}, name = 'concrete', invert = true}})") == "0"
    assert sc(engine, "rcon.print(storage.charts)") == "0"


def test_count_reads_generated_chunks_only(engine):
    assert sc(engine, "rcon.print(s.count_tiles_filtered{area = {{1000, 1000}, {1100, 1100}}})") == "0"
    assert sc(engine, "rcon.print(s.is_chunk_generated({31, 31}))") == "false"


def test_count_needs_its_filter_table(engine):
    reply = engine.execute_command("/sc game.surfaces.nauvis.count_tiles_filtered()")
    assert "Expected 1 argument but 0 were given" in reply
    reply = engine.execute_command("/sc game.surfaces.nauvis.count_tiles_filtered{limit = -1}")
    assert reply.startswith("Cannot execute command")
