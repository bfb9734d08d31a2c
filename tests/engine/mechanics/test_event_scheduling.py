"""Machines are updated only at their event ticks, yet read exactly as if updated every tick.

Each reading test steps the engine one tick at a time and compares what Lua reads (crafting_progress,
mining_progress, remaining_burning_fuel, energy, item counts, status) with a per-tick model of the machine written
here from the prototype fields, tick by tick and with ==, not approximately (numbers cross as %.17g: exact).
"""

from __future__ import annotations

from factoryverse.engine.api.defines import define_value
from factoryverse.engine.prototypes import parse_energy

from .conftest import clear_land, lua
from .power import demand_of, set_production

_EPS = 1e-9


class _Burner:
    """The per-tick burner: a tick of work takes `usage` joules, taking a fuel item when what is left falls short."""

    def __init__(self, usage: float, fuel_value: float, items: int):
        self.usage, self.fuel_value, self.items, self.remaining = usage, fuel_value, items, 0.0

    def draw(self) -> bool:
        while self.remaining < self.usage - _EPS:
            if not self.items:
                return False
            self.items -= 1
            self.remaining += self.fuel_value
        self.remaining -= self.usage
        if self.remaining <= _EPS:
            self.remaining = 0.0
        return True

    def energy(self) -> float:
        return self.usage if self.remaining >= self.usage - _EPS or self.items else self.remaining


def _status(name: str) -> str:
    return str(define_value("entity_status", name))


def test_a_smelting_furnace_reads_as_if_updated_every_tick(engine, protos):
    furnace = protos.raw["furnace"]["stone-furnace"]
    recipe = protos.recipes["iron-plate"]
    need = float(recipe["energy_required"]) * 60  # iron-plate.energy_required, in ticks at speed 1
    speed = float(furnace["crafting_speed"])  # stone-furnace.crafting_speed
    burner = _Burner(parse_energy(furnace["energy_usage"]) / 60, parse_energy(protos.items["coal"]["fuel_value"]), 2)
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "storage.f = s.create_entity{name = 'stone-furnace', position = {0, 0}, force = 'player'} "
        "storage.f.insert{name = 'coal', count = 2} storage.f.insert{name = 'iron-ore', count = 20}")
    ore, plates, crafting, progress = 20, 0, False, 0.0
    read = ("local f = storage.f rcon.print(string.format('%.17g %.17g %.17g ', f.crafting_progress, "
            "f.burner.remaining_burning_fuel, f.energy) .. f.get_item_count('iron-plate') .. ' ' .. f.get_item_count('iron-ore') .. ' ' .. "
            "f.get_item_count('coal') .. ' ' .. f.status)")
    # Past the second coal's take (coal.fuel_value / stone-furnace.energy_usage = 2666.7 ticks of work).
    for tick in range(2800):
        if not crafting:
            ore, crafting, progress = ore - 1, True, 0.0
        assert burner.draw()
        progress += speed
        if progress + _EPS >= need:
            plates, crafting, progress = plates + 1, False, 0.0
        engine.step()
        expected = [progress / need if crafting else 0.0, burner.remaining, burner.energy(), plates, ore, burner.items]
        got = lua(engine, read).split()
        assert [float(v) for v in got[:3]] + [int(v) for v in got[3:6]] == expected, f"tick {engine.tick}"
        assert got[6] == _status("working")
    assert plates == 14 and burner.items == 0  # the model really crossed crafts and a fuel take


def test_a_mining_drill_reads_as_if_updated_every_tick(engine, protos):
    drill = protos.raw["mining-drill"]["burner-mining-drill"]
    need = float(protos.raw["resource"]["iron-ore"]["minable"]["mining_time"]) * 60  # iron-ore.minable.mining_time
    speed = float(drill["mining_speed"])  # burner-mining-drill.mining_speed
    burner = _Burner(parse_energy(drill["energy_usage"]) / 60, parse_energy(protos.items["wood"]["fuel_value"]), 3)
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "for x = -1, 0 do for y = -1, 0 do s.create_entity{name = 'iron-ore', position = {x + 0.5, y + 0.5}, "
        "amount = 1000} end end "
        "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} "
        "storage.d.insert{name = 'wood', count = 3} "
        "storage.chest = s.create_entity{name = 'wooden-chest', position = storage.d.drop_position, force = 'player'}")
    progress, mined = 0.0, 0
    read = ("local d = storage.d rcon.print(string.format('%.17g %.17g %.17g ', d.mining_progress, "
            "d.burner.remaining_burning_fuel, d.energy) .. storage.chest.get_item_count('iron-ore') .. ' ' .. d.get_item_count('wood') .. ' ' .. d.status)")
    # Across two wood takes (wood.fuel_value / burner-mining-drill.energy_usage = 800 ticks of work each).
    for tick in range(1700):
        assert burner.draw()
        progress += speed
        if progress + _EPS >= need:
            progress, mined = max(0.0, progress - need), mined + 1
        engine.step()
        got = lua(engine, read).split()
        expected = [progress / 60, burner.remaining, burner.energy(), mined, burner.items]
        assert [float(v) for v in got[:3]] + [int(v) for v in got[3:5]] == expected, f"tick {engine.tick}"
        assert got[5] == _status("working")
    assert mined == 7 and burner.items == 0


def test_blocked_machines_are_not_updated_until_what_they_wait_on_changes(engine, protos):
    clear_land(engine, -6, -6, 6, 6)
    world = engine.world
    lua(engine, "storage.f = s.create_entity{name = 'stone-furnace', position = {0, 0}, force = 'player'} "
        "storage.f.insert{name = 'iron-ore', count = 5}")
    engine.step()
    assert lua(engine, "rcon.print(storage.f.status)") == _status("no_fuel")
    updates = world.entity_updates
    engine.run_ticks(1000)
    assert world.entity_updates == updates, "a furnace without fuel costs nothing per tick"
    assert len(world.scheduler) == 0
    tick = engine.tick
    lua(engine, "storage.f.insert{name = 'coal', count = 1}")
    period = int(float(protos.recipes["iron-plate"]["energy_required"]) * 60)  # stone-furnace.crafting_speed is 1
    engine.run_ticks(period)
    assert lua(engine, "rcon.print(storage.f.get_item_count('iron-plate') .. ' ' .. storage.f.status)") == (
        f"1 {_status('working')}"
    ), f"woken by the coal at tick {tick}, its first plate {period} ticks later (iron-plate.energy_required)"


def test_a_drill_with_a_full_chest_sleeps_and_all_its_waiting_drills_wake_when_it_empties(engine, protos):
    """Two drills drop into one chest (north-facing at (0, 0), south-facing at (-1, -3)); with the chest full they
    wait without being updated and without burning fuel, and taking items out wakes both, not one."""
    period = int(float(protos.raw["resource"]["iron-ore"]["minable"]["mining_time"])
                 / float(protos.raw["mining-drill"]["burner-mining-drill"]["mining_speed"]) * 60)
    slots = int(protos.raw["container"]["wooden-chest"]["inventory_size"])
    stack = int(protos.items["stone"]["stack_size"])
    clear_land(engine, -8, -8, 8, 8)
    reply = lua(
        engine,
        "for _, c in pairs({{0, 0}, {-1, -3}}) do for dx = -1, 0 do for dy = -1, 0 do "
        "s.create_entity{name = 'iron-ore', position = {c[1] + dx + 0.5, c[2] + dy + 0.5}, amount = 1000} end end end "
        "storage.a = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} "
        "storage.b = s.create_entity{name = 'burner-mining-drill', position = {-1, -3}, force = 'player', "
        "direction = defines.direction.south} "
        "storage.a.insert{name = 'coal', count = 5} storage.b.insert{name = 'coal', count = 5} "
        "storage.chest = s.create_entity{name = 'wooden-chest', position = storage.a.drop_position, force = 'player'} "
        f"storage.chest.insert{{name = 'stone', count = {slots * stack}}} "
        "local p = storage.b.drop_position "
        "rcon.print(tostring(s.find_entity('wooden-chest', p) == storage.chest))",
    )
    assert reply == "true", "both drills must drop into the one chest"
    engine.run_ticks(period + 1)
    waiting = _status("waiting_for_space_in_destination")
    assert lua(engine, "rcon.print(storage.a.status .. ' ' .. storage.b.status)") == f"{waiting} {waiting}"
    fuel = lua(engine, "rcon.print(storage.a.burner.remaining_burning_fuel .. ' ' .. storage.b.burner.remaining_burning_fuel)")
    updates = engine.world.entity_updates
    engine.run_ticks(2000)
    assert engine.world.entity_updates == updates, "waiting drills are not polled"
    assert lua(engine, "rcon.print(storage.a.burner.remaining_burning_fuel .. ' ' .. storage.b.burner.remaining_burning_fuel)") == fuel
    lua(engine, f"storage.chest.remove_item{{name = 'stone', count = {2 * stack}}}")
    engine.step()
    assert lua(engine, "rcon.print(storage.chest.get_item_count('iron-ore'))") == "2", "both drills delivered"
    tick = engine.tick
    # Delivering, each went straight on mining: the next ore of each is one period after the delivery's update.
    engine.run_ticks(period - 1)
    assert lua(engine, "rcon.print(storage.chest.get_item_count('iron-ore'))") == "4", f"from tick {tick - 1}: {period}"


def test_a_depleted_resource_stops_its_drill_in_the_same_update(engine, protos):
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "storage.ore = s.create_entity{name = 'iron-ore', position = {-0.5, -0.5}, amount = 100} "
        "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} "
        "storage.d.insert{name = 'coal', count = 5}")
    engine.run_ticks(50)
    before = lua(engine, "rcon.print(storage.d.burner.remaining_burning_fuel)")
    lua(engine, "storage.ore.destroy()")
    engine.step()
    # The drill is woken by its resource going, not at its cycle's end: it burnt nothing more.
    assert lua(engine, "rcon.print(storage.d.status .. ' ' .. storage.d.burner.remaining_burning_fuel)") == (
        f"{_status('no_minable_resources')} {before}"
    )


def test_a_change_in_electric_satisfaction_reschedules_the_machine(engine, protos):
    """electric-furnace crafts at crafting_speed x satisfaction, and each change of satisfaction (an electric energy
    interface's power_production against the furnace's energy_usage + drain) moves its completion tick."""
    speed = float(protos.raw["furnace"]["electric-furnace"]["crafting_speed"])
    need = float(protos.recipes["iron-plate"]["energy_required"]) * 60
    assert need / speed == int(need / speed)
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "storage.f = s.create_entity{name = 'electric-furnace', position = {0.5, 0.5}, force = 'player'} "
        "storage.f.insert{name = 'iron-ore', count = 10}")
    furnace = engine.world.by_unit_number[int(lua(engine, "rcon.print(storage.f.unit_number)"))]
    interface = next(e for e in engine.world.surfaces["nauvis"].all_entities() if e.name == "electric-energy-interface")
    set_production(engine, interface, 0.0)  # satisfaction 0: a network with no power
    engine.step()
    assert lua(engine, "rcon.print(storage.f.status .. ' ' .. storage.f.energy)") == f"{_status('no_power')} 0"
    set_production(engine, interface, demand_of(furnace))
    start = engine.tick
    engine.run_ticks(int(need / speed))
    assert lua(engine, "rcon.print(storage.f.get_item_count('iron-plate'))") == "1", "iron-plate.energy_required / crafting_speed"
    engine.run_ticks(24)  # the second craft began in the first plate's next update: 24 ticks of work at full speed
    assert lua(engine, "rcon.print(storage.f.crafting_progress)") == str(24 * speed / need)
    set_production(engine, interface, 0.5 * demand_of(furnace))
    assert lua(engine, "rcon.print(storage.f.crafting_progress)") == str(24 * speed / need)
    left = need - 24 * speed  # at half speed now
    engine.run_ticks(int(left / (speed * 0.5)) - 1)
    assert lua(engine, "rcon.print(storage.f.get_item_count('iron-plate') .. ' ' .. storage.f.status)") == f"1 {_status('low_power')}"
    engine.step()
    assert lua(engine, "rcon.print(storage.f.get_item_count('iron-plate'))") == "2"
    engine.run_ticks(10)
    set_production(engine, interface, 0.0)
    engine.step()
    frozen = lua(engine, "rcon.print(storage.f.crafting_progress .. ' ' .. storage.f.status)")
    engine.run_ticks(500)
    assert lua(engine, "rcon.print(storage.f.crafting_progress .. ' ' .. storage.f.status)") == frozen
    assert frozen.endswith(_status("no_power")) and engine.tick > start
