"""Burner mining drills at the prototype data's rates: one ore per mining_time / mining_speed seconds, delivered at
the drop position (a chest, a furnace, or the ground), statuses, and the resource running out."""

from __future__ import annotations

import pytest

from factoryverse.engine.api.defines import define_value
from factoryverse.engine.world.geometry import rotate_vector

from .conftest import clear_land, lua, ticks_of_changes


@pytest.fixture
def iron_site(engine) -> tuple[int, int]:
    """A drill position (a tile corner) on the starting iron patch with iron ore under all four tiles."""
    surface = engine.world.surfaces["nauvis"]
    patch = next(p for p in surface.mapgen.starting_patches if p.name == "iron-ore")
    cx, cy = round(patch.x), round(patch.y)
    for r in range(6):
        for x in range(cx - r, cx + r + 1):
            for y in range(cy - r, cy + r + 1):
                under = [surface.resources_at.get((x + dx, y + dy)) for dx in (-1, 0) for dy in (-1, 0)]
                if all(res is not None and res.name == "iron-ore" for res in under):
                    return x, y
    raise AssertionError("no 2x2 of iron ore at the starting iron patch")


def _period(protos, resource: str = "iron-ore") -> float:
    drill = protos.raw["mining-drill"]["burner-mining-drill"]
    return float(protos.raw["resource"][resource]["minable"]["mining_time"]) / float(drill["mining_speed"]) * 60


def _status(engine, name: str) -> str:
    return str(define_value("entity_status", name))


def _drill_with_chest(engine, x: float, y: float, coal: int = 10) -> None:
    lua(
        engine,
        f"storage.d = s.create_entity{{name = 'burner-mining-drill', position = {{{x}, {y}}}, force = 'player'}} "
        f"if {coal} > 0 then storage.d.insert{{name = 'coal', count = {coal}}} end "
        "storage.chest = s.create_entity{name = 'wooden-chest', position = storage.d.drop_position, force = 'player'}",
    )


def _ore_under(engine, x: int, y: int) -> int:
    """Ore left on the four tiles a burner drill at the tile corner (x, y) covers."""
    return int(
        lua(
            engine,
            f"local n = 0 for _, r in pairs(s.find_entities_filtered{{area = {{{{{x - 1}, {y - 1}}}, {{{x + 1}, {y + 1}}}}}, "
            "type = 'resource'}) do n = n + r.amount end rcon.print(n)",
        )
    )


def _chest_count(engine, item: str = "iron-ore") -> int:
    return int(lua(engine, f"rcon.print(storage.chest.get_item_count('{item}'))"))


def test_drill_outputs_one_ore_every_mining_time_over_mining_speed(engine, protos, iron_site):
    period = _period(protos)
    _drill_with_chest(engine, *iron_site)
    amount_before = _ore_under(engine, *iron_site)
    ticks = ticks_of_changes(engine, lambda: _chest_count(engine), changes=4, max_ticks=int(period * 5))
    why = "iron-ore.minable.mining_time / burner-mining-drill.mining_speed * 60"
    # Built and fuelled at tick 0, the drill works from that tick's update on; its n-th ore is in the chest n
    # periods later, to the tick.
    assert period == int(period), why
    assert ticks == [int(period) * n for n in (1, 2, 3, 4)], f"{why}: {ticks}"
    assert _chest_count(engine) == 4  # one ore per cycle (iron-ore.minable.result, count 1)
    # Each ore took one unit from the ore under the drill.
    assert _ore_under(engine, *iron_site) == amount_before - 4


def test_each_ore_decrements_the_resource(engine, protos):
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "storage.ore = s.create_entity{name = 'iron-ore', position = {-0.5, -0.5}, amount = 100}")
    _drill_with_chest(engine, 0, 0)
    engine.run_ticks(int(_period(protos) * 3) + 1)
    assert _chest_count(engine) == 3
    assert lua(engine, "rcon.print(storage.ore.amount)") == "97"


def test_drop_position_follows_direction(engine, protos):
    vector = protos.raw["mining-drill"]["burner-mining-drill"]["vector_to_place_result"]
    clear_land(engine, -10, -10, 10, 10)
    for direction in ("north", "east", "south", "west"):
        reply = lua(
            engine,
            f"local d = s.create_entity{{name = 'burner-mining-drill', position = {{0, 0}}, force = 'player', "
            f"direction = defines.direction.{direction}}} "
            "rcon.print(d.drop_position.x .. ' ' .. d.drop_position.y .. ' ' .. d.direction) d.destroy()",
        )
        x, y, d = reply.split()
        ex, ey = rotate_vector((float(vector[0]), float(vector[1])), int(d))
        assert (float(x), float(y)) == pytest.approx((ex, ey)), f"burner-mining-drill.vector_to_place_result {direction}"


def test_drill_feeds_a_furnace_at_its_drop_position(engine, protos, iron_site):
    period = _period(protos)
    recipe = protos.recipes["iron-plate"]
    smelt = float(recipe["energy_required"]) / float(protos.raw["furnace"]["stone-furnace"]["crafting_speed"]) * 60
    x, y = iron_site
    reply = lua(
        engine,
        f"storage.d = s.create_entity{{name = 'burner-mining-drill', position = {{{x}, {y}}}, force = 'player'}} "
        "storage.d.insert{name = 'coal', count = 5} "
        f"local spot = {{{x}, {y - 2}}} "
        "local free = s.can_place_entity{name = 'stone-furnace', position = spot} "
        "storage.f = s.create_entity{name = 'stone-furnace', position = spot, force = 'player'} "
        "storage.f.insert{name = 'coal', count = 5} "
        # The drop position lies on one of the furnace's tiles (its collision box rounded out to whole tiles).
        "local p, b = storage.d.drop_position, storage.f.bounding_box "
        "local tx, ty = math.floor(p.x), math.floor(p.y) "
        "rcon.print(tostring(free) .. ' ' .. tostring(tx >= math.floor(b.left_top.x) and tx < math.ceil(b.right_bottom.x) "
        "and ty >= math.floor(b.left_top.y) and ty < math.ceil(b.right_bottom.y)))",
    )
    assert reply == "true true", "the furnace must stand free and cover the drill's drop position"
    engine.run_ticks(int(3 * period + smelt) + 2)
    plates = lua(engine, "rcon.print(storage.f.get_item_count('iron-plate') .. ' ' .. storage.f.get_item_count('iron-ore'))")
    assert plates == "3 0"


def test_drill_without_fuel_reports_no_fuel(engine, iron_site):
    lua(engine, f"storage.d = s.create_entity{{name = 'burner-mining-drill', position = {{{iron_site[0]}, {iron_site[1]}}}, force = 'player'}}")
    assert lua(engine, "rcon.print(storage.d.status)") == _status(engine, "no_fuel")
    engine.run_ticks(60)
    assert lua(engine, "rcon.print(storage.d.status)") == _status(engine, "no_fuel")
    lua(engine, "storage.d.insert{name = 'coal', count = 1}")
    engine.step()
    assert lua(engine, "rcon.print(storage.d.status)") == _status(engine, "working")


def test_drill_on_bare_land_reports_no_minable_resources(engine):
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} storage.d.insert{name = 'coal', count = 1}")
    engine.step()
    assert lua(engine, "rcon.print(storage.d.status)") == _status(engine, "no_minable_resources")
    assert lua(engine, "rcon.print(storage.d.mining_target)") == "nil"


def test_drill_output_onto_bare_ground_then_waits(engine, protos):
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "s.create_entity{name = 'iron-ore', position = {-0.5, -0.5}, amount = 100}")
    lua(engine, "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} storage.d.insert{name = 'coal', count = 5}")
    engine.run_ticks(int(_period(protos) * 3))
    reply = lua(
        engine,
        "local items = s.find_entities_filtered{area = {{-6, -6}, {6, 6}}, name = 'item-on-ground'} "
        "local p = storage.d.drop_position "
        "rcon.print(#items .. ' ' .. tostring(math.abs(items[1].position.x - p.x) < 0.01 and math.abs(items[1].position.y - p.y) < 0.01))",
    )
    assert reply == "1 true"
    assert lua(engine, "rcon.print(storage.d.status)") == _status(engine, "waiting_for_space_in_destination")


def test_resource_runs_out_and_on_resource_depleted_fires(engine, protos):
    clear_land(engine, -6, -6, 6, 6)
    lua(
        engine,
        "storage.depleted = {} "
        "script.on_event(defines.events.on_resource_depleted, function(e) "
        "storage.depleted[#storage.depleted + 1] = e.entity.name .. ' ' .. e.entity.amount .. ' ' .. tostring(e.entity.valid) end) "
        "s.create_entity{name = 'iron-ore', position = {-0.5, -0.5}, amount = 2}",
    )
    _drill_with_chest(engine, 0, 0)
    engine.run_ticks(int(_period(protos) * 2) + 1)
    assert _chest_count(engine) == 2
    assert lua(engine, "rcon.print(table.concat(storage.depleted, ';'))") == "iron-ore 0 true"
    assert lua(engine, "rcon.print(s.count_entities_filtered{area = {{-6, -6}, {6, 6}}, type = 'resource'})") == "0"
    engine.step()
    assert lua(engine, "rcon.print(storage.d.status)") == _status(engine, "no_minable_resources")
    engine.run_ticks(int(_period(protos)) * 2)
    assert _chest_count(engine) == 2


def test_a_rotated_drill_outputs_at_its_new_drop_position():
    """The output target is cached; turning the drill must move its output (burner-mining-drill.vector_to_place_result)."""
    from factoryverse.engine.engine import Engine

    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = engine.execute_command(
        "/sc local s = game.surfaces.nauvis "
        "for dx = -1, 0 do for dy = -1, 0 do s.create_entity{name = 'iron-ore', position = {dx + 0.5, dy + 0.5}, amount = 1000} end end "
        "local d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} "
        "d.insert{name = 'coal', count = 5} "
        "local north = s.create_entity{name = 'wooden-chest', position = d.drop_position, force = 'player'} "
        "d.direction = defines.direction.south "
        "local south = s.create_entity{name = 'wooden-chest', position = d.drop_position, force = 'player'} "
        "d.direction = defines.direction.north "
        "storage.d, storage.north, storage.south = d, north, south "
        "rcon.print('ok')"
    )
    assert reply == "ok"
    engine.run_ticks(600)  # at least two ores northwards
    engine.execute_command("/sc storage.d.direction = defines.direction.south")
    engine.run_ticks(600)
    counts = engine.execute_command(
        "/sc rcon.print(storage.north.get_item_count('iron-ore') .. ' ' .. storage.south.get_item_count('iron-ore'))"
    )
    north, south = (int(n) for n in counts.split())
    assert north >= 2 and south >= 2, counts


def test_a_teleported_drill_mines_and_outputs_at_its_new_spot(engine, protos):
    """Regression: the mining area was fixed where the drill was built and the resource and output target were kept,
    so a teleported drill went on mining the ore it had left behind and filling the old chest."""
    clear_land(engine, -20, -6, 20, 6)
    lua(
        engine,
        "storage.old = s.create_entity{name = 'iron-ore', position = {-10.5, -0.5}, amount = 100} "
        "storage.new = s.create_entity{name = 'copper-ore', position = {9.5, -0.5}, amount = 100}",
    )
    lua(
        engine,
        "storage.d = s.create_entity{name = 'burner-mining-drill', position = {-10, 0}, force = 'player'} "
        "storage.d.insert{name = 'coal', count = 10} "
        "storage.chest = s.create_entity{name = 'wooden-chest', position = storage.d.drop_position, force = 'player'}",
    )
    period = _period(protos)
    engine.run_ticks(int(period) + 1)
    assert _chest_count(engine) == 1
    assert lua(engine, "rcon.print(storage.d.mining_target == storage.old)") == "true"
    lua(
        engine,
        "storage.d.teleport({10, 0}) "
        "storage.chest2 = s.create_entity{name = 'wooden-chest', position = storage.d.drop_position, force = 'player'}",
    )
    assert lua(engine, "rcon.print(storage.d.mining_target == storage.new)") == "true"
    engine.run_ticks(int(_period(protos, "copper-ore") * 2) + 1)
    reply = lua(
        engine,
        "rcon.print(storage.old.amount .. ' ' .. storage.new.amount .. ' ' .. storage.chest.get_item_count() .. ' ' "
        ".. storage.chest2.get_item_count('copper-ore'))",
    )
    assert reply == "99 98 1 2"


def test_a_drill_teleported_off_its_ore_stops_and_wakes_on_ore(engine, protos):
    clear_land(engine, -20, -6, 20, 6)
    lua(engine, "storage.ore = s.create_entity{name = 'iron-ore', position = {-10.5, -0.5}, amount = 100}")
    lua(engine, "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'} "
        "storage.d.insert{name = 'coal', count = 10}")
    engine.run_ticks(5)
    assert lua(engine, "rcon.print(storage.d.status)") == _status(engine, "no_minable_resources")
    lua(engine, "storage.d.teleport({-10, 0})")
    engine.run_ticks(int(_period(protos)) + 1)
    assert lua(engine, "rcon.print(storage.d.status .. ' ' .. storage.ore.amount)") == f"{_status(engine, 'working')} 99"


def test_mining_area_and_drop_target_are_the_drills_own(engine, protos):
    """LuaEntity.mining_area is the square of burner-mining-drill.resource_searching_radius round the drill, and
    drop_target the entity at its drop position (nil over bare ground); other kinds refuse both as the game does."""
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, force = 'player'}")
    r = float(protos.entities["burner-mining-drill"]["resource_searching_radius"])
    box = lua(engine, "local a = storage.d.mining_area rcon.print(a.left_top.x .. ' ' .. a.left_top.y .. ' ' "
                      ".. a.right_bottom.x .. ' ' .. a.right_bottom.y)")
    assert [float(v) for v in box.split()] == pytest.approx([-r, -r, r, r])
    assert lua(engine, "rcon.print(tostring(storage.d.drop_target))") == "nil"
    lua(engine, "storage.c = s.create_entity{name = 'wooden-chest', position = storage.d.drop_position, force = 'player'}")
    assert lua(engine, "rcon.print(storage.d.drop_target == storage.c)") == "true"
    reply = engine.execute_command("/sc rcon.print(storage.c.mining_area)")
    assert "Entity is not a mining drill." in reply
