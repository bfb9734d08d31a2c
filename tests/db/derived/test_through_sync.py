"""The derived tables through the real loader and delta path: snapshot files in, deltas applied, rows out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from factoryverse.db import apply_delta, connect, load_snapshot
from factoryverse.db.derived import rebuild_derived
from factoryverse.schemas import validate_wire_record

from .. import _records as R
from .conftest import as_rebuilt, table_rows

_EAST = 4  # defines.direction.east in Factorio 2.x's 16-way numbering
_DERIVED = (
    "SELECT line_id, entity_keys, ST_AsText(geom) FROM belt_line ORDER BY line_id",
    "SELECT patch_id, resource_name::VARCHAR, tile_count, total_amount, drill_keys FROM resource_patch ORDER BY 1",
    "SELECT patch_id, tile_count, coast_length FROM water_patch ORDER BY 1",
)


def _belt(key: int, x: float, *, inputs: list[int] = (), outputs: list[int] = ()) -> dict[str, Any]:
    belt = {k: v for k, v in (("inputs", list(inputs)), ("outputs", list(outputs))) if v}
    return R.entity(key, "transport-belt", x, 0.5, entity_type="transport-belt", direction=_EAST, **({"belt": belt} if belt else {}))


@pytest.fixture
def synced(tmp_path: Path):
    writer = R.SnapshotWriter(tmp_path / "script-output" / "fv_snapshot")
    belts = [_belt(1, 0.5, outputs=[2]), _belt(2, 1.5, inputs=[1], outputs=[3]), _belt(3, 2.5, inputs=[2])]
    water = [R.water_tile(x, y) for x in range(10, 14) for y in range(10, 13)]
    writer.write_init([*belts, *R.ore_rect(0, 5, 4, 3, amount=50), *water])
    writer.write_status(0, chunks=1)
    con = connect(tmp_path / "map.duckdb")
    load_snapshot(con, writer.root)
    yield writer, con
    con.close()


def test_a_loaded_snapshot_has_its_derived_tables(synced) -> None:
    _, con = synced
    assert table_rows(con, _DERIVED[0]) == [(1, [1, 2, 3], "LINESTRING (0 0.5, 0.5 0.5, 1.5 0.5, 2.5 0.5, 3 0.5)")]
    assert table_rows(con, _DERIVED[1]) == [(1, "iron-ore", 12, 600, [])]
    # 4x3 lake inside one charted chunk: 14 edges of coast.
    assert table_rows(con, _DERIVED[2]) == [(1, 12, 14)]


def test_deltas_update_the_derived_tables_as_a_rebuild_would(synced) -> None:
    writer, con = synced
    seq = 0

    def send(rec: dict[str, Any]) -> None:
        assert apply_delta(con, writer.append_update(rec), snapshot_dir=writer.root)

    # Extend the line (only the new belt's record knows the link), cut it, deplete ore.
    send(R.entity_built(seq := seq + 1, _belt(4, 3.5, inputs=[3])))
    assert table_rows(con, "SELECT entity_keys FROM belt_line") == [([1, 2, 3, 4],)]
    send(R.entity_removed(seq := seq + 1, _belt(2, 1.5)))
    assert table_rows(con, "SELECT entity_keys FROM belt_line ORDER BY line_id") == [([1],), ([3, 4],)]
    send(R.resource_depleted(seq := seq + 1, 1, 6))
    send(R.resource_depleted(seq := seq + 1, 2, 6))
    for sql in _DERIVED:
        assert table_rows(con, sql) == as_rebuilt(con, rebuild_derived, sql)


def test_power_changed_deltas_give_watts(synced) -> None:
    writer, con = synced
    version = R.SCHEMA_VERSION

    def network(tick: int, joules: float) -> dict[str, Any]:
        return {"type": "electric_network", "schema_version": version, "run_id": R.RUN_ID, "tick": tick,
                "surface": "nauvis", "network_id": 5, "poles": 2, "production": {"steam-engine": joules},
                "consumption": {"lab": joules / 2}}

    for seq, tick, joules in ((1, 60, 1e6), (2, 120, 2.8e6)):
        rec = {"type": "power_changed", "schema_version": version, "run_id": R.RUN_ID, "seq": seq, "tick": tick,
               "surface": "nauvis", "networks": [network(tick, joules)]}
        validate_wire_record(rec)
        assert apply_delta(con, writer.append_update(rec), snapshot_dir=writer.root)
    assert table_rows(con, "SELECT network_id, poles, production, consumption, tick FROM power_network") == [
        (5, 2, 1.8e6, 0.9e6, 120)]


def test_no_derived_row_outlives_a_reload(synced) -> None:
    writer, con = synced
    load_snapshot(con, writer.root)
    assert table_rows(con, "SELECT count(*) FROM belt_line_member") == [(3,)]
