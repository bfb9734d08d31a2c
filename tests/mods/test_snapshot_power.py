"""fv_snapshot's power deltas: a `power_changed` delta carries the electric networks whose production, consumption
or pole count moved since power.jsonl or the previous delta, sampled once a second after the bootstrap
(scripts/power.lua). Every test runs on each Factorio version (conftest.py).
"""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine

from .test_mods_on_engine import _call
from .test_snapshot_records import _check_log, _jsonl, _log, _sc
from .test_snapshot_runs import _bootstrap

# scripts/power.lua's SAMPLE_TICKS: a network is read once per 60 ticks.
_SAMPLE = 60
# A pole, a producer and a consumer (electric-energy-interface, whose power_production and power_usage a script
# sets in joules per tick), on ground cleared of the map's trees and rocks.
_NETWORK = """
local s = game.surfaces[1]
for _, e in pairs(s.find_entities_filtered{area = {{16, 14}, {28, 28}}}) do
  if e.type ~= 'character' then e.destroy() end
end
storage.pole = s.create_entity{name = 'small-electric-pole', position = {20.5, 20.5}, force = 'player', raise_built = true}
storage.source = s.create_entity{name = 'electric-energy-interface', position = {23, 20}, force = 'player', raise_built = true}
storage.source.power_production = 1000 storage.source.power_usage = 0
storage.load = s.create_entity{name = 'electric-energy-interface', position = {19, 18}, force = 'player', raise_built = true}
storage.load.power_production = 0 storage.load.power_usage = 0
"""
_USAGE = 500  # joules per tick the load asks


def _power_deltas(log: list[dict]) -> list[dict]:
    return [r for r in log if r["type"] == "power_changed"]


def build_network(engine: Engine) -> None:
    _sc(engine, _NETWORK)


def test_power_changed_is_sent_while_a_networks_totals_move_and_only_then(engine, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-p'}")
    _bootstrap(engine)
    assert _jsonl(tmp_path / "fv_snapshot" / "nauvis" / "power.jsonl") == []  # no poles on the start area
    build_network(engine)
    engine.run_ticks(2 * _SAMPLE)
    # A new network is news once; with nothing drawing power its totals stay put and nothing more is sent.
    (first,) = _power_deltas(_log(tmp_path))
    (network,) = first["networks"]
    pole = next(r for r in _log(tmp_path) if r["type"] == "entity_built" and r["entity"]["name"] == "small-electric-pole")
    assert network["network_id"] == pole["entity"]["electric_network_id"] and network["poles"] == 1
    assert network["consumption"] == {} and first["surface"] == "nauvis"
    # A load: each sample's totals have grown by what the load drew in between (LuaFlowStatistics.output_counts).
    _sc(engine, f"storage.load.power_usage = {_USAGE}")
    engine.run_ticks(3 * _SAMPLE)
    working = _power_deltas(_log(tmp_path))[1:]
    assert len(working) == 3, working
    drawn = [d["networks"][0]["consumption"]["electric-energy-interface"] for d in working]
    assert drawn[2] - drawn[1] == pytest.approx(_SAMPLE * _USAGE)
    assert [d["networks"][0]["production"]["electric-energy-interface"] for d in working] == pytest.approx(drawn)
    # The load stops: one last delta with the final totals, then silence.
    _sc(engine, "storage.load.power_usage = 0")
    engine.run_ticks(_SAMPLE + 1)
    settled = len(_power_deltas(_log(tmp_path)))
    engine.run_ticks(4 * _SAMPLE)
    assert len(_power_deltas(_log(tmp_path))) == settled
    _check_log(_log(tmp_path))
    assert engine.mod_errors == []


def test_power_jsonl_is_the_baseline_of_the_deltas(engine, tmp_path):
    """A network already in power.jsonl is not sent again until it changes; a second pole joining it is a change."""
    build_network(engine)
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-q'}")
    _bootstrap(engine)
    (written,) = _jsonl(tmp_path / "fv_snapshot" / "nauvis" / "power.jsonl")
    assert written["poles"] == 1
    engine.run_ticks(2 * _SAMPLE)
    assert _power_deltas(_log(tmp_path)) == []
    _sc(engine, "game.surfaces[1].create_entity{name = 'small-electric-pole', position = {24.5, 24.5}, "
                "force = 'player', raise_built = true}")
    engine.run_ticks(_SAMPLE)
    (joined,) = _power_deltas(_log(tmp_path))
    assert joined["networks"][0]["network_id"] == written["network_id"] and joined["networks"][0]["poles"] == 2
    _check_log(_log(tmp_path))


def test_a_big_factorys_poles_are_read_over_several_samples(engine, tmp_path):
    """A sample reads at most 400 poles (scripts/power.lua), so a network of 402 is read over two samples and its
    delta follows the second, with every pole counted."""
    _sc(engine, """
local s = game.surfaces[1]
for _, e in pairs(s.find_entities_filtered{area = {{-62, -62}, {-38, -38}}}) do
  if e.type ~= 'character' then e.destroy() end
end
for i = 0, 400 do
  s.create_entity{name = 'small-electric-pole', position = {-60.5 + i % 21, -60.5 + math.floor(i / 21)}, force = 'player'}
end
""")
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-big'}")
    _bootstrap(engine)
    (written,) = _jsonl(tmp_path / "fv_snapshot" / "nauvis" / "power.jsonl")
    assert written["poles"] == 401
    _sc(engine, "game.surfaces[1].create_entity{name = 'small-electric-pole', position = {-39.5, -39.5}, "
                "force = 'player', raise_built = true}")
    # The round's first sample (engine.tick is the tick the next step runs): 400 poles read, nothing sent.
    first = -(-engine.tick // _SAMPLE) * _SAMPLE
    engine.run_ticks(first - engine.tick + 1)
    assert _power_deltas(_log(tmp_path)) == []
    engine.run_ticks(_SAMPLE)
    (delta,) = _power_deltas(_log(tmp_path))
    assert delta["tick"] == first + _SAMPLE and delta["networks"][0]["poles"] == 402
    _check_log(_log(tmp_path))


def test_production_and_consumption_are_the_statistics_output_and_input(engine, tmp_path):
    """Regression: records.lua read an electric network's input counts as production, but for electric networks
    LuaFlowStatistics's input side is consumption. A solar panel (production) feeds an interface (consumption)."""
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-s'}")
    _bootstrap(engine)
    build_network(engine)
    _sc(engine, "game.surfaces[1].always_day = true storage.source.power_production = 0 "
                "storage.panel = game.surfaces[1].create_entity{name = 'solar-panel', position = {23, 23}, "
                "force = 'player', raise_built = true} storage.load.power_usage = 10")
    engine.run_ticks(3 * _SAMPLE)
    network = _power_deltas(_log(tmp_path))[-1]["networks"][0]
    assert set(network["production"]) == {"solar-panel"}
    assert set(network["consumption"]) == {"electric-energy-interface"}
    assert engine.mod_errors == []
