"""Belts: a compressed lane passes a point at `belt_speed` / 0.25 items per tick (4 items per tile per lane, the
game's fixed spacing), so transport, fast and express belts move 15, 30 and 45 items/s over both lanes.

A run of 14 compressed belts feeds 14 empty ones, all facing east, with a dead end far enough away not to matter.
The k-th item of a lane (counting from the boundary) starts (0.125 + 0.25 k) tiles before it, so it has crossed
after (0.125 + 0.25 k) / belt_speed ticks; the count is read at a tick where no item is at the boundary, so the
game's choice of when an item on an edge counts as moved does not matter.
"""

from __future__ import annotations

import math

import pytest

from .harness import STORE, number

_RUN = 14
_TICKS = 120


@pytest.mark.parametrize(("belt", "items_per_second"), [("transport-belt", 15), ("fast-transport-belt", 30),
                                                          ("express-transport-belt", 45)])
def test_a_compressed_belt_moves_its_items_per_second(game, area, belt, items_per_second):
    speed = number(game, f"prototypes.entity['{belt}'].belt_speed")
    why = f"{belt}.belt_speed = {speed} tiles/tick"
    assert speed * 60 * 4 * 2 == pytest.approx(items_per_second), why
    crossings = [(0.125 + 0.25 * k) / speed for k in range(4 * _RUN)]
    assert all(abs(t - _TICKS) > 0.5 for t in crossings), "the read tick must not fall on a crossing"
    per_lane = sum(1 for t in crossings if t < _TICKS)
    assert per_lane < 4 * _RUN and _TICKS * speed < _RUN, "the feeding run must not run dry, nor the front arrive"
    y = 4.5
    game.lua(f"""
        {STORE}.belts = {{}}
        local s = game.surfaces[1]
        for i = 0, {2 * _RUN - 1} do
          {STORE}.belts[i] = s.create_entity{{name = '{belt}', position = {{{area.x} + 1.5 + i, {area.y} + {y}}},
            force = 'player', direction = defines.direction.east}}
        end
        for i = 0, {_RUN - 1} do
          for lane = 1, 2 do
            local line = {STORE}.belts[i].get_transport_line(lane)
            for k = 0, 3 do assert(line.insert_at(0.125 + 0.25 * k, {{name = 'iron-plate', count = 1}})) end
          end
        end""")
    start = game.tick
    game.run_ticks(_TICKS)
    moved = int(game.lua(f"""
        local n = 0
        for i = {_RUN}, {2 * _RUN - 1} do
          local b = {STORE}.belts[i]
          n = n + b.get_transport_line(1).get_item_count() + b.get_transport_line(2).get_item_count()
        end
        rcon.print(n)"""))
    assert game.tick == start + _TICKS
    assert moved == 2 * per_lane, f"{why}: {moved} items crossed in {_TICKS} ticks, expected {2 * per_lane}"
    assert math.isclose(moved / (_TICKS / 60), items_per_second, rel_tol=0.05)
