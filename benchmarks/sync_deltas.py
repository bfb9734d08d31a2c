"""Deltas per second the SyncService applies when every datagram is checked against the update log.

A game-like emitter appends each entity_built delta to updates.jsonl and then sends the same bytes over UDP
(as fv_snapshot does); the service applies the log's version once it has confirmed it. Printed: deltas applied
per second over the run, and the latency from send to applied (median, p99) at a paced rate.
Judged by: at least 20,000 deltas/s (the database issue's target) and p99 latency under 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factoryverse.db import SyncService, connect, load_snapshot  # noqa: E402
from factoryverse.schemas import load_wire_schema  # noqa: E402

# The records are written as the mods write them now: the wire schema's own version, not a copy of it.
_SCHEMA_VERSION = load_wire_schema()["schema_version"]

_RUN = "bench"
_TARGET_RATE = 20_000
_TARGET_P99_MS = 20.0


def _delta(seq: int) -> dict:
    x = float(seq % 500) + 0.5
    y = float(seq // 500) + 0.5
    entity = {"type": "entity", "schema_version": _SCHEMA_VERSION, "run_id": _RUN, "surface": "nauvis", "unit_number": seq,
              "name": "wooden-chest", "entity_type": "container", "x": x, "y": y, "direction": 0, "force": "player",
              "bbox": [x - 0.35, y - 0.35, x + 0.35, y + 0.35]}
    return {"type": "entity_built", "schema_version": _SCHEMA_VERSION, "run_id": _RUN, "seq": seq, "tick": seq,
            "event": "script_raised_built", "entity": entity}


def _snapshot(root: Path) -> None:
    chunk = root / "nauvis" / "chunks" / "0" / "0"
    chunk.mkdir(parents=True)
    for kind in ("resources", "entities", "water"):
        (chunk / f"{kind}-init.jsonl").write_text("")
    (chunk / "chunk-init.jsonl").write_text(json.dumps(
        {"type": "chunk", "schema_version": _SCHEMA_VERSION, "run_id": _RUN, "surface": "nauvis", "cx": 0, "cy": 0, "tick": 0}) + "\n")
    (root / "status.jsonl").write_text(json.dumps(
        {"type": "snapshot_status", "schema_version": _SCHEMA_VERSION, "run_id": _RUN, "phase": "complete", "tick": 0, "seq": 0,
         "chunks": 1}) + "\n")


async def _burst(service: SyncService, log, sock: socket.socket, first: int, count: int) -> float:
    started = time.perf_counter()
    for seq in range(first, first + count):
        line = json.dumps(_delta(seq))
        log.write(line + "\n")
        log.flush()
        sock.sendto(line.encode(), ("127.0.0.1", service.port))
        if seq % 200 == 0:
            await asyncio.sleep(0)  # let the service read, as a game loop between ticks would
    await service.wait_for_seq(first + count - 1, timeout=120)
    return time.perf_counter() - started


async def _latencies(service: SyncService, log, sock: socket.socket, first: int, count: int) -> list[float]:
    out = []
    for seq in range(first, first + count):
        line = json.dumps(_delta(seq))
        started = time.perf_counter()
        log.write(line + "\n")
        log.flush()
        sock.sendto(line.encode(), ("127.0.0.1", service.port))
        await service.wait_for_seq(seq, timeout=10)
        out.append((time.perf_counter() - started) * 1000)
    return out


async def main_async(count: int, paced: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fv_snapshot"
        _snapshot(root)
        con = connect(Path(tmp) / "map.duckdb")
        load_snapshot(con, root)
        (root / "nauvis").mkdir(exist_ok=True)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with (root / "nauvis" / "updates.jsonl").open("a") as log:
            async with SyncService(con, root) as service:
                seconds = await _burst(service, log, sock, 1, count)
                lat = await _latencies(service, log, sock, count + 1, paced)
                stats = service.stats
        sock.close()
        con.close()
    rate = count / seconds
    lat.sort()
    p99 = lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))]
    print(f"sync: {count} deltas in {seconds:.2f} s = {rate:,.0f} deltas/s "
          f"(confirmed {stats.confirmed}, from the log alone {stats.from_disk}, forged {stats.forged})")
    print(f"send-to-applied latency over {paced} paced deltas: median {statistics.median(lat):.2f} ms, "
          f"p99 {p99:.2f} ms")
    ok = rate >= _TARGET_RATE and p99 < _TARGET_P99_MS
    print(f"targets: >= {_TARGET_RATE:,} deltas/s, p99 < {_TARGET_P99_MS:.0f} ms -> {'PASS' if ok else 'MISS'}")
    return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=20_000)
    p.add_argument("--paced", type=int, default=500)
    a = p.parse_args()
    return asyncio.run(main_async(a.count, a.paced))


if __name__ == "__main__":
    raise SystemExit(main())
