"""The object table's compaction (engine/save/_object_table.py, _columns.py): a column of one repeated value is
written once, and nothing that only looks equal is merged."""

from __future__ import annotations

from pathlib import Path

from factoryverse.engine.engine import Engine
from factoryverse.engine.save._columns import Encoder
from factoryverse.engine.save._object_table import collect
from factoryverse.engine.state_hash import state_hash


def _kind(column: list[object]) -> str:
    return Encoder([]).encode(column)[0]


def test_only_the_same_object_or_an_equal_scalar_of_one_type_is_a_repeated_value() -> None:
    assert _kind([50.0, 50.0, float("50")]) == "o"
    assert _kind(["iron-ore", "iron-ore"]) == "o"
    assert _kind([1, 1.0]) != "o"
    assert _kind([1, True]) != "o"
    assert _kind([0.0, -0.0]) != "o"
    assert _kind([[], []]) != "o"  # equal, yet two lists: merging them would share one


def _furnaces(tmp_path: Path) -> Engine:
    engine = Engine(seed=1, mods=[], starting_chunks=1, saves_dir=tmp_path / "saves")
    engine.execute_command(
        "/sc for i = 0, 3 do local f = game.surfaces[1].create_entity{name = 'stone-furnace', position = {i * 2, 8},"
        " force = 'player'}; f.insert{name = 'coal', count = 5}; f.insert{name = 'iron-ore', count = 10} end"
    )
    engine.run_ticks(100)
    return engine


def test_furnaces_keep_their_fuel_filter_and_continue_across_a_load(tmp_path: Path) -> None:
    game = _furnaces(tmp_path)
    groups = collect(game.world).groups
    furnaces = next(g for g in groups if g[1] and getattr(g[1][0], "name", None) == "stone-furnace")
    names, columns = furnaces[2], furnaces[3]
    assert columns[names.index("name")][0] == "o" and columns[names.index("x")][0] == "f"
    loaded = Engine.load(game.save(tmp_path / "saves", "f"), mods=[])
    assert state_hash(loaded) == state_hash(game)
    reply = loaded.execute_command(
        "/sc local f = game.surfaces[1].find_entity('stone-furnace', {0, 8}); "
        "rcon.print(f.get_fuel_inventory().insert{name = 'iron-plate', count = 1} .. ' ' .. "
        "f.get_fuel_inventory().insert{name = 'coal', count = 1})"
    )
    assert reply.split() == ["0", "1"], reply  # plates are no fuel, coal is
    game.execute_command("/sc game.surfaces[1].find_entity('stone-furnace', {0, 8}).insert{name = 'coal', count = 1}")
    game.run_ticks(600)
    loaded.run_ticks(600)
    assert state_hash(loaded) == state_hash(game)
