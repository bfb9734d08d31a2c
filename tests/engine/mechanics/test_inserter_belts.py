"""Inserters and belts (issue 8, point 2): belt to chest and chest to belt at the rates the prototype gives.

With a one-item hand an inserter never waits on a belt that keeps an item at its pickup point (a compressed lane
refills the gap one item spacing (0.25 tile) behind within 0.25 / transport-belt.speed = 8 ticks, less than any
swing), nor on a moving belt at its drop point, so its cycle is the chest-to-chest one: two half swings of
max(ceil(0.5 / rotation_speed), ceil(|insert_position| - |pickup_position|) / extension_speed) ticks. The Factorio
wiki's Inserters page publishes the same figures for chest-to-belt and belt-to-chest as for chest-to-chest with a
one-item hand: 0.83 items/s for the inserter and 2.31 for the fast inserter.
"""

from __future__ import annotations

import pytest

from .conftest import clear_land, lua, ticks_of_changes
from .test_inserter_rates import half_swing

# Runs of east-facing transport belts on the inserter's pickup or drop row. A feeding run ends just past the
# pickup point (only items upstream of it can reach it: 44 tiles hold 352, more than a minute takes); a run that
# carries items away starts just before the drop point and is long enough not to fill up in a minute.
FEED = (-42, 1)
CARRY = (-1, 44)


def _belt_row(engine, y: float, run: tuple[int, int]) -> None:
    lua(engine, f"for x = {run[0]}, {run[1]} do s.create_entity{{name = 'transport-belt', "
                f"position = {{x + 0.5, {y}}}, direction = defines.direction.east, force = 'player'}} end")


def _fill_compressed(engine, y: float, item: str) -> int:
    """Both lanes of the feeding row full (4 items per tile per lane); returns how many went on."""
    return int(lua(engine, f"""
        local n = 0
        for x = {FEED[0]}, {FEED[1]} do
          local belt = s.find_entity('transport-belt', {{x + 0.5, {y}}})
          for lane = 1, 2 do
            local line = belt.get_transport_line(lane)
            for k = 0, 3 do
              if line.insert_at(0.125 + 0.25 * k, {{name = '{item}', count = 1}}) then n = n + 1 end
            end
          end
        end
        rcon.print(n)"""))


def _belt_items(engine, y: float, item: str) -> int:
    return int(lua(engine, f"""
        local n = 0
        for x = {CARRY[0]}, {CARRY[1]} do
          local belt = s.find_entity('transport-belt', {{x + 0.5, {y}}})
          n = n + belt.get_transport_line(1).get_item_count('{item}') + belt.get_transport_line(2).get_item_count('{item}')
        end
        rcon.print(n)"""))


def _inserter(engine, name: str, fuel: bool = True) -> None:
    lua(engine, f"storage.i = s.create_entity{{name = '{name}', position = {{0.5, 0.5}}, force = 'player'}} "
                "if storage.i.get_fuel_inventory() then storage.i.get_fuel_inventory().insert{name = 'coal', count = 50} end")


@pytest.mark.parametrize("name", ["inserter", "fast-inserter"])
def test_belt_to_chest_on_the_prototype_ticks_and_for_sixty_seconds(engine, protos, name):
    proto = protos.raw["inserter"][name]
    h = half_swing(proto)
    clear_land(engine, FEED[0] - 2, -8, 8, 8)
    pickup_y = 0.5 + proto["pickup_position"][1]
    drop_y = 0.5 + proto["insert_position"][1]
    _belt_row(engine, pickup_y, FEED)
    assert _fill_compressed(engine, pickup_y, "iron-plate") == 2 * 4 * (FEED[1] - FEED[0] + 1)
    lua(engine, f"storage.dst = s.create_entity{{name = 'iron-chest', position = {{0.5, {drop_y}}}, force = 'player'}}")
    start = engine.tick
    _inserter(engine, name)
    count = lambda: int(lua(engine, "rcon.print(storage.dst.get_item_count('iron-plate'))"))  # noqa: E731
    ticks = ticks_of_changes(engine, count, changes=4, max_ticks=10 * h)
    why = f"{name}.rotation_speed / extension_speed: {h} ticks per half swing"
    assert [t - start for t in ticks] == [h + 1 + 2 * h * k for k in range(4)], why
    engine.run_ticks(3600 - (engine.tick - start))
    expected = 3600 / (2 * h)
    assert abs(count() - expected) <= max(1, 0.01 * expected), f"{count()} plates in 60 s, expected {expected:.1f}"


@pytest.mark.parametrize("name", ["inserter", "fast-inserter"])
def test_chest_to_belt_on_the_prototype_ticks_and_for_sixty_seconds(engine, protos, name):
    proto = protos.raw["inserter"][name]
    h = half_swing(proto)
    clear_land(engine, -8, -8, CARRY[1] + 2, 8)
    pickup_y = 0.5 + proto["pickup_position"][1]
    drop_y = 0.5 + proto["insert_position"][1]
    lua(engine, f"storage.src = s.create_entity{{name = 'iron-chest', position = {{0.5, {pickup_y}}}, force = 'player'}} "
                "storage.src.insert{name = 'iron-plate', count = 400}")
    _belt_row(engine, drop_y, CARRY)
    start = engine.tick
    _inserter(engine, name)
    on_belt = lambda: _belt_items(engine, drop_y, "iron-plate")  # noqa: E731
    ticks = ticks_of_changes(engine, on_belt, changes=4, max_ticks=10 * h)
    assert [t - start for t in ticks] == [h + 1 + 2 * h * k for k in range(4)]
    engine.run_ticks(3600 - (engine.tick - start))
    expected = 3600 / (2 * h)
    got = on_belt()
    assert abs(got - expected) <= max(1, 0.01 * expected), f"{got} plates on the belt in 60 s, expected {expected:.1f}"
    # Dropped onto the lane away from the inserter (the far lane), as the game does.
    far, near = (2, 1) if proto["insert_position"][1] > 0 else (1, 2)
    lanes = lua(engine, f"local b = s.find_entity('transport-belt', {{{CARRY[1]} + 0.5, {drop_y}}}) "
                        f"rcon.print(b.get_transport_line({far}).get_item_count() .. ' ' .. b.get_transport_line({near}).get_item_count())")
    assert int(lanes.split()[1]) == 0 and int(lanes.split()[0]) > 0, lanes
