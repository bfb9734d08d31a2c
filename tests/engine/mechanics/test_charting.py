"""Charting as the game does it: nothing is charted until a force charts it; LuaForce.chart is a request carried
out over the next ticks; every chart and re-chart raises on_chunk_charted; radars chart as their scans complete.

Radar numbers come from the prototype (`radar.energy_usage`, `energy_per_nearby_scan`, `energy_per_sector`,
`max_distance_of_nearby_sector_revealed`, `max_distance_of_sector_revealed`); the wiki's Radar page gives the
same figures for 2.0: a nearby pulse about every second charting 7x7 chunks, one sector chunk every
10 MJ / 300 kW = 33.333 s, from a 29x29 area less the nearby 7x7 (792 chunks), unexplored chunks first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.mechanics.charting import CHARTED_PER_TICK, GENERATED_PER_TICK
from factoryverse.engine.prototypes import parse_energy
from factoryverse.engine.state_hash import state_hash
from tests.engine.mechanics.conftest import clear_land, lua
from tests.engine.mechanics.power import set_production


def _charted(engine: Engine, cx: int, cy: int, force: str = "player") -> bool:
    return engine.world.forces[force].is_charted(engine.world.surfaces["nauvis"].index, cx, cy)


def _record_charts(engine: Engine) -> None:
    lua(engine, "storage.charts = {} script.on_event(defines.events.on_chunk_charted, function(e) "
                "storage.charts[#storage.charts + 1] = e.tick .. ':' .. e.position.x .. ',' .. e.position.y .. ':' "
                ".. e.force.name .. ':' .. e.surface_index .. ':' .. e.area.left_top.x .. ',' .. e.area.right_bottom.y end)")


def _charts(engine: Engine) -> list[str]:
    reply = lua(engine, "rcon.print(table.concat(storage.charts, ' '))")
    return reply.split() if reply else []


# -- nothing is charted until a force charts it ----------------------------------------------------------------


def test_a_new_game_has_nothing_charted_but_its_start_area_generated(engine):
    world = engine.world
    assert all(not f.charted for f in world.forces.values())
    assert lua(engine, "rcon.print(game.forces.player.is_chunk_charted(s, {0, 0}))") == "false"
    assert lua(engine, "rcon.print(s.is_chunk_generated({-2, 1}))") == "true"


def test_the_start_area_raises_on_chunk_generated_and_no_chart_event(engine):
    lua(engine, "storage.gen, storage.charts = 0, 0 "
                "script.on_event(defines.events.on_chunk_generated, function() storage.gen = storage.gen + 1 end) "
                "script.on_event(defines.events.on_chunk_charted, function() storage.charts = storage.charts + 1 end)")
    engine.run_ticks(2)
    assert lua(engine, "rcon.print(storage.gen .. ' ' .. storage.charts)") == f"{(2 * 2) ** 2} 0"


def test_a_character_without_a_player_charts_nothing(engine):
    lua(engine, "storage.c = s.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'} "
                "storage.c.walking_state = {walking = true, direction = defines.direction.east}")
    engine.run_ticks(120)
    assert not engine.world.forces["player"].charted


# -- LuaForce.chart -------------------------------------------------------------------------------------------


def test_chart_is_a_request_charted_on_the_next_tick_with_its_event_on_the_one_after(engine):
    _record_charts(engine)
    t = engine.tick
    lua(engine, "game.forces.player.chart(s, {{0, 0}, {33, 10}})")  # touches chunks (0,0) and (1,0)
    assert lua(engine, "local f = game.forces.player rcon.print(tostring(f.is_chunk_charted(s, {0, 0})) .. ' ' .. "
                       "tostring(f.is_chunk_requested_for_charting(s, {1, 0})))") == "false true"
    engine.step()
    assert _charted(engine, 0, 0) and _charted(engine, 1, 0)
    assert lua(engine, "rcon.print(game.forces.player.is_chunk_requested_for_charting(s, {1, 0}))") == "false"
    assert _charts(engine) == []
    engine.step()
    assert _charts(engine) == [f"{t + 1}:0,0:player:1:0,32", f"{t + 1}:1,0:player:1:32,32"]


def test_charting_a_charted_chunk_again_raises_on_chunk_charted_again(engine):
    _record_charts(engine)
    for _ in range(2):
        lua(engine, "game.forces.player.chart(s, {{1, 1}, {2, 2}})")
        engine.run_ticks(2)
    assert [c.split(":")[1] for c in _charts(engine)] == ["0,0", "0,0"]


def test_chart_of_ungenerated_chunks_generates_them_a_few_per_tick(engine):
    lua(engine, "game.forces.player.chart(s, {{320, 0}, {320 + 32 * 10, 32}})")  # 10 chunks never generated
    counts = []
    for _ in range(3):
        engine.step()
        counts.append(sum(_charted(engine, cx, 0) for cx in range(10, 20)))
    assert counts == [GENERATED_PER_TICK, 2 * GENERATED_PER_TICK, 10]


def test_a_big_chart_of_generated_chunks_is_spread_over_ticks():
    engine = Engine(seed=1, mods=[], starting_chunks=4)  # 8x8 generated chunks
    lua(engine, "game.forces.player.chart(s, {{-128, -128}, {128, 128}})")
    counts = []
    for _ in range(2):
        engine.step()
        counts.append(len(engine.world.forces["player"].charted[1]))
    assert counts == [CHARTED_PER_TICK, 64]


def test_cancel_charting_drops_the_forces_requests(engine):
    lua(engine, "game.forces.player.chart(s, {{0, 0}, {64, 64}}) game.forces.player.cancel_charting()")
    engine.run_ticks(2)
    assert not engine.world.forces["player"].charted


def test_chart_all_rechart_clear_chart_and_unchart_chunk(engine):
    _record_charts(engine)
    lua(engine, "game.forces.enemy.chart_all(s)")
    engine.run_ticks(2)
    assert len(engine.world.forces["enemy"].charted[1]) == len(engine.world.surfaces["nauvis"].chunks) == 16
    lua(engine, "game.forces.enemy.unchart_chunk({0, 0}, s)")
    assert not _charted(engine, 0, 0, "enemy") and _charted(engine, 1, 1, "enemy")
    before = len(_charts(engine))
    lua(engine, "game.forces.enemy.rechart()")
    engine.run_ticks(2)
    assert len(_charts(engine)) == before + 15  # every chunk it has charted, charted again
    lua(engine, "game.forces.enemy.clear_chart(s)")
    assert not engine.world.forces["enemy"].charted.get(1)


def test_chart_with_a_bad_surface_is_an_error_and_requests_nothing(engine):
    reply = engine.execute_command("/sc game.forces.player.chart('mars', {{0, 0}, {1, 1}})")
    assert "Unknown surface" in reply
    assert not engine.world.charting.requests


def test_a_request_of_a_merged_force_is_dropped(engine):
    lua(engine, "local f = game.create_force('scouts') f.chart(s, {{0, 0}, {1, 1}}) "
                "game.merge_forces('scouts', 'player')")
    engine.run_ticks(2)
    assert not engine.world.charting.requests and not engine.world.forces["player"].charted


# -- radars ---------------------------------------------------------------------------------------------------


def _radar(engine: Engine, x: float = 0.5, y: float = 0.5):
    # The `engine` fixture's surface-wide electric network powers it (tests/engine/mechanics/power.py).
    clear_land(engine, -8, -8, 8, 8)
    lua(engine, f"storage.r = s.create_entity{{name = 'radar', position = {{{x}, {y}}}, force = 'player'}}")
    return next(e for e in engine.world.surfaces["nauvis"].all_entities() if e.name == "radar")


def _ticks_per(protos, field: str) -> int:
    radar = protos.raw["radar"]["radar"]
    per_tick = parse_energy(radar["energy_usage"]) / 60
    ticks = parse_energy(radar[field]) / per_tick
    assert ticks == int(ticks)
    return int(ticks)


def test_nearby_scans_chart_the_7x7_chunks_round_the_radar(engine, protos):
    """radar.energy_per_nearby_scan / radar.energy_usage: 250 kJ / 300 kW = 50 ticks; a scan charts every chunk
    within radar.max_distance_of_nearby_sector_revealed (3) of the radar's chunk."""
    every = _ticks_per(protos, "energy_per_nearby_scan")
    near = int(protos.raw["radar"]["radar"]["max_distance_of_nearby_sector_revealed"])
    _record_charts(engine)
    built = engine.tick
    _radar(engine)
    engine.run_ticks(3 * every + 2)
    ticks = sorted({int(c.split(":")[0]) for c in _charts(engine)})
    # It draws from the tick it is built; the scan completes on its 50th tick of work, its events come next tick.
    assert ticks == [built + every, built + 2 * every, built + 3 * every]
    first = [c.split(":")[1] for c in _charts(engine) if int(c.split(":")[0]) == built + every]
    assert first == [f"{cx},{cy}" for cy in range(-near, near + 1) for cx in range(-near, near + 1)]


def test_sector_scans_chart_one_chunk_each_nearest_unexplored_first(engine, protos):
    """radar.energy_per_sector / radar.energy_usage: 10 MJ / 300 kW = 2000 ticks (the wiki's 33.333 s)."""
    every = _ticks_per(protos, "energy_per_sector")
    built = engine.tick
    radar = _radar(engine)
    engine.run_ticks(every - 1)
    assert len(engine.world.forces["player"].charted[1]) == 49
    engine.step()  # the sector scan completes on its 2000th tick of work
    charted = engine.world.forces["player"].charted[1]
    assert len(charted) == 50 and engine.tick == built + every
    assert (0, -4) in charted  # the nearest chunk beyond the 7x7, first in row order
    assert radar.state.scanned == {(0, -4): built + every - 1}
    engine.run_ticks(every)
    assert len(charted) == 51 and (-4, 0) in charted  # the next nearest, rows before columns on a tie


def test_sector_scan_rate_over_ten_minutes_is_the_wikis_within_one_percent(engine, protos):
    every = _ticks_per(protos, "energy_per_sector")
    _radar(engine)
    minutes = 10
    engine.run_ticks(minutes * 3600)
    sectors = len(engine.world.forces["player"].charted[1]) - 49
    expected = minutes * 60 / (10e6 / 300e3)  # the wiki's 33.333 s per chunk
    assert sectors == (minutes * 3600) // every
    assert abs(sectors - expected) / expected < 0.01


def test_sector_scans_rescan_the_chunk_scanned_longest_ago_once_all_are_charted(engine, protos):
    every = _ticks_per(protos, "energy_per_sector")
    far = int(protos.raw["radar"]["radar"]["max_distance_of_sector_revealed"])
    lua(engine, f"game.forces.player.chart(s, {{{{{-far * 32}, {-far * 32}}}, {{{(far + 1) * 32}, {(far + 1) * 32}}}}})")
    # 29x29 chunks, generated a few per tick.
    engine.run_until(lambda: not engine.world.charting.requests, 841 // GENERATED_PER_TICK + 1)
    radar = _radar(engine)
    engine.run_ticks(2 * every)
    # Nothing unexplored: the first two scans take the two nearest chunks no scan of this radar has seen.
    assert sorted(radar.state.scanned) == [(-4, 0), (0, -4)]


def test_a_radar_without_power_charts_nothing(unpowered):
    clear_land(unpowered, -8, -8, 8, 8)
    lua(unpowered, "storage.r = s.create_entity{name = 'radar', position = {0.5, 0.5}, force = 'player'}")
    unpowered.run_ticks(300)
    assert lua(unpowered, "rcon.print(storage.r.status == defines.entity_status.no_power)") == "true"
    assert not unpowered.world.forces["player"].charted


def test_radar_scan_progress_is_read_from_the_current_tick(engine, protos):
    every = _ticks_per(protos, "energy_per_sector")
    _radar(engine)
    engine.run_ticks(every // 4)
    assert float(lua(engine, "rcon.print(storage.r.radar_scan_progress)")) == pytest.approx(0.25)
    assert "Entity is not a radar." in engine.execute_command(
        "/sc rcon.print(s.create_entity{name = 'wooden-chest', position = {6.5, 6.5}}.radar_scan_progress)".replace(
            "s.", "game.surfaces.nauvis."))


def test_a_radar_is_updated_only_when_a_scan_completes(engine, protos):
    every = _ticks_per(protos, "energy_per_nearby_scan")
    radar = _radar(engine)
    before = engine.world.entity_updates
    engine.run_ticks(10 * every)
    assert engine.world.entity_updates - before == 1 + 10  # the first, when built, then one per scan
    assert radar.due is not None


# -- save, load, fork -----------------------------------------------------------------------------------------


def test_save_load_and_fork_continue_radars_and_requests_exactly(engine, tmp_path: Path):
    _radar(engine)
    engine.run_ticks(1234)
    lua(engine, "game.forces.player.chart(s, {{320, 320}, {640, 640}})")  # requests still pending when saved
    path = engine.save(tmp_path, "charting")
    loaded = Engine.load(path, mods=[], starting_chunks=2)
    forked = engine.fork()
    for other in (loaded, forked):
        assert state_hash(other) == state_hash(engine)
    for game in (engine, loaded, forked):
        game.run_ticks(2500)
    assert state_hash(loaded) == state_hash(engine) == state_hash(forked)
    assert len(engine.world.forces["player"].charted[1]) > 49 + 100


def test_at_half_power_a_radar_scans_half_as_often(engine, protos):
    """Satisfaction 1/2 (the network's interface producing half of radar.energy_usage): 100 ticks per nearby scan."""
    every = _ticks_per(protos, "energy_per_nearby_scan")
    interface = next(e for e in engine.world.surfaces["nauvis"].all_entities() if e.name == "electric-energy-interface")
    usage = parse_energy(protos.raw["radar"]["radar"]["energy_usage"]) / 60
    set_production(engine, interface, usage / 2)
    engine.run_ticks(5)
    _record_charts(engine)
    built = engine.tick
    _radar(engine)
    engine.run_ticks(4 * every + 2)
    assert sorted({int(c.split(":")[0]) for c in _charts(engine)}) == [built + 2 * every, built + 4 * every]
