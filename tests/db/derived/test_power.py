"""power_network: watts from the growth of a network's energy totals between two samples."""

from __future__ import annotations

from typing import Any

import duckdb

from factoryverse.db.derived import Changes, update_derived
from factoryverse.schemas import load_wire_schema, validate_wire_record

_ROWS = ("SELECT network_id, surface, poles, production, consumption, satisfaction, tick, production_total, "
         "consumption_total, rate_ticks FROM power_network ORDER BY network_id")


def _network(network_id: int, tick: int, produced: dict[str, float], consumed: dict[str, float], *,
             poles: int = 3) -> dict[str, Any]:
    rec = {"type": "electric_network", "schema_version": load_wire_schema()["schema_version"], "run_id": "run-a",
           "tick": tick, "surface": "nauvis", "network_id": network_id, "poles": poles,
           "production": produced, "consumption": consumed}
    validate_wire_record(rec)
    return rec


def test_the_first_sample_has_totals_but_no_rate(db: duckdb.DuckDBPyConnection) -> None:
    update_derived(db, Changes(power_records=[_network(7, 600, {"steam-engine": 9e6}, {"lab": 3e6, "inserter": 1e6})]))
    assert db.execute(_ROWS).fetchall() == [(7, "nauvis", 3, None, None, None, 600, 9e6, 4e6, None)]


def test_a_second_sample_gives_watts_over_the_ticks_between(db: duckdb.DuckDBPyConnection) -> None:
    update_derived(db, Changes(power_records=[_network(7, 600, {"steam-engine": 9e6}, {"lab": 4e6})]))
    # 60 ticks (one second) later 1.8 MJ more was produced and 1.2 MJ more consumed.
    update_derived(db, Changes(power_records=[_network(7, 660, {"steam-engine": 10.8e6}, {"lab": 5.2e6}, poles=4)]))
    assert db.execute(_ROWS).fetchall() == [(7, "nauvis", 4, 1.8e6, 1.2e6, None, 660, 10.8e6, 5.2e6, 60)]


def test_the_newest_record_of_a_batch_wins_and_a_replay_keeps_the_rate(db: duckdb.DuckDBPyConnection) -> None:
    first, second = _network(7, 600, {"s": 0.0}, {"c": 0.0}), _network(7, 720, {"s": 1.2e6}, {"c": 6e5})
    update_derived(db, Changes(power_records=[first]))
    update_derived(db, Changes(power_records=[second, first]))  # out of order within the batch
    assert db.execute("SELECT production, consumption, tick FROM power_network").fetchall() == [(6e5, 3e5, 720)]
    update_derived(db, Changes(power_records=[second]))  # the same sample again
    assert db.execute("SELECT production, consumption, tick FROM power_network").fetchall() == [(6e5, 3e5, 720)]


def test_totals_that_shrink_start_the_rate_over(db: duckdb.DuckDBPyConnection) -> None:
    # Totals below the stored ones are not the network sampled before: no negative watts from the difference.
    update_derived(db, Changes(power_records=[_network(7, 600, {"s": 5e6}, {"c": 5e6})]))
    update_derived(db, Changes(power_records=[_network(7, 660, {"s": 1e5}, {"c": 1e5})]))
    assert db.execute("SELECT production, consumption, production_total FROM power_network").fetchall() == [
        (None, None, 1e5)]
