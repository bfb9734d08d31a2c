"""Electric networks: poles and copper wires (maximum_wire_distance), supply areas (supply_area_distance),
satisfaction slowing machines to the tick, no_power without a network, priorities, and saves."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.api.defines import define_value
from factoryverse.engine.engine import Engine
from factoryverse.engine.kinds.machine import ticks_to_complete
from factoryverse.engine.state_hash import state_hash

from .conftest import clear_land, lua, ticks_of_changes


@pytest.fixture
def game(unpowered: Engine) -> Engine:
    clear_land(unpowered, -40, -12, 40, 12)
    return unpowered


def _status(name: str) -> str:
    return str(define_value("entity_status", name))


def _make(game: Engine, name: str, x: float, y: float, var: str) -> None:
    lua(game, f"storage.{var} = s.create_entity{{name = '{name}', position = {{{x}, {y}}}, force = 'player'}}")


def _read(game: Engine, expr: str) -> str:
    return lua(game, f"rcon.print({expr})")


# -- poles and wires ------------------------------------------------------------------------------------------


def test_poles_wire_up_within_reach_and_form_one_network(game, protos):
    reach = float(protos.raw["electric-pole"]["small-electric-pole"]["maximum_wire_distance"])  # 7.5
    _make(game, "small-electric-pole", 0.5, 0.5, "a")
    _make(game, "small-electric-pole", 0.5 + math.floor(reach), 0.5, "b")  # 7 tiles: in reach
    _make(game, "small-electric-pole", 0.5 + math.floor(reach) + 8, 0.5, "c")  # 8 more: out of reach
    ids = _read(game, "storage.a.electric_network_id .. ' ' .. storage.b.electric_network_id .. ' ' .. storage.c.electric_network_id")
    a, b, c = ids.split()
    assert a == b != c
    copper = "defines.wire_connector_id.pole_copper"
    assert _read(game, f"#storage.a.get_wire_connector({copper}, true).connections") == "1"
    assert _read(game, "storage.b.can_wires_reach(storage.c)") == "false"
    # Connecting beyond reach: connect_to returns false and changes nothing (LuaWireConnector::connect_to).
    assert _read(game, f"storage.b.get_wire_connector({copper}, true).connect_to(storage.c.get_wire_connector({copper}, true))") == "false"
    assert _read(game, "storage.b.electric_network_id ~= storage.c.electric_network_id") == "true"
    # Without the reach check the wire is made and the networks merge.
    assert _read(game, f"storage.b.get_wire_connector({copper}, true).connect_to(storage.c.get_wire_connector({copper}, true), false)") == "true"
    assert _read(game, "storage.b.electric_network_id == storage.c.electric_network_id") == "true"
    # Removing the middle pole splits them again.
    lua(game, "storage.b.destroy()")
    assert _read(game, "storage.a.electric_network_id ~= storage.c.electric_network_id") == "true"


def test_big_pole_reach_is_its_own_and_the_smaller_pole_limits_a_wire(game, protos):
    big = float(protos.raw["electric-pole"]["big-electric-pole"]["maximum_wire_distance"])  # 32
    small = float(protos.raw["electric-pole"]["small-electric-pole"]["maximum_wire_distance"])
    _make(game, "big-electric-pole", 0, 0, "a")
    _make(game, "big-electric-pole", big, 0, "b")
    _make(game, "small-electric-pole", -math.floor(small) - 1.5, 0.5, "c")  # beyond the small pole's reach
    assert _read(game, "storage.a.electric_network_id == storage.b.electric_network_id") == "true"
    assert _read(game, "storage.a.electric_network_id ~= storage.c.electric_network_id") == "true"


def test_supply_area_decides_who_is_connected(game, protos):
    d = float(protos.raw["electric-pole"]["small-electric-pole"]["supply_area_distance"])  # 2.5
    _make(game, "small-electric-pole", 0.5, 0.5, "p")
    # The supply area spans 0.5 +- 2.5: the inserter on the last tile inside is connected, the next one is not.
    _make(game, "inserter", 0.5 + d - 0.5, 0.5, "near")
    _make(game, "inserter", 0.5 + d + 0.5, 0.5, "far")
    assert _read(game, "storage.near.is_connected_to_electric_network()") == "true"
    assert _read(game, "storage.far.is_connected_to_electric_network()") == "false"
    assert _read(game, "tostring(storage.far.electric_network_id)") == "nil"


# -- power ------------------------------------------------------------------------------------------------------


def _drill_on_ore(game: Engine) -> None:
    lua(game, "for dx = -1, 1 do for dy = -1, 1 do s.create_entity{name = 'iron-ore', position = {dx + 0.5, dy + 0.5}, amount = 1000} end end "
        "storage.d = s.create_entity{name = 'electric-mining-drill', position = {0.5, 0.5}, force = 'player'} "
        "local p = storage.d.drop_position "
        "storage.c = s.create_entity{name = 'iron-chest', position = p, force = 'player'}")


def test_an_unconnected_electric_machine_has_no_power(game):
    _drill_on_ore(game)
    game.run_ticks(120)
    assert _read(game, "storage.d.status") == _status("no_power")
    assert _read(game, "storage.c.get_item_count('iron-ore')") == "0"


def test_a_drill_at_two_thirds_satisfaction_mines_on_the_derived_tick(game, protos):
    """electric-mining-drill.mining_speed x satisfaction per tick against iron-ore.minable.mining_time x 60; the
    interface supplies 2/3 of electric-mining-drill.energy_usage (the drill has no drain)."""
    drill = protos.raw["mining-drill"]["electric-mining-drill"]
    need = float(protos.raw["resource"]["iron-ore"]["minable"]["mining_time"]) * 60
    usage = float(drill["energy_usage"].removesuffix("kW")) * 1000 / 60
    _drill_on_ore(game)
    _make(game, "small-electric-pole", 3.5, 3.5, "p")
    _make(game, "electric-energy-interface", 6, 6, "i")
    lua(game, f"storage.i.power_production = {usage * 2 / 3!r}")
    start = game.tick
    ticks = ticks_of_changes(game, lambda: int(_read(game, "storage.c.get_item_count('iron-ore')")), 2, 1000)
    sat = game.world.electric.network_of(game.world.by_unit_number[int(_read(game, "storage.d.unit_number"))]).satisfaction
    assert sat == pytest.approx(2 / 3, abs=1e-12)
    rate = float(drill["mining_speed"]) * sat
    first = ticks_to_complete(0.0, rate, need)
    # The drill's first update is the tick after it was built; item counts read after the completing tick.
    assert ticks[0] == start + first
    assert ticks[1] - ticks[0] == ticks_to_complete(rate * first - need, rate, need)
    assert _read(game, "storage.d.status") == _status("low_power")


def test_solar_first_then_the_tertiary_interface(game, protos):
    """solar-panel.production ("solar" priority) is used before a tertiary electric energy interface."""
    panel = float(protos.raw["solar-panel"]["solar-panel"]["production"].removesuffix("kW")) * 1000 / 60
    lua(game, "s.always_day = true")
    _make(game, "small-electric-pole", 0.5, 0.5, "p")
    _make(game, "solar-panel", 3, 0, "sp")
    _make(game, "electric-energy-interface", -2, 0, "i")
    lua(game, "storage.i.power_usage = 0 storage.i.power_production = 1e9")
    # A load below the panel's output: the panel carries all of it.
    lua(game, f"storage.load = s.create_entity{{name = 'electric-energy-interface', position = {{0, 3}}, force = 'player'}} "
        f"storage.load.power_production = 0 storage.load.power_usage = {panel / 2!r}")
    net = game.world.electric.network_of(game.world.by_unit_number[int(_read(game, "storage.p.unit_number"))])
    game.step()
    assert net.solar_drawn == pytest.approx(panel / 2)
    producers = {p.owner.name: net.drawn.get(oid, 0.0) for oid, p in net.producers.items()}
    assert producers["electric-energy-interface"] == 0.0
    # A load of two panels: the interface gives what the panel cannot.
    lua(game, f"storage.load.power_usage = {panel * 2!r}")
    game.step()
    assert net.solar_drawn == pytest.approx(panel)
    assert sum(net.drawn.values()) == pytest.approx(panel)
    assert net.satisfaction == 1.0


def test_statistics_count_energy_per_prototype(game, protos):
    _make(game, "small-electric-pole", 0.5, 0.5, "p")
    _make(game, "electric-energy-interface", 3, 0, "i")
    lua(game, "storage.i.power_production = 100 storage.load = s.create_entity{name = 'electric-energy-interface', "
        "position = {-2, 0}, force = 'player'} storage.load.power_production = 0 storage.load.power_usage = 50")
    game.run_ticks(60)
    stats = "storage.p.electric_network_statistics"
    assert float(_read(game, f"{stats}.get_output_count('electric-energy-interface')")) == pytest.approx(50 * 60)
    assert float(_read(game, f"{stats}.get_input_count('electric-energy-interface')")) == pytest.approx(50 * 60)


def test_cost_grows_with_changes_not_with_consumers(unpowered):
    """A thousand powered inserters waiting for items cost no updates and no network solutions per tick."""
    game = unpowered
    clear_land(game, -40, -40, 40, 40)
    lua(game, "s.create_global_electric_network() storage.i = s.create_entity{name = 'electric-energy-interface', "
        "position = {-35, -35}, force = 'player'}")
    lua(game, "for x = -30, 30, 2 do for y = -30, 30, 2 do s.create_entity{name = 'inserter', position = {x + 0.5, y + 0.5}, force = 'player'} end end")
    game.run_ticks(5)
    updates = game.world.entity_updates
    game.run_ticks(600)
    assert game.world.entity_updates == updates
    assert len(game.world.electric.timers) == 0


# -- saves --------------------------------------------------------------------------------------------------------


def test_networks_continue_exactly_across_save_load_and_fork(tmp_path, protos):
    game = Engine(seed=1, mods=[], starting_chunks=2)
    clear_land(game, -20, -12, 20, 12)
    _drill_on_ore(game)
    _make(game, "small-electric-pole", 3.5, 3.5, "p")
    _make(game, "solar-panel", 6, 6, "sp")
    _make(game, "accumulator", 3, 7, "acc")
    _make(game, "electric-energy-interface", 8, 2, "i")
    lua(game, "storage.i.power_production = 1000 s.daytime = 0.3")
    game.run_ticks(1237)
    loaded = Engine.load(game.save(tmp_path, "power"), mods=[])
    fork = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    for g in (game, loaded, fork):
        g.run_ticks(3001)
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    assert int(_read(game, "storage.c.get_item_count('iron-ore')")) > 0


def test_statistics_have_the_games_precision_windows_and_storage(game, protos):
    """electric_network_statistics as the game sides them: input is consumption, output production, storage what
    accumulators hold; get_flow_count reads each defines.flow_precision_index window of 300 samples."""
    _make(game, "small-electric-pole", 0.5, 0.5, "p")
    _make(game, "electric-energy-interface", 3, 0, "i")
    lua(game, "storage.i.power_production = 100 storage.load = s.create_entity{name = 'electric-energy-interface', "
        "position = {-2, 0}, force = 'player'} storage.load.power_production = 0 storage.load.power_usage = 50")
    t0 = game.tick  # a script's change applies from the current tick
    game.run_ticks(700)
    lua(game, "storage.load.power_usage = 20")
    t1 = game.tick
    game.run_ticks(333)
    now = game.tick

    def used(a: int, b: int) -> float:  # joules the load took over ticks [a, b)
        return 50 * max(0, min(b, t1) - max(a, t0)) + 20 * max(0, b - max(a, t1))

    stats = "storage.p.electric_network_statistics"
    name = "'electric-energy-interface'"

    def flow(precision: str, extra: str = "") -> float:
        return float(_read(game, f"{stats}.get_flow_count{{name = {name}, category = 'input', count = true, "
                                 f"precision_index = defines.flow_precision_index.{precision}{extra}}}"))

    assert float(_read(game, f"{stats}.get_input_count({name})")) == pytest.approx(used(t0, now))
    assert float(_read(game, f"{stats}.get_output_count({name})")) == pytest.approx(used(t0, now))
    assert flow("five_seconds") == pytest.approx(used(now - 300, now))  # 1-tick samples
    start = (now // 12 - 300) * 12  # one_minute: 300 samples of 12 ticks before the one being filled
    assert flow("one_minute") == pytest.approx(used(start, now // 12 * 12))
    assert flow("one_minute", ", sample_index = 1") == pytest.approx(used(now // 12 * 12 - 12, now // 12 * 12))
    assert flow("ten_minutes") == pytest.approx(used(0, now // 120 * 120))
    # Reading changed nothing; the open stretch keeps counting from the last change.
    game.run_ticks(12)
    assert float(_read(game, f"{stats}.get_input_count({name})")) == pytest.approx(used(t0, now + 12))
    # Accumulators show their charge on the storage side.
    _make(game, "accumulator", 0, 3, "a")
    lua(game, "storage.a.energy = 500000")
    game.run_ticks(60)  # it discharges alongside the tertiary interface: compare at one tick
    reads = _read(game, f"storage.a.energy .. ' ' .. {stats}.get_storage_count('accumulator') .. ' ' .. "
                          f"{stats}.storage_counts.accumulator")
    charge, counted, listed = (float(v) for v in reads.split())
    assert 0 < charge < 500000
    assert counted == pytest.approx(charge) and listed == pytest.approx(charge)
    # Scripts write them as the game's other statistics; a name must be an entity's.
    lua(game, f"{stats}.set_output_count({name}, 7) {stats}.on_flow('accumulator', -5)")
    assert _read(game, f"{stats}.get_output_count({name})") == "7"
    reply = game.execute_command(f"/sc {stats}.get_input_count('no-such-entity')")
    assert "Unknown entity name: no-such-entity" in reply
    lua(game, f"{stats}.clear()")
    assert float(_read(game, f"{stats}.get_input_count({name})")) == 0


def test_joined_networks_keep_both_histories(game):
    _make(game, "small-electric-pole", 0.5, 0.5, "p")
    _make(game, "electric-energy-interface", 3, 0, "i")
    _make(game, "small-electric-pole", 20.5, 0.5, "q")
    lua(game, "storage.i.power_production = 0 storage.i.power_usage = 10")
    t0 = game.tick
    game.run_ticks(100)
    lua(game, "s.create_entity{name = 'small-electric-pole', position = {7.5, 0.5}, force = 'player'} "
        "s.create_entity{name = 'small-electric-pole', position = {14.5, 0.5}, force = 'player'}")
    assert _read(game, "storage.p.electric_network_id == storage.q.electric_network_id") == "true"
    # The interface asked 10 J per tick of a network without supply: nothing was consumed, so nothing counted.
    assert _read(game, "storage.q.electric_network_statistics.get_input_count('electric-energy-interface')") == "0"
    lua(game, "storage.i.power_production = 40")
    t1 = game.tick
    game.run_ticks(50)
    out = float(_read(game, "storage.q.electric_network_statistics.get_output_count('electric-energy-interface')"))
    assert out == pytest.approx(10 * (game.tick - t1))
    assert t1 - t0 == 100


def test_energy_generated_last_tick_is_what_each_generator_gives(game, protos):
    panel = float(protos.raw["solar-panel"]["solar-panel"]["production"].removesuffix("kW")) * 1000 / 60
    lua(game, "s.always_day = true")
    _make(game, "small-electric-pole", 0.5, 0.5, "p")
    _make(game, "solar-panel", 3, 0, "sp")
    _make(game, "electric-energy-interface", -2, 0, "i")
    lua(game, f"storage.i.power_usage = {panel * 1.5!r} storage.i.power_production = 0")
    game.step()
    assert float(_read(game, "storage.sp.energy_generated_last_tick")) == pytest.approx(panel)
    assert float(_read(game, "storage.p.energy_generated_last_tick")) == 0


def test_a_surfaces_global_network_has_its_own_statistics(unpowered):
    game = unpowered
    clear_land(game, -10, -10, 10, 10)
    stats = "s.global_electric_network_statistics"
    assert lua(game, f"rcon.print(table_size({stats}.output_counts))") == "0"  # no global network yet
    assert "create_global_electric_network() first" in game.execute_command(
        f"/sc local s = game.surfaces.nauvis {stats}.set_input_count('electric-energy-interface', 1)")
    lua(game, "s.create_global_electric_network() storage.i = s.create_entity{name = 'electric-energy-interface', "
        "position = {0, 0}, force = 'player'} storage.i.power_production = 30 storage.i.power_usage = 12")
    game.run_ticks(100)
    assert float(lua(game, f"rcon.print({stats}.get_input_count('electric-energy-interface'))")) == pytest.approx(1200)
