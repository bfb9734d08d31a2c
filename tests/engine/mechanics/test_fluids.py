"""Fluid boxes, their connections and networks: pipes, pipes to ground, storage tanks, offshore pumps, and the fluid
members of LuaEntity. Amounts and ticks come from the prototype data (`protos`)."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.mechanics.fluids import fluid_contents

from .conftest import clear_land, lua


# rcon.print takes one string: `out(...)` prints its arguments tab-separated.
_OUT = """local function out(...)
  local t = {}
  for i = 1, select('#', ...) do t[#t + 1] = tostring((select(i, ...))) end
  rcon.print(table.concat(t, '\t'))
end
"""


def _water_row(engine, x0: int, x1: int, y: int = 0) -> None:
    s = engine.world.surfaces["nauvis"]
    for x in range(x0, x1):
        s.set_tile(x, y, "water")


def _create(engine, name, x, y, direction=0):
    world = engine.world
    return world.create_entity(world.surfaces["nauvis"], name, x, y, direction=direction)


def _net(entity, box=0):
    return entity.state.boxes[box].network


def test_pipes_next_to_each_other_join_one_network(engine):
    clear_land(engine, 0, 0, 20, 20)
    run = [_create(engine, "pipe", x + 0.5, 5.5) for x in range(2, 8)]
    apart = _create(engine, "pipe", 9.5, 5.5)  # one tile gap: not connected
    assert len({id(_net(p)) for p in run}) == 1
    assert _net(apart) is not _net(run[0])
    # pipe.fluid_box.volume per pipe, pooled
    assert _net(run[0]).capacity == 6 * engine.prototypes.raw["pipe"]["pipe"]["fluid_box"]["volume"]
    # Removing the middle pipe splits the run in two.
    engine.world.destroy_entity(run[3])
    assert _net(run[0]) is _net(run[2]) and _net(run[4]) is _net(run[5])
    assert _net(run[0]) is not _net(run[4])


def test_pipe_to_ground_pairs_within_max_underground_distance(engine, protos):
    clear_land(engine, 0, 0, 40, 10)
    proto = protos.raw["pipe-to-ground"]["pipe-to-ground"]
    reach = next(c["max_underground_distance"] for c in proto["fluid_box"]["pipe_connections"]
                 if c.get("connection_type") == "underground")  # pipe-to-ground ... max_underground_distance
    # Facing west (12): the normal connection points west, the underground one east; the partner faces east (4).
    a = _create(engine, "pipe-to-ground", 2.5, 2.5, direction=12)
    b = _create(engine, "pipe-to-ground", 2.5 + reach, 2.5, direction=4)
    assert _net(a) is _net(b)
    c = _create(engine, "pipe-to-ground", 2.5, 6.5, direction=12)
    d = _create(engine, "pipe-to-ground", 2.5 + reach + 1, 6.5, direction=4)
    assert _net(c) is not _net(d)
    # A pipe on the normal side joins; one behind the underground side does not.
    p = _create(engine, "pipe", 1.5, 2.5)
    q = _create(engine, "pipe", 3.5, 2.5)
    assert _net(p) is _net(a) and _net(q) is not _net(a)


def test_storage_tank_joins_at_its_corner_connections(engine, protos):
    clear_land(engine, 0, 0, 20, 20)
    tank = _create(engine, "storage-tank", 5.5, 5.5)
    conns = protos.raw["storage-tank"]["storage-tank"]["fluid_box"]["pipe_connections"]
    north = next(c for c in conns if c["direction"] == 0)  # storage-tank.fluid_box.pipe_connections
    px, py = 5.5 + north["position"][0], 5.5 + north["position"][1] - 1
    joined = _create(engine, "pipe", px, py)
    not_joined = _create(engine, "pipe", 6.5, 3.5)  # above the tank but at no connection
    assert _net(joined) is _net(tank)
    assert _net(not_joined) is not _net(tank)


def test_offshore_pump_fills_a_tank_on_the_exact_tick(engine, protos):
    """offshore-pump.pumping_speed per tick (1,200/s) until the pool (pump, pipes, tank volumes) is full."""
    clear_land(engine, 0, 0, 20, 20)
    _water_row(engine, 0, 10)
    speed = protos.raw["offshore-pump"]["offshore-pump"]["pumping_speed"]
    assert speed * 60 == 1200
    pump = _create(engine, "offshore-pump", 3.5, 1.5)
    pipes = [_create(engine, "pipe", 3.5, y + 0.5) for y in range(2, 4)]
    tank = _create(engine, "storage-tank", 4.5, 5.5)
    assert _net(tank) is _net(pump)
    capacity = (protos.raw["offshore-pump"]["offshore-pump"]["fluid_box"]["volume"]
                + 2 * protos.raw["pipe"]["pipe"]["fluid_box"]["volume"]
                + protos.raw["storage-tank"]["storage-tank"]["fluid_box"]["volume"])
    t0 = engine.tick
    full = t0 + math.ceil(capacity / speed)
    total = lambda: sum(sum(fluid_contents(e, engine.tick).values()) for e in (pump, tank, *pipes))  # noqa: E731
    engine.run_ticks(60)
    assert total() == pytest.approx(60 * speed)
    engine.run_ticks(full - 1 - engine.tick)
    assert total() < capacity - 1e-6
    engine.step()
    assert total() == pytest.approx(capacity)
    assert pump.kind.status(engine.world, pump) == "full_output"
    engine.step()  # the pump's update on the tick it found the pool full
    updates = engine.world.entity_updates
    engine.run_ticks(600)
    assert engine.world.entity_updates == updates  # a full, idle network costs nothing


@pytest.mark.parametrize("length", [1, 10, 50, 100, 200, 300])
def test_pipe_run_delivers_the_pumps_rate_whatever_its_length(engine, protos, length):
    """Factorio 2.0 merges pipes into fluid segments that act as one box, so a pipe's length no longer limits its
    throughput (FFF-416 "Fluids 2.0"; FFF-430 and the wiki's Fluid system page for 2.0: a pipeline may span at
    most `default_pipeline_extent` tiles, beyond which nothing flows). The 1.1 table of throughput by length
    (1,200/s over 17 pipes ... 1,000/s over 166) no longer applies: a run a factory uses delivers what the pump
    gives, 1,200/s (offshore-pump.pumping_speed), within 1 % over 60 s."""
    clear_land(engine, 0, 0, length + 12, 12)
    _water_row(engine, 0, 3)
    pump = _create(engine, "offshore-pump", 1.5, 1.5)
    _create(engine, "pipe", 1.5, 2.5)
    run = [_create(engine, "pipe", x + 0.5, 3.5) for x in range(1, length + 1)]
    tank = _create(engine, "storage-tank", length + 2.5, 4.5)  # its west connection faces the run's end
    sink = _net(tank)
    assert sink is _net(pump) is _net(run[-1])
    # The pool fills evenly, the far tank included: every tick of the first 20 s (the tank holds more than that)
    # delivers exactly pumping_speed, 1,200/s.
    speed = protos.raw["offshore-pump"]["offshore-pump"]["pumping_speed"]
    t0 = engine.tick
    for n in (1, 60, 1200):
        engine.run_ticks(t0 + n - engine.tick)
        assert sink.level(engine.tick) == pytest.approx(n * speed, abs=1e-6)
    assert sink.level(engine.tick) / 20 == pytest.approx(1200)


def test_a_pipeline_longer_than_the_extent_does_not_flow(engine, protos):
    extent = protos.raw["utility-constants"]["default"]["default_pipeline_extent"]  # utility-constants
    clear_land(engine, 0, 0, extent + 10, 8)
    _water_row(engine, 0, 3)
    pump = _create(engine, "offshore-pump", 1.5, 1.5)
    for x in range(1, extent + 3):
        _create(engine, "pipe", x + 0.5, 2.5)
    engine.run_ticks(10)
    assert _net(pump).blocked
    assert fluid_contents(pump, engine.tick) == {}
    assert lua(engine, "rcon.print(tostring(s.find_entity('pipe', {100.5, 2.5}).status == "
                       "defines.entity_status.pipeline_overextended))") == "true"


def test_fluids_never_mix_a_connection_that_would_is_not_made(engine):
    clear_land(engine, 0, 0, 20, 20)
    a = _create(engine, "pipe", 2.5, 2.5)
    b = _create(engine, "pipe", 4.5, 2.5)
    lua(engine, "s.find_entity('pipe', {2.5, 2.5}).insert_fluid{name='water', amount=50}")
    lua(engine, "s.find_entity('pipe', {4.5, 2.5}).insert_fluid{name='crude-oil', amount=50}")
    middle = _create(engine, "pipe", 3.5, 2.5)
    assert _net(b) is not _net(a)
    assert (_net(middle) is _net(a)) != (_net(middle) is _net(b))  # joined one side only
    assert fluid_contents(a, engine.tick)["water"] + fluid_contents(b, engine.tick)["crude-oil"] + sum(
        fluid_contents(middle, engine.tick).values()) == pytest.approx(100)
    assert len(fluid_contents(middle, engine.tick)) == 1


def test_fluid_members_of_lua_entity(engine, protos):
    clear_land(engine, 0, 0, 20, 20)
    _create(engine, "boiler", 5.5, 5.0)
    _create(engine, "wooden-chest", 10.5, 10.5)
    out = lua(engine, _OUT + """
      local b = s.find_entity('boiler', {5.5, 5})
      local c = s.find_entity('wooden-chest', {10.5, 10.5})
      out(b.fluids_count, c.fluids_count)
      out(b.insert_fluid{name='crude-oil', amount=10})  -- no box takes it
      out(b.insert_fluid{name='water', amount=150})
      out(b.insert_fluid{name='water', amount=150})     -- the water box holds its volume
      out(b.get_fluid_count('water'), b.get_fluid_count(), b.get_fluid_count('steam'))
      local f = b.get_fluid(1)
      out(f.name, f.amount, f.temperature, b.get_fluid(2))
      out(b.remove_fluid{name='water', amount=30}, b.get_fluid_contents().water)
      b.clear_fluid_inside()
      out(b.get_fluid_count(), c.insert_fluid{name='water', amount=5}, next(c.get_fluid_contents()))
      out(pcall(b.insert_fluid, {name='no-such-fluid', amount=1}))
      out(pcall(b.get_fluid, 3))
    """)
    volume = protos.raw["boiler"]["boiler"]["fluid_box"]["volume"]
    water_t = protos.raw["fluid"]["water"]["default_temperature"]
    lines = out.splitlines()
    assert lines[0] == "2\t0"
    assert lines[1] == "0"
    assert lines[2] == "150" and lines[3] == str(volume - 150)
    assert lines[4] == f"{volume}\t{volume}\t0"
    assert lines[5] == f"water\t{volume}\t{water_t}\tnil"
    assert lines[6] == f"30\t{volume - 30}"
    assert lines[7] == "0\t0\tnil"
    assert lines[8].startswith("false") and "Unknown fluid name: no-such-fluid" in lines[8]
    assert lines[9].startswith("false") and "out of range" in lines[9]


def test_fluid_production_statistics_count_what_the_pump_pumped(engine, protos):
    clear_land(engine, 0, 0, 20, 20)
    _water_row(engine, 0, 10)
    speed = protos.raw["offshore-pump"]["offshore-pump"]["pumping_speed"]
    _create(engine, "offshore-pump", 3.5, 1.5)
    _create(engine, "storage-tank", 4.5, 3.5)
    engine.run_ticks(120)
    out = lua(engine, _OUT + """
      local st = game.forces.player.get_fluid_production_statistics(s)
      out(st.get_input_count('water'), st.input_counts.water, st.get_output_count('water'))
      out(st.get_flow_count{name='water', category='input', precision_index=defines.flow_precision_index.five_seconds, count=true})
    """)
    a, b, c = out.splitlines()[0].split("\t")
    assert float(a) == float(b) == 120 * speed and float(c) == 0
    # The five-second window ends before the sample being filled (12-tick... 1-tick samples): all but this tick.
    assert float(out.splitlines()[1]) == pytest.approx(120 * speed)


def test_lua_fluidbox_is_2_0s_and_2_1_has_no_such_key():
    from factoryverse.engine.engine import Engine

    code = _OUT + """
      local s = game.surfaces.nauvis
      local p = s.create_entity{name='pipe', position={3.5, 3.5}}
      s.create_entity{name='pipe', position={4.5, 3.5}}
      p.insert_fluid{name='water', amount=50}
      local ok, fb = pcall(function() return p.fluidbox end)
      if not ok then out('error', fb) return end
      out(fb.object_name, #fb, fb[1].name, fb[1].amount, fb.get_capacity(1), #fb.get_connections(1),
          fb.get_connections(1)[1].owner.position.x, fb.get_fluid_segment_contents(1).water, fb.get_filter(1))
      local b = s.create_entity{name='boiler', position={10.5, 10}}
      out(#b.fluidbox, b.fluidbox.get_filter(2).name, b.fluidbox.get_locked_fluid(1), b.fluidbox[2])
      out(pcall(b.set_fluid, 2, {name='water', amount=10}))
      out(fb.flush(1).water, p.get_fluid_count())
    """
    v20 = Engine(seed=1, mods=[], starting_chunks=1, factorio_version="2.0")
    lines = v20.execute_command("/sc " + code).splitlines()
    # pipe.fluid_box.volume 100 each: the 50 inserted into one pipe is shared by the two
    assert lines[0] == "LuaFluidBox\t1\twater\t25\t100\t1\t4.5\t50\tnil"
    assert lines[1] == "2\tsteam\twater\tnil"
    assert lines[2].startswith("false") and "filtered for steam" in lines[2]
    assert lines[3] == "50\t0"
    v21 = Engine(seed=1, mods=[], starting_chunks=1, factorio_version="2.1")
    reply = v21.execute_command("/sc " + code)
    assert reply.startswith("error") and "LuaEntity doesn't contain key fluidbox." in reply


def test_2_1s_per_storage_fluid_members():
    from factoryverse.engine.engine import Engine

    code = _OUT + """
      local s = game.surfaces.nauvis
      local p = s.create_entity{name='pipe', position={3.5, 3.5}}
      local q = s.create_entity{name='pipe', position={4.5, 3.5}}
      out(p.get_fluid_capacity(1), p.add_fluid(1, {name='water', amount=150}), p.get_fluid_segment_capacity(1))
      out(p.get_fluid_segment_fluid(1).amount, q.get_fluid(1).amount, p.has_fluid_segment(1),
          p.get_fluid_segment_id(1) == q.get_fluid_segment_id(1), p.get_fluid_box_neighbours(1)[1] == q)
      out(p.add_fluid_segment_fluid(1, {name='water', amount=50}), p.remove_fluid_segment_fluid(1, 30),
          p.extract_fluid{name='water', amount=10}, q.get_fluid_count())
      p.clear_fluid_segment_fluid(1)
      out(p.get_fluid_segment_fluid(1), #p.fluidbox_neighbours, p.get_fluid_filter(1))
      local b = s.create_entity{name='boiler', position={10.5, 10}}
      out(b.get_fluid_filter(2).name, pcall(b.set_fluid_segment_fluid, 2, {name='water', amount=1}))
    """
    v21 = Engine(seed=1, mods=[], starting_chunks=1, factorio_version="2.1")
    lines = v21.execute_command("/sc " + code).splitlines()
    assert lines[0] == "100\t100\t200"  # pipe.fluid_box.volume: a storage takes up to its own volume
    assert lines[1] == "100\t50\ttrue\ttrue\ttrue"
    assert lines[2] == "50\t30\t10\t55"
    assert lines[3] == "nil\t1\tnil"
    assert lines[4].startswith("steam\tfalse") and "filtered for steam" in lines[4]
    v20 = Engine(seed=1, mods=[], starting_chunks=1, factorio_version="2.0")
    reply = v20.execute_command("/sc " + code)
    assert "doesn't contain key get_fluid_capacity" in reply
