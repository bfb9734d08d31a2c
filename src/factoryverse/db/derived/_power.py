"""power_network: one row per electric network, fed by electric_network records (power.jsonl, power_changed).

A record carries energy totals since the network formed (joules per prototype, LuaFlowStatistics input and
output counts), so power in watts is the growth of the totals between two samples of the same network over
the ticks between them. A network's first sample has no rate yet (NULL).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb

from ._stage import sql_text

__all__ = ["TABLE", "DDL", "COMMENTS", "TABLE_COMMENT", "TICKS_PER_SECOND", "apply_power_records"]

TABLE = "power_network"
TICKS_PER_SECOND = 60  # Factorio's fixed update rate: energy per tick * 60 = watts
DDL = """
        network_id BIGINT PRIMARY KEY, surface VARCHAR NOT NULL, poles INTEGER NOT NULL,
        production DOUBLE, consumption DOUBLE, satisfaction DOUBLE, tick BIGINT NOT NULL,
        production_total DOUBLE NOT NULL, consumption_total DOUBLE NOT NULL, rate_ticks BIGINT"""
TABLE_COMMENT = "electric networks: production and consumption sampled by fv_snapshot (power.jsonl, power_changed)"
COMMENTS = {
    "network_id": "LuaEntity.electric_network_id shared by the network's poles (map_entity.electric_network_id)",
    "surface": "the surface of the network's poles",
    "poles": "number of electric poles in the network",
    "production": "W produced between the last two samples; NULL until a second sample arrives",
    "consumption": "W consumed between the last two samples; NULL until a second sample arrives",
    "satisfaction": "0..1 share of demand met when the record carries it; NULL from fv_snapshot, since no member "
                    "that reads it exists in both Factorio 2.0 and 2.1 (entity_status low_power / no_power shows "
                    "which consumers go short)",
    "tick": "game tick of the last sample",
    "production_total": "J produced since the network formed, summed over its producers",
    "consumption_total": "J consumed since the network formed, summed over its consumers",
    "rate_ticks": "ticks between the two samples production and consumption are measured over",
}

_COLUMNS = ("network_id", "surface", "poles", "satisfaction", "tick", "production_total", "consumption_total")


def _total(counts: Mapping[str, Any] | float | int) -> float:
    if isinstance(counts, Mapping):
        return float(sum(counts.values()))
    return float(counts)


def _number(value: float | int | None) -> str:
    if value is None or not math.isfinite(float(value)):
        return "NULL::DOUBLE"
    return f"{float(value)!r}::DOUBLE"


def _latest(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per network: its newest record's values."""
    newest: dict[int, Mapping[str, Any]] = {}
    for rec in records:
        old = newest.get(rec["network_id"])
        if old is None or rec["tick"] >= old["tick"]:
            newest[rec["network_id"]] = rec
    return [{"network_id": r["network_id"], "surface": r["surface"], "poles": r["poles"],
             "satisfaction": r.get("satisfaction"), "tick": r["tick"],
             "production_total": _total(r["production"]), "consumption_total": _total(r["consumption"])}
            for r in newest.values()]


def apply_power_records(con: duckdb.DuckDBPyConnection, records: Iterable[Mapping[str, Any]]) -> None:
    """Upsert the networks of `records`; rates come from the growth since each network's stored sample.

    Totals that shrank mean the network id now names a re-formed network: its rate starts over (NULL).
    """
    rows = _latest(records)
    if not rows:
        return
    values = ", ".join(
        f"({int(r['network_id'])}, {sql_text(r['surface'])}, {int(r['poles'])}, {_number(r['satisfaction'])}, "
        f"{int(r['tick'])}, {_number(r['production_total'])}, {_number(r['consumption_total'])})" for r in rows)
    con.execute(f"""
        INSERT OR REPLACE INTO {TABLE}
        WITH joined AS (
            SELECT n.*, o.production AS o_production, o.consumption AS o_consumption, o.rate_ticks AS o_span,
                   n.production_total - o.production_total AS produced,
                   n.consumption_total - o.consumption_total AS consumed, n.tick - o.tick AS span
            FROM (VALUES {values}) AS n({", ".join(_COLUMNS)}) LEFT JOIN {TABLE} o USING (network_id)
        ), judged AS (
            SELECT *, coalesce(span > 0 AND produced >= 0 AND consumed >= 0, false) AS grows,
                   -- The same sample again (a replayed file) keeps the rate it already has.
                   coalesce(span = 0 AND produced = 0 AND consumed = 0, false) AS same FROM joined
        )
        SELECT network_id, surface, poles,
               CASE WHEN grows THEN produced * {TICKS_PER_SECOND} / span WHEN same THEN o_production END,
               CASE WHEN grows THEN consumed * {TICKS_PER_SECOND} / span WHEN same THEN o_consumption END,
               satisfaction, tick, production_total, consumption_total,
               CASE WHEN grows THEN span WHEN same THEN o_span END
        FROM judged""")
