"""fv_embodied_agent's scenarios on the embedded engine, on every Factorio version a server runs as.

test-ground: lab floor round the spawn, nothing on it, agents and the test_ground interface usable at once.
lab-grid: 64 cells laid out over the first ticks; each cell's force independent of the others, the out-of-map border
wider than any reach, the same layout in every cell (counted from the game's prototypes, not from the scenario's
constants), reset_cell putting a cell back, and the level's storage surviving a save in the middle of the build.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.factorio_versions import VERSIONS
from factoryverse.engine.state_hash import state_hash

from .test_embodied_agent import call, refused

LAB_GRID = "fv_embodied_agent/lab-grid"
BUILD_TICKS = 1000  # the build takes one step a tick (a few hundred); a bound, never waited out by the clock
HALF_BUILT_TICK = 50
# Factorio version -> (lab_grid's refusal of reset_cell at tick 0, the save at HALF_BUILT_TICK), from built_grid.
_half_built: dict[str, tuple[str, Path]] = {}


def _engine(packaged_mods: dict, version: str, out: Path, scenario: str) -> Engine:
    return Engine(seed=1, script_output=out, factorio_version=version, mods_dir=packaged_mods[version],
                  scenario=scenario)


def _ready(engine: Engine) -> bool:
    return call(engine, "lab_grid", "status")["ready"]


def _box(area: dict) -> tuple[int, int, int, int]:
    return (area["left_top"]["x"], area["left_top"]["y"], area["right_bottom"]["x"], area["right_bottom"]["y"])


def _layout(engine: Engine, area: dict) -> tuple:
    """What a cell holds, relative to its corner: tile names by count, and each resource tile's name and amount by
    offset. Resource names are the game's resource prototypes."""
    left, top, right, bottom = _box(area)
    surface = engine.world.surfaces["nauvis"]
    tiles = Counter(name for _, _, name in surface.generated_tiles(left, top, right, bottom))
    resource_names = set(engine.prototypes.raw["resource"])
    ore = sorted(
        (x - left, y - top, e.name, e.amount) for (x, y), e in surface.resources_at.items()
        if left <= x < right and top <= y < bottom and e.name in resource_names
    )
    return tuple(sorted(tiles.items())), tuple(ore)


@pytest.fixture(scope="module", params=sorted(VERSIONS), ids=lambda v: f"factorio-{v}")
def built_grid(request, packaged_mods, tmp_path_factory):
    """A lab-grid game per Factorio version, laid out; tests that change it work on a fork.

    Its build is saved part way (HALF_BUILT_TICK), so the save-and-load test needs no build of its own."""
    folder = tmp_path_factory.mktemp("grid")
    engine = _engine(packaged_mods, request.param, folder, LAB_GRID)
    at_start = refused(engine, "lab_grid", "reset_cell", "1")
    engine.run_ticks(HALF_BUILT_TICK)
    _half_built[request.param] = at_start, engine.save(folder, "half-built")
    engine.run_until(lambda: _ready(engine), BUILD_TICKS)
    yield engine
    engine.close()


@pytest.fixture
def grid(built_grid, tmp_path):
    engine = built_grid.fork(script_output=tmp_path)
    yield engine
    engine.close()


# -- test-ground --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("name", ["fv_embodied_agent/test-ground", "test-ground"])
def test_test_ground_is_bare_lab_floor_with_agents_and_test_ground_at_once(packaged_mods, tmp_path, udp, version, name):
    engine = _engine(packaged_mods, version, tmp_path, name)
    try:
        assert engine.scenario is not None and engine.scenario.id == "fv_embodied_agent/test-ground"
        area = "{{-128, -128}, {128, 128}}"
        counts = engine.execute_command(
            f"/sc local s = game.surfaces.nauvis rcon.print(helpers.table_to_json({{"
            f"entities = s.count_entities_filtered{{area = {area}}}, "
            f"lab = s.count_tiles_filtered{{area = {area}, name = {{'lab-dark-1', 'lab-dark-2'}}}}, "
            f"enemies = s.count_entities_filtered{{force = 'enemy'}}, spawn = game.forces.player.get_spawn_position(s)}}))")
        assert json.loads(counts) == {"entities": 0, "lab": 256 * 256, "enemies": 0, "spawn": {"x": 0, "y": 0}}
        # At tick 0: an agent stands at the spawn, and test_ground shapes the map round it.
        created = call(engine, "agent", "create_agent", str(udp.getsockname()[1]))
        assert math.hypot(created["position"]["x"], created["position"]["y"]) < 2
        placed = call(engine, "test_ground", "place_resources", "'iron-ore'", "{{4, 4}, {8, 8}}", "500")
        assert placed["placed"] == 16 and engine.tick == 0
    finally:
        engine.close()


# -- lab-grid: layout ---------------------------------------------------------------------------------------------


def test_the_grid_has_64_cells_each_a_force_name_and_an_area_of_its_own(built_grid):
    status = call(built_grid, "lab_grid", "status")
    assert status["ready"] and 0 < status["ready_tick"] < BUILD_TICKS
    cells = call(built_grid, "lab_grid", "cells")
    assert [c["index"] for c in cells] == list(range(1, 65))
    assert len({c["force"] for c in cells}) == 64 and cells[6]["force"] == "fv-cell-7"
    assert call(built_grid, "lab_grid", "cell", "7") == cells[6]
    boxes = [_box(c["area"]) for c in cells]
    assert {(r - l, b - t) for l, t, r, b in boxes} == {(64, 64)}
    for c, (l, t, r, b) in zip(cells, boxes):
        assert l < c["spawn"]["x"] < r and t < c["spawn"]["y"] < b
    # No cell's force exists before its first reset_cell: Factorio allows 64 forces in all (see the docs).
    assert not any(c["claimed"] for c in cells)


def test_neighbouring_cells_are_split_by_out_of_map_wider_than_any_reach(built_grid):
    character = built_grid.prototypes.raw["character"]["character"]
    reach = max(character["reach_distance"], character["build_distance"], character["reach_resource_distance"])
    cells = call(built_grid, "lab_grid", "cells")
    surface = built_grid.world.surfaces["nauvis"]
    for a, b in ((1, 2), (1, 9), (63, 64)):  # beside, below, and at the far corner
        la, ta, ra, ba = _box(cells[a - 1]["area"])
        lb, tb, rb, bb = _box(cells[b - 1]["area"])
        gap = (ra, ta, lb, ba) if b == a + 1 else (la, ba, ra, tb)
        width = gap[2] - gap[0] if b == a + 1 else gap[3] - gap[1]
        assert width > reach
        names = {name for _, _, name in surface.generated_tiles(*gap)}
        assert names == {"out-of-map"}, (a, b, names)
    # The outer edge too: the row of tiles round the top-left cell.
    l, t, r, b = _box(cells[0]["area"])
    assert {name for _, _, name in surface.generated_tiles(l - 1, t - 1, r, t)} == {"out-of-map"}
    assert {name for _, _, name in surface.generated_tiles(l - 1, t, l, b)} == {"out-of-map"}


def test_every_cell_holds_the_same_layout(built_grid):
    cells = call(built_grid, "lab_grid", "cells")
    layouts = [_layout(built_grid, c["area"]) for c in cells]
    assert all(layout == layouts[0] for layout in layouts[1:])
    tiles, ore = layouts[0]
    kinds = Counter(name for _, _, name, _ in ore)
    assert len(kinds) >= 4 and all(amount > 0 for *_, amount in ore), kinds
    assert any(name == "water" and count > 0 for name, count in tiles), tiles


# -- lab-grid: forces and isolation -------------------------------------------------------------------------------


def _starter_technology(engine: Engine) -> tuple[str, str]:
    """A technology without prerequisites that unlocks a recipe, and that recipe: from the prototypes."""
    for name, tech in sorted(engine.prototypes.raw["technology"].items()):
        unlocks = [e["recipe"] for e in tech.get("effects", []) if e.get("type") == "unlock-recipe"]
        if not tech.get("prerequisites") and unlocks:
            return name, unlocks[0]
    raise AssertionError("no starter technology in the prototypes")


def _research_state(engine: Engine, force: str, tech: str, recipe: str) -> list:
    return json.loads(engine.execute_command(
        f"/sc local f = game.forces['{force}'] rcon.print(helpers.table_to_json("
        f"{{f.technologies['{tech}'].researched, f.recipes['{recipe}'].enabled}}))"))


def test_cells_forces_research_on_their_own_and_hold_their_fire(grid, udp):
    tech, recipe = _starter_technology(grid)
    for index in (1, 2):
        reset = call(grid, "lab_grid", "reset_cell", str(index))
        assert reset["index"] == index and call(grid, "lab_grid", "cell", str(index))["claimed"]
    grid.execute_command(f"/sc game.forces['fv-cell-1'].technologies['{tech}'].researched = true")
    assert _research_state(grid, "fv-cell-1", tech, recipe) == [True, True]
    assert _research_state(grid, "fv-cell-2", tech, recipe) == [False, False]
    relations = grid.execute_command(
        "/sc local a, b = game.forces['fv-cell-1'], game.forces['fv-cell-2'] rcon.print(helpers.table_to_json("
        "{a.get_cease_fire(b), b.get_cease_fire(a), a.get_friend(b), a.get_cease_fire('player')}))")
    assert json.loads(relations) == [True, True, False, True]
    # An agent goes into a cell with its force and spawn; it starts with that force's research.
    cell = call(grid, "lab_grid", "cell", "1")
    created = call(grid, "agent", "create_agent", str(udp.getsockname()[1]),
                   f"{{force = '{cell['force']}', position = {{x = {cell['spawn']['x']}, y = {cell['spawn']['y']}}}}}")
    assert created["force"] == "fv-cell-1"
    l, t, r, b = _box(cell["area"])
    assert l < created["position"]["x"] < r and t < created["position"]["y"] < b
    # A force made later (an agent's own) is at cease-fire with the cells too.
    own = call(grid, "agent", "create_agent", str(udp.getsockname()[1]))
    assert grid.execute_command(f"/sc rcon.print(game.forces['{own['force']}'].get_cease_fire('fv-cell-2'))") == "true"


def test_nothing_in_one_cell_is_reachable_from_the_next(grid, udp):
    for index in (1, 2):
        call(grid, "lab_grid", "reset_cell", str(index))
    one, two = call(grid, "lab_grid", "cell", "1"), call(grid, "lab_grid", "cell", "2")
    _, _, right_of_one, _ = _box(one["area"])
    left_of_two, top, _, _ = _box(two["area"])
    y = top + 20.5
    grid.execute_command(f"/sc storage.chest = game.surfaces.nauvis.create_entity{{name = 'wooden-chest', "
                         f"position = {{{right_of_one - 0.5}, {y}}}, force = 'fv-cell-1'}}")
    agent = call(grid, "agent", "create_agent", str(udp.getsockname()[1]),
                 f"{{force = 'fv-cell-2', position = {{x = {left_of_two + 0.5}, y = {y}}}}}")
    iface = agent["interface_name"]
    assert agent["position"]["x"] > left_of_two  # it stands in its own cell, at the edge nearest cell 1
    reachable = call(grid, iface, "get_reachable")["entities"]
    assert not [e for e in reachable if e["name"] == "wooden-chest"]
    text = refused(grid, iface, "pickup_entity", "'wooden-chest'", f"{{x = {right_of_one - 0.5}, y = {y}}}")
    assert "[fv:" in text and "wooden-chest" in text
    # The border itself takes nothing: not a character, not a building.
    border = f"{{x = {right_of_one + 3.5}, y = {y}}}"
    blocked = grid.execute_command(
        f"/sc local s = game.surfaces.nauvis rcon.print(helpers.table_to_json({{s.can_place_entity{{name = 'character', "
        f"position = {border}}}, s.can_place_entity{{name = 'wooden-chest', position = {border}, force = 'fv-cell-2'}}}}))")
    assert json.loads(blocked) == [False, False]


# -- lab-grid: reset ----------------------------------------------------------------------------------------------


def test_reset_cell_puts_the_cell_back_and_keeps_its_agents(grid, udp):
    tech, recipe = _starter_technology(grid)
    cell = call(grid, "lab_grid", "cell", "5")
    first = call(grid, "lab_grid", "reset_cell", "5")
    assert first["characters"] == 0
    pristine = _layout(grid, cell["area"])
    l, t, r, b = _box(cell["area"])
    agent = call(grid, "agent", "create_agent", str(udp.getsockname()[1]),
                 f"{{force = 'fv-cell-5', position = {{x = {cell['spawn']['x']}, y = {cell['spawn']['y']}}}}}")
    # Build, mine, landfill and research in the cell.
    grid.execute_command(
        f"/sc local s = game.surfaces.nauvis "
        f"storage.chest = s.create_entity{{name = 'wooden-chest', position = {{{l + 30.5}, {t + 30.5}}}, force = 'fv-cell-5'}} "
        f"for _, e in pairs(s.find_entities_filtered{{area = {{{{{l}, {t}}}, {{{l + 8}, {t + 8}}}}}, type = 'resource'}}) do "
        f"e.destroy() end "
        f"local tiles = {{}} for _, tile in pairs(s.find_tiles_filtered{{area = {{{{{l}, {t}}}, {{{r}, {b}}}}}, name = 'water'}}) do "
        f"tiles[#tiles + 1] = {{name = 'lab-white', position = tile.position}} end s.set_tiles(tiles) "
        f"game.forces['fv-cell-5'].technologies['{tech}'].researched = true")
    assert _layout(grid, cell["area"]) != pristine
    reset = call(grid, "lab_grid", "reset_cell", "5")
    assert reset["removed"] >= 1 and reset["characters"] == 1
    assert _layout(grid, cell["area"]) == pristine
    assert grid.execute_command("/sc rcon.print(storage.chest.valid)") == "false"
    assert _research_state(grid, "fv-cell-5", tech, recipe) == [False, False]
    assert call(grid, agent["interface_name"], "get_position")  # the agent is still there


# -- lab-grid: save, load and errors ------------------------------------------------------------------------------


def test_a_save_in_the_middle_of_the_build_loads_and_finishes_it(packaged_mods, tmp_path, built_grid):
    version = built_grid.factorio.name
    at_start, path = _half_built[version]  # built_grid's own game, before its build and part way through it
    assert "[fv:invalid_state] the grid is still being laid out (step 0 of " in at_start
    loaded = Engine.load(path, mods_dir=packaged_mods[version], script_output=tmp_path / "b")
    try:
        assert loaded.scenario is not None and loaded.scenario.id == LAB_GRID
        status = call(loaded, "lab_grid", "status")
        assert status["ready"] is False and status["step"] == HALF_BUILT_TICK  # the level's storage, as saved
        loaded.run_until(lambda: _ready(loaded), BUILD_TICKS)  # its on_load registered the build's handler again
        cells = call(built_grid, "lab_grid", "cells")
        assert [_layout(loaded, c["area"]) for c in cells] == [_layout(built_grid, c["area"]) for c in cells]
    finally:
        loaded.close()


def test_bad_cell_indexes_are_refused_naming_the_range_and_change_nothing(built_grid):
    before = state_hash(built_grid)
    for method in ("cell", "reset_cell"):
        for bad in ("0", "65", "'x'", "1.5", "true", "{index = 99}"):
            text = refused(built_grid, "lab_grid", method, bad)
            assert "[fv:invalid_argument] index must be an integer between 1 and 64" in text, text
        assert "[fv:invalid_argument] index is required" in refused(built_grid, "lab_grid", method)
    assert "no_such_method" in refused(built_grid, "lab_grid", "no_such_method")
    assert state_hash(built_grid) == before, "a refused call changed the game"
    mod_version = next(m.info.version for m in built_grid.mods if m.name == "fv_embodied_agent")
    assert call(built_grid, "lab_grid", "version") == {"interface": "lab_grid", "schema_version": 1,
                                                     "mod_version": mod_version}


# -- lab-grid: one cell's state in the map database ---------------------------------------------------------------


def test_a_cells_state_is_a_query_by_force_or_area_in_the_map_database(grid, tmp_path, udp):
    from factoryverse.db import connect, load_snapshot
    from factoryverse.servers._map_db import GAME_NAMES_LUA, enum_names, parse_game_names

    cells = {i: call(grid, "lab_grid", "cell", str(i)) for i in (3, 4)}
    for index, cell in cells.items():
        call(grid, "lab_grid", "reset_cell", str(index))
        # An agent of the cell's force charts round it, so the snapshot holds the cell.
        call(grid, "agent", "create_agent", str(udp.getsockname()[1]),
             f"{{force = '{cell['force']}', position = {{x = {cell['spawn']['x']}, y = {cell['spawn']['y']}}}}}")

    def chest(index: int, dx: float) -> None:
        cell = cells[index]
        x, y = cell["spawn"]["x"] + dx, cell["spawn"]["y"] + 6
        reply = grid.execute_command(f"/sc game.surfaces.nauvis.create_entity{{name = 'wooden-chest', position = "
                                     f"{{{x}, {y}}}, force = '{cell['force']}', raise_built = true}}")
        assert reply == "", reply

    chest(3, 0)  # before the run: in the snapshot's init files
    chest(4, 0)
    call(grid, "map", "set_snapshot_config", "{run_id = 'grid-run'}")
    # The bootstrap writes the charted chunks a few a tick; bounded, as every wait here.
    grid.run_until(lambda: call(grid, "map", "get_snapshot_status")["phase"] == "complete", 4000)
    status = call(grid, "map", "get_snapshot_status")
    chest(3, 3)  # during the run: a delta
    grid.run_ticks(2)
    names = parse_game_names(grid.execute_command("/sc " + GAME_NAMES_LUA))
    con = connect(tmp_path / "map.duckdb")
    try:
        load_snapshot(con, tmp_path / status["output_dir"], **enum_names(names))
        by_force = con.execute("SELECT force, count(*) FROM map_entity WHERE force LIKE 'fv-cell-%' "
                               "GROUP BY force ORDER BY force").fetchall()
        assert by_force == [("fv-cell-3", 2), ("fv-cell-4", 1)]
        l, t, r, b = _box(cells[3]["area"])
        in_area = con.execute(
            "SELECT DISTINCT force FROM map_entity WHERE position.x BETWEEN ? AND ? AND position.y BETWEEN ? AND ?",
            [l, r, t, b]).fetchall()
        assert in_area == [("fv-cell-3",)]
    finally:
        con.close()


def test_past_the_games_force_limit_a_reset_is_refused_and_changes_nothing(grid):
    """Factorio allows 64 forces, three of them the game's: the 62nd cell's force cannot be made."""
    forces = int(grid.execute_command("/sc local n = 0 for _ in pairs(game.forces) do n = n + 1 end rcon.print(n)"))
    free = 64 - forces
    # The first cells and the last one that fits are claimed by reset_cell itself (the last at 63 forces, the
    # boundary); the cells between only need their forces to exist, and re-laying each cell's 4096 tiles for that
    # cost seconds a version (every cell's layout is checked by test_every_cell_holds_the_same_layout).
    for index in (1, 2):
        call(grid, "lab_grid", "reset_cell", str(index))
    made = grid.execute_command(f"/sc for i = 3, {free - 1} do game.create_force('fv-cell-' .. i) end")
    assert made == "", made
    assert call(grid, "lab_grid", "reset_cell", str(free))["index"] == free
    assert all(c["claimed"] for c in call(grid, "lab_grid", "cells")[:free])
    before = state_hash(grid)
    text = refused(grid, "lab_grid", "reset_cell", str(free + 1))
    assert f"[fv:invalid_state] cannot make force fv-cell-{free + 1}: the game has 64 forces" in text, text
    assert state_hash(grid) == before
    assert call(grid, "lab_grid", "reset_cell", "1")["index"] == 1  # a cell whose force exists still resets
