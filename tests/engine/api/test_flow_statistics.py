"""LuaFlowStatistics: force.get_item_production_statistics(surface), fed by the world's records and by machines.

The windows are the API's: "Each precision level contains 300 samples of data so at a precision of 1 minute, each
sample contains data averaged across 60s / 300 = 0.2s = 12 ticks", values "per-minute" unless `count = true`
(LuaFlowStatistics.get_flow_count, lua-api.factorio.com 2.0). A read between ticks sees every finished tick.
"""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.mechanics.statistics import PRECISIONS, SAMPLES
from factoryverse.engine.state_hash import state_hash

from .test_surface_api import clear_land


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


# p(...): rcon.print of its arguments joined by tabs (rcon.print takes one).
PRINT = ("local function p(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end "
         "rcon.print(table.concat(t, '\\t')) end ")


def sc(engine: Engine, code: str) -> str:
    reply = engine.execute_command(
        "/sc local st = game.forces.player.get_item_production_statistics('nauvis') "
        "local P = defines.flow_precision_index " + PRINT + code)
    assert not reply.startswith("Cannot execute"), reply
    return reply


def err(engine: Engine, code: str) -> str:
    reply = engine.execute_command(
        "/sc local st = game.forces.player.get_item_production_statistics('nauvis') "
        "local P = defines.flow_precision_index " + PRINT + code)
    assert reply.startswith("Cannot execute"), reply
    return reply


def flow(engine: Engine, precision: str, *, category: str = "input", count: bool = True, sample: int | None = None,
         name: str = "iron-plate") -> float:
    extra = "" if sample is None else f", sample_index = {sample}"
    return float(sc(engine, f"p(st.get_flow_count{{name = '{name}', category = '{category}', "
                            f"precision_index = P.{precision}, count = {str(count).lower()}{extra}}})"))


def record_at(engine: Engine, ticks: list[int], name: str = "iron-plate", count: int = 1) -> None:
    """Record `count` produced in each of `ticks` (as a machine's update in that tick would)."""
    world = engine.world
    force, surface = world.forces["player"], world.surfaces["nauvis"]
    for t in ticks:
        while engine.tick < t:
            engine.step()
        world.record_production(force, surface, name, count)


def test_the_precisions_are_the_games_windows_of_300_samples():
    assert [name for name, _ in PRECISIONS] == [
        "five_seconds", "one_minute", "ten_minutes", "one_hour", "ten_hours", "fifty_hours",
        "two_hundred_fifty_hours", "one_thousand_hours"]
    # One minute: 300 samples of 12 ticks (the API's own example); the others scale with their window.
    assert SAMPLES == 300 and dict(PRECISIONS)["one_minute"] // SAMPLES == 12
    assert dict(PRECISIONS)["five_seconds"] // SAMPLES == 1


def test_totals_and_windows_from_recorded_production(engine):
    record_at(engine, [10, 10, 11, 25, 200])
    engine.step()  # the records of tick 200 are in a finished tick now
    assert engine.tick == 201
    assert sc(engine, "p(st.get_input_count('iron-plate'), st.get_output_count('iron-plate'))") == "5\t0"
    assert sc(engine, "p(serpent.line(st.input_counts))") == '{["iron-plate"] = 5}'
    # five_seconds: 1-tick samples; at tick 201 the window holds ticks 0..200, so all five.
    assert flow(engine, "five_seconds") == 5
    assert flow(engine, "five_seconds", sample=1) == 1   # tick 200
    assert flow(engine, "five_seconds", sample=191) == 2  # tick 10
    # one_minute: 12-tick samples; sample 16 (ticks 192..203) is still filling at tick 201, so tick 200 waits.
    assert flow(engine, "one_minute") == 4
    assert flow(engine, "one_minute", sample=16) == 3     # sample 0: ticks 0..11 (ticks 10, 10, 11)
    # Per minute, as the GUI shows: the count over the window's minutes (5 s: x 12; a 12-tick sample: x 300).
    assert flow(engine, "five_seconds", count=False) == pytest.approx(5 * 12)
    assert flow(engine, "one_minute", count=False, sample=16) == pytest.approx(3 * 3600 / 12)
    engine.run_ticks(300)  # tick 501: ticks 0..200 left the 5 s window; the minute still has them
    assert flow(engine, "five_seconds") == 0
    assert flow(engine, "one_minute") == 5
    engine.run_ticks(3600)
    assert flow(engine, "one_minute") == 0 and flow(engine, "ten_minutes") == 5
    assert sc(engine, "p(st.get_input_count('iron-plate'))") == "5"  # totals never expire


def test_memory_is_bounded_by_the_samples_a_read_can_reach(engine):
    world = engine.world
    force, surface = world.forces["player"], world.surfaces["nauvis"]
    for _ in range(5_000):
        world.record_production(force, surface, "coal", 1)
        engine.step()
    rings = force.item_statistics[surface.index].input.samples["coal"]
    assert all(len(ring) <= SAMPLES + 1 for ring in rings)
    assert flow(engine, "five_seconds", name="coal") == 300
    assert flow(engine, "one_minute", name="coal") == 3600
    assert flow(engine, "ten_minutes", name="coal") == 4920  # whole 120-tick samples: ticks 0..4919


def test_on_flow_set_clear_and_the_other_members(engine):
    sc(engine, "st.on_flow('iron-plate', 7) st.on_flow('iron-plate', -2) st.on_flow({name = 'coal'}, 1.5)")
    assert sc(engine, "p(st.get_input_count('iron-plate'), st.get_output_count('iron-plate'), "
                      "st.get_input_count('coal'))") == "7\t2\t1.5"
    sc(engine, "st.set_input_count('iron-plate', 100) st.set_output_count(prototypes.item['iron-plate'], 3)")
    assert sc(engine, "p(st.get_input_count('iron-plate'), st.get_output_count('iron-plate'))") == "100\t3"
    assert sc(engine, "p(st.force.name, st.valid, st.object_name, serpent.line(st.storage_counts), "
                      "st.get_storage_count('coal'))") == "player\ttrue\tLuaFlowStatistics\t{}\t0"
    sc(engine, "st.clear()")
    assert sc(engine, "p(serpent.line(st.input_counts), serpent.line(st.output_counts))") == "{}\t{}"
    # Another surface index and another force keep their own statistics.
    assert sc(engine, "p(st == game.forces.player.get_item_production_statistics(1), "
                      "game.forces.enemy.get_item_production_statistics(1).get_input_count('coal'))") == "true\t0"


def test_reading_statistics_changes_nothing(engine):
    before = state_hash(engine)
    assert flow(engine, "one_hour") == 0
    assert sc(engine, "p(st.get_input_count('iron-plate'), serpent.line(st.input_counts))") == "0\t{}"
    assert state_hash(engine) == before
    assert engine.world.forces["player"].item_statistics == {}


@pytest.mark.parametrize(("code", "message"), [
    ("st.get_input_count('no-such-item')", "Unknown item name: no-such-item"),
    ("st.get_input_count(5)", "expected FlowStatisticsID"),
    ("st.get_flow_count{name = 'coal', category = 'sideways', precision_index = P.one_minute}", "Invalid category"),
    ("st.get_flow_count{name = 'coal', category = 'input', precision_index = 99}", "Invalid precision_index"),
    ("st.get_flow_count{name = 'coal', category = 'input', precision_index = P.one_minute, sample_index = 0}",
     "between 1 and 300"),
    ("st.get_flow_count{name = 'coal', category = 'input', precision_index = P.one_minute, sample_index = 301}",
     "between 1 and 300"),
    ("st.get_flow_count{name = 'coal', precision_index = P.one_minute}", "required field 'category' is missing"),
    ("st.on_flow('coal', 'lots')", "Invalid argument #2 (count)"),
    ("st.get_input_count{name = 'coal', quality = 'legendary'}", "qualities other than normal"),
    ("game.forces.player.get_item_production_statistics('mars')", "Given surface doesn't exist"),
])
def test_bad_input_gets_an_error_and_changes_nothing(engine, code, message):
    before = state_hash(engine)
    assert message in err(engine, code)
    assert state_hash(engine) == before


def _furnace_factory(engine: Engine) -> None:
    clear_land(engine, -6, -6, 6, 6)
    engine.execute_command(
        "/sc storage.f = game.surfaces.nauvis.create_entity{name = 'stone-furnace', position = {0, 0}, force = 'player'} "
        "storage.f.insert{name = 'iron-ore', count = 50} storage.f.insert{name = 'coal', count = 10}")


def test_a_furnace_feeds_the_statistics_on_the_ticks_it_smelts(engine):
    _furnace_factory(engine)
    plates = lambda: int(sc(engine, "p(storage.f.get_item_count('iron-plate'))"))  # noqa: E731
    seen: list[int] = []
    last = 0
    for _ in range(3_700):
        engine.step()
        now = plates()
        if now != last:
            seen.append(engine.tick)  # the plate was made in the tick that just ran: engine.tick - 1
            last = now
    assert len(seen) >= 19
    # A craft takes its ore when it starts (the furnace is into its next craft now).
    ore_left = int(sc(engine, "p(storage.f.get_item_count('iron-ore'))"))
    assert sc(engine, "p(st.get_input_count('iron-plate'), st.get_output_count('iron-ore'))") == \
        f"{len(seen)}\t{50 - ore_left}"
    # The last minute's window: whole 12-tick samples ending before the one tick 3,700 is in.
    current = engine.tick // 12
    in_window = sum(1 for t in seen if current - SAMPLES <= (t - 1) // 12 < current)
    assert flow(engine, "one_minute") == in_window
    assert flow(engine, "one_minute", category="output", name="iron-ore") >= in_window
    # The coal burnt is consumption too.
    assert int(sc(engine, "p(st.get_output_count('coal'))")) == 10 - int(
        sc(engine, "p(storage.f.get_item_count('coal'))"))


def _produce(engine: Engine, ticks: int) -> None:
    """Run `ticks` ticks recording plates on a fixed pattern of ticks, as a few machines would."""
    world = engine.world
    force, surface = world.forces["player"], world.surfaces["nauvis"]
    for _ in range(ticks):
        if engine.tick % 7 == 0 or engine.tick % 192 == 5:
            world.record_production(force, surface, "iron-plate", 1 + engine.tick % 3)
        if engine.tick % 50 == 0:
            world.record_consumption(force, surface, "coal", 1)
        engine.step()


def test_statistics_continue_across_save_load_and_fork(engine, tmp_path):
    _produce(engine, 1_000)
    loaded = Engine.load(engine.save(tmp_path, "stats"), mods=[])
    fork = engine.fork()
    for game in (engine, loaded, fork):
        _produce(game, 4_000)
    reads = [(flow(g, "one_minute"), flow(g, "five_seconds", count=False), flow(g, "ten_minutes", sample=3),
              flow(g, "one_hour", category="output", name="coal"), state_hash(g)) for g in (engine, loaded, fork)]
    assert reads[0] == reads[1] == reads[2]
    # Coal every 50 ticks; at tick 5,000 the hour's finished 720-tick samples cover ticks 0..4,319.
    assert reads[0][0] > 0 and reads[0][3] == len(range(0, 6 * 720, 50))
