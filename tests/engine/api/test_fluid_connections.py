"""A fluid box's prototype, pipe connections, filter and segment extent: 2.0's LuaFluidBox members and 2.1's
per-storage LuaEntity members read the same boxes (pipe.fluid_box: volume 100, four normal connections)."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import load_prototypes

_OUT = """local function out(...)
  local t = {}
  for i = 1, select('#', ...) do t[#t + 1] = tostring((select(i, ...))) end
  rcon.print(table.concat(t, '\\t'))
end
local s = game.surfaces.nauvis
local p = s.create_entity{name='pipe', position={3.5, 3.5}}
local q = s.create_entity{name='pipe', position={4.5, 3.5}}
"""

# The same calls on each version: 2.0 through p.fluidbox, 2.1 through p itself.
_CALLS = {
    "2.0": dict(proto="p.fluidbox.get_prototype(1)", conns="p.fluidbox.get_pipe_connections(1)",
                extent="p.fluidbox.get_fluid_segment_extent_bounding_box(1)", set="p.fluidbox.set_filter(1, %s)",
                filter="p.fluidbox.get_filter(1)", boiler="b.fluidbox.set_filter(2, {name='water'})",
                target="c.target and c.target.owner.position.x", volume="volume"),
    "2.1": dict(proto="p.get_fluid_box_prototype(1)", conns="p.get_fluid_box_pipe_connections(1)",
                extent="p.get_fluid_segment_extent_bounding_box(1)", set="p.set_fluid_filter(1, %s)",
                filter="p.get_fluid_filter(1)", boiler="b.set_fluid_filter(2, {name='water'})",
                target="c.target and c.target.position.x", volume="get_volume()"),
}


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_prototype_connections_extent_and_filter(version: str) -> None:
    c = _CALLS[version]
    code = _OUT + f"""
      out({c['proto']}.object_name, {c['proto']}.{c['volume']}, {c['proto']}.production_type)
      for i, c in ipairs({c['conns']}) do
        out(i, c.flow_direction, c.connection_type, c.position.x, c.position.y, c.target_position.x,
            c.target_position.y, {c['target']}, c.target_fluidbox_index, c.target_pipe_connection_index)
      end
      local bb = {c['extent']}
      out(bb.left_top.x, bb.left_top.y, bb.right_bottom.x, bb.right_bottom.y)
      p.insert_fluid{{name='water', amount=50}}
      out({c['set'] % "{name='crude-oil'}"}, p.get_fluid_count())
      out({c['set'] % "{name='crude-oil', force=true}"}, {c['filter']}.name, p.get_fluid_count())
      out(q.insert_fluid{{name='water', amount=5}}, q.insert_fluid{{name='crude-oil', amount=5}})
      out({c['set'] % "nil"}, {c['filter']})
      local b = s.create_entity{{name='boiler', position={{10.5, 10}}}}
      out({c['boiler']})
      out(pcall(function() return {c['set'] % "{name='no-such-fluid'}"} end))
    """
    game = Engine(seed=1, mods=[], starting_chunks=1, factorio_version=version)
    lines = game.execute_command("/sc " + code).splitlines()
    volume = load_prototypes().raw["pipe"]["pipe"]["fluid_box"]["volume"]
    assert lines[0] == f"LuaFluidBoxPrototype\t{volume}\tnone"
    # Connections in the prototype's order (north, east, south, west for a pipe); only the east one joins q, at
    # q's box 1, through q's 4th connection (its west one).
    assert lines[1:5] == [
        "1\tinput-output\tnormal\t3.5\t3.5\t3.5\t2.5\tnil\tnil\tnil",
        "2\tinput-output\tnormal\t3.5\t3.5\t4.5\t3.5\t4.5\t1\t4",
        "3\tinput-output\tnormal\t3.5\t3.5\t3.5\t4.5\tnil\tnil\tnil",
        "4\tinput-output\tnormal\t3.5\t3.5\t2.5\t3.5\tnil\tnil\tnil",
    ]
    assert lines[5] == "3\t3\t5\t4"  # the two pipes' tiles
    # A filter for another fluid than the segment holds is refused unless forced, which empties the segment.
    assert lines[6] == "false\t25"  # its share of the 50 the segment holds
    assert lines[7] == "true\tcrude-oil\t0"
    assert lines[8] == "0\t5"  # the whole segment now takes only crude oil
    assert lines[9] == "true\tnil"
    assert lines[10] == "false"  # a boiler's steam box keeps its prototype's filter
    assert lines[11].startswith("false") and "Unknown fluid name: no-such-fluid" in lines[11]


@pytest.mark.parametrize(("version", "prefix", "suffix"), [("2.0", "p.fluidbox.", "linked_connection"),
                                                           ("2.1", "p.", "fluid_box_linked_connection")])
def test_no_base_box_has_linked_connections(version: str, prefix: str, suffix: str) -> None:
    code = _OUT + f"""
      out(#{prefix}get_{suffix}s(), {prefix}get_{suffix}(1))
      out(pcall({prefix}add_{suffix}, 1, q, 1))
    """
    game = Engine(seed=1, mods=[], starting_chunks=1, factorio_version=version)
    lines = game.execute_command("/sc " + code).splitlines()
    assert lines[0] == "0\tnil"
    assert lines[1].startswith("false") and "pipe has no linked fluid box connection with id 1" in lines[1]
