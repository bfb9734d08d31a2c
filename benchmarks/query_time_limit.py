"""What a query's time limit costs: run_user_sql with timeout_s (a watchdog thread per query) versus without.

Every front end and the SDK's RemoteView run user SQL under a time limit, and the seed's queries must each take
under 50 ms; the limit's watchdog must not eat into that. Measured on a small point query (an entity by key from a
10,000-row table), where the fixed cost shows most.

Printed: CPU time (time.process_time, the machine is shared) and wall time per query, both ways, and the extra
cost of the limit against its target: under 1 ms per query (2% of the 50 ms budget).

Usage: python benchmarks/query_time_limit.py [--queries 2000]
"""

from __future__ import annotations

import argparse
import time

import duckdb

from factoryverse.db import run_user_sql

_TARGET_MS = 1.0


def _measure(con: duckdb.DuckDBPyConnection, queries: int, timeout_s: float | None) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(queries):
        rows = run_user_sql(con, "SELECT entity_key, x FROM spot WHERE entity_key = ?", [i % 10_000],
                            timeout_s=timeout_s)
        assert len(rows) == 1
    return ((time.process_time() - cpu) * 1000 / queries, (time.perf_counter() - wall) * 1000 / queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE TABLE spot AS SELECT range AS entity_key, range * 0.5 AS x FROM range(10000)")
        _measure(con, 200, None)  # warm-up: plans, caches
        plain_cpu, plain_wall = _measure(con, args.queries, None)
        limited_cpu, limited_wall = _measure(con, args.queries, 10.0)
    finally:
        con.close()
    extra = limited_cpu - plain_cpu
    print(f"queries: {args.queries}")
    print(f"without a time limit: {plain_cpu:.3f} ms CPU, {plain_wall:.3f} ms wall per query")
    print(f"with timeout_s=10:    {limited_cpu:.3f} ms CPU, {limited_wall:.3f} ms wall per query")
    verdict = "met" if extra < _TARGET_MS else "MISSED"
    print(f"the time limit costs {extra:.3f} ms CPU per query (target: under {_TARGET_MS:g} ms): {verdict}")


if __name__ == "__main__":
    main()
