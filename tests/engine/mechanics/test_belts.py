"""Transport belts at the prototype data's rates: items move `speed` tiles per tick as lines with gaps (4 items per
tile per lane), straight, round curves, side-loaded, under the ground and through splitters; drills drop onto them;
a blocked line costs nothing; the lines save, load and fork exactly."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.kinds.belt import CURVE_INNER, CURVE_OUTER
from factoryverse.engine.state_hash import state_hash

from .conftest import clear_land, lua

TIERS = ["transport-belt", "fast-transport-belt", "express-transport-belt"]
UNIT = 256  # the engine's positions: 1/256 tile


def _entered(distance: int, v: int) -> int:
    """The tick an item put on at tick 0 first lies on a piece `distance` units ahead: a piece holds its front edge,
    not its back one (a compressed dead end holds 4 items per tile per lane), so it must be strictly past it."""
    return distance // v + 1


def _units_per_tick(protos, belt: str) -> int:
    # `<belt>.speed` is in tiles per tick; 0.03125, 0.0625 and 0.09375 are whole numbers of 1/256 tile.
    speed = float(protos.raw["transport-belt"][belt]["speed"]) * UNIT
    assert speed == int(speed)
    return int(speed)


def _row(engine, belt: str, n: int, y: float = 0.5, x0: int = 0, direction: str = "east") -> None:
    lua(engine, f"storage.row = {{}} for i = 0, {n - 1} do storage.row[i + 1] = s.create_entity{{name = '{belt}', "
                f"position = {{{x0} + i + 0.5, {y}}}, direction = defines.direction.{direction}, force = 'player'}} end")


def _count(engine, expr: str, lane: int) -> int:
    return int(lua(engine, f"rcon.print(#({expr}).get_transport_line({lane}))"))


@pytest.fixture
def land(engine):
    clear_land(engine, -4, -8, 40, 8)
    return engine


@pytest.mark.parametrize("belt", TIERS)
def test_an_item_crosses_each_belt_in_one_tile_over_speed_ticks(land, protos, belt):
    engine = land
    v = _units_per_tick(protos, belt)
    _row(engine, belt, 10)
    lua(engine, "storage.row[1].get_transport_line(1).insert_at_back('iron-plate')")
    seen: dict[int, int] = {}
    for _ in range(11 * UNIT // v):
        engine.step()
        on = [i for i in range(10) if _count(engine, f"storage.row[{i + 1}]", 1)]
        seen.setdefault(on[0], engine.tick)
    # Put on at the back of belt 1 at tick 0, it is on belt i (0-based) once it has moved past i tiles at the
    # prototype's `speed` (tiles per tick).
    why = f"{belt}.speed = {v}/256 tiles per tick"
    assert seen == {0: 1, **{i: _entered(i * UNIT, v) for i in range(1, 10)}}, why
    # The end of the run is a dead end: the item stops there and stays.
    assert _count(engine, "storage.row[10]", 1) == 1 and _count(engine, "storage.row[10]", 2) == 0


@pytest.mark.parametrize("belt, per_second", list(zip(TIERS, (15, 30, 45))))
def test_a_compressed_belt_carries_4_items_per_tile_per_lane_at_speed(land, protos, belt, per_second):
    """60 game seconds of a compressed belt: `speed` tiles per tick x 4 items per tile x 2 lanes x 60 ticks per
    second, which is 15, 30 and 45 items/s (the Factorio wiki's "Transport belts/Physics" table for 2.0)."""
    engine = land
    v = _units_per_tick(protos, belt)
    n = math.ceil(3600 * v / UNIT) + 2  # long enough that the belt never runs dry within the minute
    clear_land(engine, -4, -8, n + 4, 8)
    _row(engine, belt, n)
    # Compressed: 4 items per lane on every belt but the last, a quarter tile apart.
    lua(engine, f"for i = 1, {n - 1} do for lane = 1, 2 do local l = storage.row[i].get_transport_line(lane) "
                "for k = 0, 3 do assert(l.insert_at(k * 0.25, 'iron-plate')) end end end")
    arrivals: list[int] = []
    for _ in range(3600):
        engine.step()
        got = int(lua(engine, f"local b = storage.row[{n}] rcon.print(b.get_transport_line(1).remove_item('iron-plate') "
                              "+ b.get_transport_line(2).remove_item('iron-plate'))"))
        arrivals += [engine.tick] * got
    # Both lanes' first items enter the last belt together, then one pair every 64/speed ticks (a quarter tile).
    first = [_entered(k * 64, v) for k in range(1, 5)]
    assert sorted(set(arrivals))[:4] == first, f"{belt}.speed = {v}/256 tiles per tick"
    rate = len(arrivals) / 60
    assert abs(rate - per_second) <= 0.01 * per_second, (belt, rate)


def test_a_fed_belt_turns_and_its_inner_lane_is_shorter(land, protos):
    engine = land
    v = _units_per_tick(protos, "transport-belt")
    # East along y = 0.5 for 3 belts, then north from x = 3.5: the last east belt feeds the corner from its left.
    _row(engine, "transport-belt", 3)
    lua(engine, "storage.corner = s.create_entity{name = 'transport-belt', position = {3.5, 0.5}, "
                "direction = defines.direction.north, force = 'player'} "
                "storage.up = s.create_entity{name = 'transport-belt', position = {3.5, -0.5}, "
                "direction = defines.direction.north, force = 'player'}")
    assert lua(engine, "rcon.print(storage.corner.belt_shape)") == "left"
    assert lua(engine, "rcon.print(storage.row[1].belt_shape)") == "straight"
    lengths = lua(engine, "rcon.print(storage.corner.get_transport_line(1).line_length .. ' ' .. "
                          "storage.corner.get_transport_line(2).line_length)")
    assert [float(x) for x in lengths.split()] == [CURVE_INNER / UNIT, CURVE_OUTER / UNIT]
    lua(engine, "storage.row[1].get_transport_line(1).insert_at_back('iron-plate') "
                "storage.row[1].get_transport_line(2).insert_at_back('copper-plate')")
    seen: dict[int, int] = {}
    for _ in range(300):
        engine.step()
        for lane in (1, 2):
            if lane not in seen and _count(engine, "storage.up", lane):
                seen[lane] = engine.tick
    # Three straight tiles, then the curve's lane (left: the inner arc), then on the next belt.
    assert seen == {1: _entered(3 * UNIT + CURVE_INNER, v), 2: _entered(3 * UNIT + CURVE_OUTER, v)}


def test_a_belt_fed_from_behind_and_the_side_is_side_loaded_onto_the_near_lane(land):
    engine = land
    _row(engine, "transport-belt", 4)  # east, y = 0.5, x 0..3
    # A belt from the north pointing south into belt 3 (x = 2.5): belt 3 is fed from behind too, so it stays straight.
    lua(engine, "storage.side = s.create_entity{name = 'transport-belt', position = {2.5, -0.5}, "
                "direction = defines.direction.south, force = 'player'}")
    assert lua(engine, "rcon.print(storage.row[3].belt_shape)") == "straight"
    lua(engine, "storage.side.get_transport_line(1).insert_at_back('iron-plate') "
                "storage.side.get_transport_line(2).insert_at_back('copper-plate')")
    engine.run_ticks(120)
    # North of an east-going belt is its left: both lanes of the feeder end up on the left lane.
    assert lua(engine, "local l = storage.row[4].get_transport_line(1) rcon.print(l.get_item_count('iron-plate') .. ' ' "
                       ".. l.get_item_count('copper-plate') .. ' ' .. #storage.row[4].get_transport_line(2))") == "1 1 0"


@pytest.mark.parametrize("name", ["underground-belt", "fast-underground-belt", "express-underground-belt"])
def test_underground_pairs_within_max_distance_and_carries_at_belt_speed(land, protos, name):
    engine = land
    proto = protos.raw["underground-belt"][name]
    far = int(proto["max_distance"])
    v = int(float(proto["speed"]) * UNIT)
    for dist, paired in ((far, True), (far + 1, False)):
        y = 0.5 if paired else 4.5
        lua(engine, f"storage.a = s.create_entity{{name = '{name}', position = {{0.5, {y}}}, direction = "
                    f"defines.direction.east, type = 'input', force = 'player'}} storage.b = s.create_entity{{name = "
                    f"'{name}', position = {{{dist}.5, {y}}}, direction = defines.direction.east, type = 'output', "
                    "force = 'player'}")
        assert lua(engine, "rcon.print(storage.a.belt_to_ground_type .. ' ' .. storage.b.belt_to_ground_type)") == "input output"
        assert lua(engine, "rcon.print(storage.a.get_max_transport_line_index())") == "4"
        lua(engine, "storage.a.get_transport_line(1).insert_at_back('iron-plate')")
        start = engine.tick
        arrived = None
        for _ in range((far + 3) * UNIT // v):
            engine.step()
            if arrived is None and _count(engine, "storage.b", 1):
                arrived = engine.tick - start
        if paired:
            # `max_distance` tiles apart: in at the entrance's back, up into the exit's front half after
            # (distance + 1/2) tiles at `speed`.
            assert arrived == _entered(dist * UNIT + UNIT // 2, v), f"{name}.max_distance = {far}, speed {v}/256"
        else:
            assert arrived is None, f"{name}.max_distance = {far}: one tile further does not pair"


def _splitter_rig(engine, out_prio: str = "none", filt: str | None = None) -> None:
    """Belt x 0..2 east at y = 0.5 into a splitter at x 3.5 (tiles y 0 and -1... its left tile is north), then two
    output belts x 4..9 at y = -0.5 (left) and y = 0.5 (right)."""
    lua(engine, "storage.sp = s.create_entity{name = 'splitter', position = {3.5, 0}, direction = defines.direction.east, "
                "force = 'player'} storage.inb = {} storage.left = {} storage.right = {} "
                "for i = 0, 2 do storage.inb[i + 1] = s.create_entity{name = 'transport-belt', position = {i + 0.5, 0.5}, "
                "direction = defines.direction.east, force = 'player'} end "
                "for i = 4, 9 do storage.left[#storage.left + 1] = s.create_entity{name = 'transport-belt', position = {i + 0.5, -0.5}, "
                "direction = defines.direction.east, force = 'player'} storage.right[#storage.right + 1] = "
                "s.create_entity{name = 'transport-belt', position = {i + 0.5, 0.5}, direction = defines.direction.east, force = 'player'} end")
    lua(engine, f"storage.sp.splitter_output_priority = '{out_prio}'")
    if filt is not None:
        lua(engine, f"storage.sp.splitter_filter = '{filt}'")


def _feed(engine, names: list[str]) -> None:
    """Put the items on lane 1 of the input belts, a quarter tile apart, the first one in front."""
    for k, name in enumerate(names):
        belt, slot = 3 - k // 4, 3 - k % 4
        lua(engine, f"assert(storage.inb[{belt}].get_transport_line(1).insert_at({slot * 0.25}, '{name}'))")


def _outputs(engine) -> tuple[int, int]:
    got = lua(engine, "local function n(t) local c = 0 for _, b in pairs(t) do c = c + #b.get_transport_line(1) "
                      "+ #b.get_transport_line(2) end return c end rcon.print(n(storage.left) .. ' ' .. n(storage.right))")
    a, b = got.split()
    return int(a), int(b)


def test_a_splitter_alternates_its_outputs(land):
    engine = land
    _splitter_rig(engine)
    _feed(engine, ["iron-plate"] * 8)
    engine.run_ticks(300)
    assert _outputs(engine) == (4, 4)
    assert lua(engine, "rcon.print(storage.sp.get_max_transport_line_index())") == "8"


def test_splitter_output_priority_and_filter(land):
    engine = land
    _splitter_rig(engine, out_prio="right")
    _feed(engine, ["iron-plate"] * 6)
    engine.run_ticks(300)
    assert _outputs(engine) == (0, 6)
    clear_land(engine, -4, -8, 40, 8)
    _splitter_rig(engine, out_prio="left", filt="copper-plate")
    _feed(engine, ["copper-plate", "iron-plate", "copper-plate", "iron-plate", "iron-plate"])
    engine.run_ticks(300)
    assert lua(engine, "rcon.print(storage.sp.splitter_filter.name)") == "copper-plate"
    # The filtered item goes to the priority side, everything else to the other.
    assert lua(engine, "local c, i = 0, 0 for _, b in pairs(storage.left) do c = c + b.get_transport_line(1).get_item_count('copper-plate') "
                       "i = i + b.get_transport_line(1).get_item_count('iron-plate') end rcon.print(c .. ' ' .. i)") == "2 0"
    assert _outputs(engine) == (2, 3)


def test_splitter_input_priority_takes_the_named_side_first(land):
    engine = land
    # Two input belts (both sides), one output belt on the left side only: the output is the bottleneck.
    lua(engine, "storage.sp = s.create_entity{name = 'splitter', position = {3.5, 0}, direction = defines.direction.east, "
                "force = 'player'} storage.sp.splitter_input_priority = 'right' "
                "storage.a = s.create_entity{name = 'transport-belt', position = {2.5, -0.5}, direction = defines.direction.east, force = 'player'} "
                "storage.b = s.create_entity{name = 'transport-belt', position = {2.5, 0.5}, direction = defines.direction.east, force = 'player'} "
                "storage.out = s.create_entity{name = 'transport-belt', position = {4.5, -0.5}, direction = defines.direction.east, force = 'player'} "
                "for k = 0, 3 do storage.a.get_transport_line(1).insert_at(k * 0.25, 'iron-plate') "
                "storage.b.get_transport_line(1).insert_at(k * 0.25, 'copper-plate') end")
    engine.run_ticks(400)
    # Both sides wait for the one output; the right side (priority) fills it.
    got = lua(engine, "local l = storage.out.get_transport_line(1) rcon.print(l.get_item_count('copper-plate') .. ' ' .. l.get_item_count('iron-plate'))")
    assert got == "4 0"
    assert lua(engine, "rcon.print(storage.sp.splitter_input_priority)") == "right"


def test_drill_drops_onto_the_lane_under_its_drop_position(engine, protos):
    clear_land(engine, -6, -6, 12, 6)
    lua(engine, "storage.ore = s.create_entity{name = 'iron-ore', position = {-0.5, -0.5}, amount = 100} "
                "storage.d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, direction = defines.direction.north, force = 'player'} "
                "storage.d.insert{name = 'coal', count = 5} "
                "local p = storage.d.drop_position "
                "storage.belt = s.create_entity{name = 'transport-belt', position = p, direction = defines.direction.east, force = 'player'} "
                "storage.next = s.create_entity{name = 'transport-belt', position = {p.x + 1, p.y}, direction = defines.direction.east, force = 'player'}")
    drill = protos.raw["mining-drill"]["burner-mining-drill"]
    period = float(protos.raw["resource"]["iron-ore"]["minable"]["mining_time"]) / float(drill["mining_speed"]) * 60
    engine.run_ticks(int(period) * 2 + 1)
    # The drop position lies south of the belt's centre (burner-mining-drill.vector_to_place_result): an east-going
    # belt's right lane.
    dy = lua(engine, "rcon.print(storage.d.drop_position.y - storage.belt.position.y)")
    assert float(dy) > 0
    total = lua(engine, "local n = 0 for _, b in pairs({storage.belt, storage.next}) do n = n + #b.get_transport_line(2) end "
                        "rcon.print(n .. ' ' .. #storage.belt.get_transport_line(1) + #storage.next.get_transport_line(1))")
    assert total == "2 0"


def test_a_blocked_compressed_line_costs_nothing(land):
    engine = land
    _row(engine, "transport-belt", 20)
    lua(engine, "for i = 1, 20 do for lane = 1, 2 do local l = storage.row[i].get_transport_line(lane) "
                "for k = 0, 3 do l.insert_at(k * 0.25, 'iron-plate') end end end")
    engine.run_ticks(10)
    before = engine.world.entity_updates
    engine.run_ticks(2000)
    assert engine.world.entity_updates == before  # nothing can move: no update at all
    assert lua(engine, "rcon.print(#storage.row[20].get_transport_line(1) + #storage.row[1].get_transport_line(2))") == "8"
    # Taking one item off the front lets the line move again: the host is woken and the gap travels back.
    lua(engine, "storage.row[20].get_transport_line(1).remove_item('iron-plate')")
    engine.run_ticks(100)
    assert engine.world.entity_updates > before


def test_a_moving_line_costs_one_update_per_hand_over(land, protos):
    engine = land
    v = _units_per_tick(protos, "transport-belt")
    _row(engine, "transport-belt", 30)
    lua(engine, "for i = 1, 10 do for k = 0, 3 do storage.row[i].get_transport_line(1).insert_at(k * 0.25, 'iron-plate') end end")
    before = engine.world.entity_updates
    engine.run_ticks(20 * UNIT // v - 1)  # the front reaches the dead end only after 20 tiles
    assert engine.world.entity_updates == before  # 40 items moved 19+ tiles without one update


def test_wrong_kind_and_bad_input(land):
    engine = land
    lua(engine, "storage.chest = s.create_entity{name = 'wooden-chest', position = {0.5, 3.5}, force = 'player'} "
                "storage.belt = s.create_entity{name = 'transport-belt', position = {0.5, 0.5}, force = 'player'}")
    reply = engine.execute_command("/sc storage.chest.get_transport_line(1)")
    assert "Entity is not a transport belt connectable." in reply
    reply = engine.execute_command("/sc storage.belt.get_transport_line(3)")
    assert "out of bounds" in reply
    reply = engine.execute_command("/sc storage.belt.splitter_input_priority = 'left'")
    assert "Entity is not a splitter." in reply
    reply = engine.execute_command("/sc game.surfaces.nauvis.create_entity{name = 'underground-belt', position = {5.5, 5.5}, type = 'sideways'}")
    assert "input" in reply and "output" in reply
    assert lua(engine, "rcon.print(game.surfaces.nauvis.count_entities_filtered{name = 'underground-belt'})") == "0"
    # An item on the same spot as another doesn't fit; LuaEntity.insert puts nothing on a belt.
    assert lua(engine, "local l = storage.belt.get_transport_line(1) rcon.print(tostring(l.insert_at(0.5, 'iron-plate')) "
                       ".. ' ' .. tostring(l.insert_at(0.6, 'iron-plate')) .. ' ' .. tostring(l.can_insert_at(0.9)))") == "true false true"
    assert lua(engine, "rcon.print(storage.belt.insert{name = 'iron-plate', count = 1})") == "0"


def _factory(engine) -> None:
    """Straight runs, a curve, an underground pair and a splitter, all with items moving or blocked."""
    clear_land(engine, -4, -8, 40, 8)
    _splitter_rig(engine)
    _feed(engine, ["iron-plate", "copper-plate"] * 5)
    _row(engine, "fast-transport-belt", 12, y=5.5)
    lua(engine, "storage.u1 = s.create_entity{name = 'fast-underground-belt', position = {12.5, 5.5}, direction = defines.direction.east, type = 'input', force = 'player'} "
                "storage.u2 = s.create_entity{name = 'fast-underground-belt', position = {16.5, 5.5}, direction = defines.direction.east, type = 'output', force = 'player'} "
                "s.create_entity{name = 'fast-transport-belt', position = {17.5, 5.5}, direction = defines.direction.north, force = 'player'} "
                "for i = 1, 12 do for lane = 1, 2 do local l = storage.row[i].get_transport_line(lane) "
                "for k = 0, 3, 2 do l.insert_at(k * 0.25, lane == 1 and 'iron-plate' or 'copper-plate') end end end")


def test_belts_continue_exactly_across_save_load_and_fork(tmp_path):
    game = Engine(seed=1, mods=[], starting_chunks=2)
    _factory(game)
    game.run_ticks(37)
    path = game.save(tmp_path / "saves", "belts")
    loaded = Engine.load(path, mods=[])
    fork = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    for _ in range(6):
        for g in (game, loaded, fork):
            g.run_ticks(50)
        assert state_hash(loaded) == state_hash(game) == state_hash(fork)


def test_belt_neighbours_are_the_belts_feeding_and_fed(land):
    """LuaEntity.belt_neighbours: a straight row feeds forward; a belt side-loading onto it is one of its inputs."""
    engine = land
    _row(engine, "transport-belt", 3)
    lua(engine, "storage.side = s.create_entity{name = 'transport-belt', position = {1.5, 1.5}, force = 'player', "
                "direction = defines.direction.north}")

    def neighbours(expr: str) -> str:
        return lua(engine, f"local n = {expr}.belt_neighbours local function ids(l) local o = {{}} "
                           "for _, e in pairs(l) do o[#o + 1] = e.position.x .. ',' .. e.position.y end "
                           "table.sort(o) return table.concat(o, ' ') end rcon.print(ids(n.inputs) .. '|' .. ids(n.outputs))")
    assert neighbours("storage.row[1]") == "|1.5,0.5"
    assert neighbours("storage.row[2]") == "0.5,0.5 1.5,1.5|2.5,0.5"
    assert neighbours("storage.row[3]") == "1.5,0.5|"
    assert neighbours("storage.side") == "|1.5,0.5"

    reply = engine.execute_command("/sc rcon.print(game.surfaces[1].create_entity{name = 'wooden-chest', "
                                   "position = {5.5, 5.5}, force = 'player'}.belt_neighbours)")
    assert "Entity is not a transport belt connectable." in reply
