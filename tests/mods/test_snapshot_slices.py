"""fv_snapshot's bootstrap spread over ticks (issue 10, point 6): each chunk is searched a strip at a time within a
per-tick budget of work, so the records must still be exactly the chunk's, with none lost or doubled on a strip's
border, and a save taken mid-chunk by the previous storage schema must write that chunk again whole.
Every test runs on each Factorio version (conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from .test_mods_on_engine import _call
from .test_snapshot_records import _in_mod
from .test_snapshot_runs import _bootstrap


def _chunk_files(root: Path, kind: str) -> dict[tuple[int, int], list[dict]]:
    out = {}
    for path in (root / "fv_snapshot" / "nauvis" / "chunks").glob(f"*/*/{kind}-init.jsonl"):
        out[(int(path.parent.parent.name), int(path.parent.name))] = [json.loads(l) for l in path.read_text().splitlines()]
    return out


def _game_chunk(engine, cx: int, cy: int) -> tuple[set, set, set]:
    """The chunk's resource tiles, other entities' positions and water tiles, by one search of the whole chunk."""
    lua = (
        f"local a = {{{{{cx * 32}, {cy * 32}}}, {{{cx * 32 + 32}, {cy * 32 + 32}}}}} local out = {{r = {{}}, e = {{}}, w = {{}}}} "
        "for _, e in pairs(game.surfaces[1].find_entities_filtered{area = a}) do "
        f"  local p = e.position if math.floor(p.x / 32) == {cx} and math.floor(p.y / 32) == {cy} then "
        "    if e.type == 'resource' then out.r[#out.r + 1] = {math.floor(p.x), math.floor(p.y)} "
        "    elseif e.type ~= 'character' then out.e[#out.e + 1] = {p.x, p.y} end end end "
        "for _, t in pairs(game.surfaces[1].find_tiles_filtered{area = a, collision_mask = 'water_tile'}) do "
        "  out.w[#out.w + 1] = {t.position.x, t.position.y} end "
        "rcon.print(helpers.table_to_json(out))"
    )
    got = json.loads(engine.execute_command("/sc " + lua))
    return ({tuple(p) for p in got["r"]}, {tuple(p) for p in got["e"]}, {tuple(p) for p in got["w"]})


def test_strips_write_each_chunk_exactly_once(engine, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-strips'}")
    status = _bootstrap(engine)
    resources, entities, water = (_chunk_files(tmp_path, k) for k in ("resources", "entities", "water"))
    assert len(resources) == status["chunks"] == 36
    seen = {"r": 0, "e": 0, "w": 0}
    for (cx, cy), tiles in resources.items():
        want_r, want_e, want_w = _game_chunk(engine, cx, cy)
        got_r = [(r["x"], r["y"]) for r in tiles]
        got_e = [(r["x"], r["y"]) for r in entities[(cx, cy)]]
        got_w = [(r["x"], r["y"]) for r in water[(cx, cy)]]
        # Lists, not sets, on the written side: a record written by two strips would show up twice.
        assert sorted(got_r) == sorted(want_r) and sorted(got_e) == sorted(want_e) and sorted(got_w) == sorted(want_w)
        seen["r"], seen["e"], seen["w"] = seen["r"] + len(got_r), seen["e"] + len(got_e), seen["w"] + len(got_w)
    # The start area of seed 1 has ore, trees or rocks, and water, so every kind crossed strip borders.
    assert all(seen.values()), seen


def test_a_chunk_half_written_by_storage_schema_3_is_written_again(engine, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-mid'}")
    for _ in range(3):
        engine.step()
    # Schema 3 kept the whole chunk's search and no strip count in the chunk being written.
    _in_mod(engine, "assert(storage.snapshot.current) storage.schema_version = 3 storage.snapshot.current.strip = nil")
    mod = next(m for m in engine.mods if m.name == "fv_snapshot")
    data = {"mod_changes": {"fv_snapshot": {"old_version": "0.3.0", "new_version": "0.3.1"}}}
    engine._run_handler(mod, "on_configuration_changed", mod.on_configuration_changed, mod.state.to_lua(data))
    assert not engine.mod_errors, engine.mod_errors
    _bootstrap(engine)
    assert not engine.mod_errors, engine.mod_errors
    for kind in ("resources", "entities", "water"):
        for chunk, records in _chunk_files(tmp_path, kind).items():
            places = [(r["x"], r["y"], r.get("name")) for r in records]
            assert len(places) == len(set(places)), (kind, chunk)
