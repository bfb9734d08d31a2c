"""A radar of the suite's own force charts the chunks within `get_max_distance_of_nearby_sector_revealed()` of its
own every `energy_per_nearby_scan / energy_usage` ticks, and one more chunk within
`get_max_distance_of_sector_revealed()` every `energy_per_sector / energy_usage` ticks.

The console cannot register an `on_chunk_charted` handler, so the tests watch `LuaForce.is_chunk_charted` on the
ticks before and after each scan; a chunk uncharted after the first scan shows the next nearby scan charting again.
Only 2.1 has the radar's scan energies in its runtime API; on 2.0 the tests take them from the base game's data for
2.0 (`radar.energy_per_nearby_scan` 250kJ, `energy_per_sector` 10MJ). The first scan completing on the radar's
`every`-th tick from the tick it was built is the engine's reading (tests/engine/mechanics/test_charting.py)."""

from __future__ import annotations

from ._force import FORCE, own_force
from ._power import power
from ._rates import whole_ticks
from .harness import STORE, number

RADAR = "prototypes.entity['radar']"
# base 2.0's data (data/base/prototypes/entity/entities.lua), for servers whose API does not give them
_BASE_2_0 = {"energy_per_nearby_scan": 250e3, "energy_per_sector": 10e6}


def _scan_ticks(game, field: str) -> int:
    has = game.lua(f"rcon.print((pcall(function() return {RADAR}.{field} end)))")
    energy = number(game, f"{RADAR}.{field}") if has == "true" else _BASE_2_0[field]
    usage = number(game, f"{RADAR}.energy_usage")
    return whole_ticks(energy / usage / 60, f"radar.{field} {energy} J / energy_usage {usage} J/tick")


def _build(game, area) -> tuple[str, int, int, int]:
    """The force, the tick the radar was built at and its chunk."""
    f = own_force(game)
    power(game, area, force=FORCE)
    built = int(game.lua(f"{STORE}.r = game.surfaces[1].create_entity{{name = 'radar', position = {area.pos(6.5, 6.5)}, "
                         f"force = '{FORCE}'}} rcon.print(game.tick)"))
    return f, built, (area.x + 6) // 32, (area.y + 6) // 32


def _charted(game, f: str, cx: int, cy: int) -> bool:
    return game.lua(f"rcon.print({f}.is_chunk_charted(game.surfaces[1], {{{cx}, {cy}}}))") == "true"


def _count(game, f: str, cx: int, cy: int, r: int) -> int:
    return int(number(game, f"(function() local f, s, n = {f}, game.surfaces[1], 0 for dx = -{r}, {r} do "
                            f"for dy = -{r}, {r} do if f.is_chunk_charted(s, {{{cx} + dx, {cy} + dy}}) then n = n + 1 end "
                            "end end return n end)()"))


def test_nearby_scans_chart_the_chunks_round_the_radar_every_period(game, area):
    every = _scan_ticks(game, "energy_per_nearby_scan")
    near = int(number(game, f"{RADAR}.get_max_distance_of_nearby_sector_revealed()"))
    f, built, cx, cy = _build(game, area)
    corner = (cx + near, cy - near)  # the farthest chunk a nearby scan reaches
    game.run_to(built + every - 1)
    assert _count(game, f, cx, cy, near + 1) == 0, "nothing charted before the first nearby scan"
    game.run_to(built + every)
    assert _count(game, f, cx, cy, near) == (2 * near + 1) ** 2, f"{2 * near + 1}^2 chunks charted at tick {every}"
    assert not _charted(game, f, cx + near + 1, cy), "nothing beyond the nearby distance"
    game.lua(f"{f}.unchart_chunk({{{corner[0]}, {corner[1]}}}, game.surfaces[1])")
    game.run_to(built + 2 * every - 1)
    assert not _charted(game, f, *corner)
    game.run_to(built + 2 * every)
    assert _charted(game, f, *corner), f"charted again by the next nearby scan, {every} ticks later"


def test_sector_scans_chart_one_chunk_each_period(game, area):
    every = _scan_ticks(game, "energy_per_sector")
    near = int(number(game, f"{RADAR}.get_max_distance_of_nearby_sector_revealed()"))
    far = int(number(game, f"{RADAR}.get_max_distance_of_sector_revealed()"))
    f, built, cx, cy = _build(game, area)
    nearby = (2 * near + 1) ** 2
    for k in (1, 2):
        game.run_to(built + k * every - 1)
        assert _count(game, f, cx, cy, far) == nearby + k - 1
        game.run_to(built + k * every)
        assert _count(game, f, cx, cy, far) == nearby + k, f"sector scan {k} completes at tick {k * every}"
    assert number(game, f"{STORE}.r.radar_scan_progress") == 0
