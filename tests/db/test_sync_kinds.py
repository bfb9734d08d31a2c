"""Every delta kind through the SyncService under dropped, duplicated and reordered datagrams ends in the same
database as applying the update log in order."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Callable

import duckdb

from factoryverse.db import SyncService, apply_delta, connect, load_snapshot

from . import _records as R
from ._records import SnapshotWriter
from .test_sync_service import _run

_TABLES = ("map_entity", "entity_status", "inserter", "transport_belt", "furnace", "container", "entity_inventory",
           "burner", "fluid_box", "ghost", "research", "technology", "resource_tile", "resource_entity", "chunk",
           "resource_patch", "belt_line")


def _inserter(unit: int, x: float, **extra: Any) -> dict[str, Any]:
    return R.entity(unit, "burner-inserter", x, 0.5, entity_type="inserter", half=0.15,
                    inserter={"pickup_position": [x, -0.5], "drop_position": [x, 1.5]}, **extra)


def _deltas(writer: SnapshotWriter) -> list[dict[str, Any]]:
    """60 deltas of every kind the log can hold, in seq order."""
    rng = random.Random(11)
    out: list[dict[str, Any]] = []

    def add(make: Callable[[int], dict[str, Any]]) -> None:
        out.append(make(len(out) + 1))

    writer.write_init([R.resource_tile(70, 3, 40), R.resource_entity("tree-01", 75.5, 5.5)])  # chunk (2, 0)
    for unit in range(100, 112):
        x = unit - 90.5
        add(lambda seq, u=unit, x=x: R.entity_built(seq, _inserter(u, x, status="working",
                                                                  fuel={"burning": "coal", "remaining": 5.0}), tick=seq))
    for unit in range(112, 118):
        add(lambda seq, u=unit: R.entity_built(seq, R.entity(u, "transport-belt", u - 90.5, 4.5,
                                                             entity_type="transport-belt", half=0.4, direction=4,
                                                             belt={"inputs": [u - 1]} if u > 112 else {"outputs": [113]}),
                                               tick=seq))
    for unit in rng.sample(range(100, 112), 6):
        add(lambda seq, u=unit: R.entity_changed(seq, _inserter(u, u - 90.5, status="no_fuel"), tick=seq))
    for unit in rng.sample(range(100, 112), 3):
        add(lambda seq, u=unit: R.entity_removed(seq, _inserter(u, u - 90.5), tick=seq))
    for x, y in ((0, 0), (1, 1), (2, 2)):
        add(lambda seq, x=x, y=y: R.resource_depleted(seq, x, y, tick=seq))
    add(lambda seq: R.research_changed(seq, R.research("player", current="automation", progress=0.5), tick=seq))
    add(lambda seq: R.chunk_charted(seq, 2, 0, tick=seq))
    add(lambda seq: R._base("resource_entity_removed", R.RUN_ID, seq=seq, tick=seq, event="on_player_mined_entity",
                            surface=R.SURFACE, name="tree-01", x=75.5, y=5.5))
    add(lambda seq: R.research_changed(seq, R.research("player", researched=["automation"]), tick=seq))
    add(lambda seq: R.entity_built(seq, R.entity(200, "entity-ghost", 30.5, 30.5, entity_type="entity-ghost",
                                                 ghost_name="stone-furnace", ghost_type="furnace"), tick=seq))
    while len(out) < 60:
        unit = 300 + len(out)
        add(lambda seq, u=unit: R.entity_built(seq, R.entity(u, "wooden-chest", u + 0.5, 40.5,
                                                             inventories={"chest": {"coal": u}}), tick=seq))
    return out


def _dump(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: sorted(con.execute(f"SELECT {_columns(con, t)} FROM {t}").fetchall(), key=repr) for t in _TABLES}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    cols = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                       "ORDER BY column_index", [table]).fetchall()
    return ", ".join(f'ST_AsText("{c}")' if kind == "GEOMETRY" else f'"{c}"' for c, kind in cols)


def test_every_kind_survives_drop_duplicate_and_reorder(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection,
                                                        tmp_path: Path) -> None:
    deltas = _deltas(writer)
    rng = random.Random(5)

    async def body(service: SyncService, send: Callable[..., None]) -> None:
        for start in range(0, len(deltas), 6):
            group = deltas[start:start + 6]
            for rec in group:  # the game logs first ...
                writer.append_update(rec)
            shuffled = [rec for rec in group if rng.random() > 0.25]  # ... its datagrams may be lost,
            shuffled += rng.sample(group, 2)                            # duplicated
            rng.shuffle(shuffled)                                       # and reordered
            send(*shuffled)
        await service.wait_for_seq(len(deltas), timeout=20)

    service = _run(loaded, writer, body)
    assert service.last_seq == len(deltas) and service.stats.failed == 0 and service.stats.forged == 0
    assert service.stats.duplicates > 0

    reference = connect(tmp_path / "reference.duckdb")
    try:
        load_snapshot(reference, writer.root)  # the same snapshot and log, applied in seq order by the loader
        expected = _dump(reference)
    finally:
        reference.close()
    log = writer.root / R.SURFACE / "updates.jsonl"
    stepwise = connect(tmp_path / "stepwise.duckdb")
    try:  # and once more, one delta per transaction: folding a batch must not change the outcome
        text = log.read_text()
        log.unlink()
        load_snapshot(stepwise, writer.root)
        log.write_text(text)
        for rec in deltas:
            assert apply_delta(stepwise, rec)
        one_by_one = _dump(stepwise)
    finally:
        stepwise.close()
    got = _dump(loaded)
    assert got == expected
    assert one_by_one == expected
    assert got["technology"] == [("player", "automation", True)]
    assert len(got["map_entity"]) == 12 - 3 + 6 + (60 - 35)
    assert got["ghost"][0][:3] == (200, "stone-furnace", "furnace")
