"""SyncService over real UDP sockets on 127.0.0.1, with the update logs on disk as the fallback."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import duckdb
import pytest

from factoryverse.db import SyncError, SyncService, SyncTimeoutError, query

from . import _records as R
from ._records import SnapshotWriter


def _run(con: duckdb.DuckDBPyConnection, writer: SnapshotWriter,
         body: Callable[[SyncService, Callable[..., None]], Awaitable[None]], **options: Any) -> SyncService:
    """Start a service, hand the body a `send(*records_or_bytes)` over a real UDP socket, stop it.

    `send` is any local process's datagram; `_emitter(writer, send)` is the game's, which logs first.
    """
    async def main() -> SyncService:
        service = SyncService(con, writer.root, port=0, **options)
        await service.start()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

        def send(*items: Any) -> None:
            for item in items:
                data = item if isinstance(item, bytes) else json.dumps(item).encode()
                sock.sendto(data, ("127.0.0.1", service.port))

        try:
            await body(service, send)
        finally:
            sock.close()
            await service.stop()
        return service

    return asyncio.run(main())


def _emitter(writer: SnapshotWriter, send: Callable[..., None]) -> Callable[..., None]:
    """What the mod does per delta: append it to the update log, then send the same bytes as a datagram."""
    def emit(*records: dict[str, Any], surface: str = R.SURFACE) -> None:
        for rec in records:
            writer.append_update(rec, surface)
            send(rec)
    return emit


def _chest(unit: int) -> dict[str, Any]:
    return R.entity(unit, "wooden-chest", unit + 0.5, 0.5)


def _units(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r["entity_key"] for r in query(con, "SELECT entity_key FROM map_entity ORDER BY 1")]


def test_datagrams_in_order_are_applied(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        _emitter(writer, send)(R.entity_built(1, _chest(1)), R.entity_built(2, _chest(2)))
        await service.wait_for_datagrams(2, timeout=5)
        assert service.last_seq == 2

    service = _run(loaded, writer, body)
    assert _units(loaded) == [1, 2]
    assert (service.stats.applied, service.stats.confirmed, service.stats.from_disk) == (2, 2, 0)
    assert service.stats.duplicates == 0


def test_duplicates_are_ignored(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        built = R.entity_built(1, _chest(1))
        emit = _emitter(writer, send)
        emit(built)
        send(built)
        emit(R.entity_removed(2, _chest(1)))
        send(built)
        await service.wait_for_datagrams(4, timeout=5)

    service = _run(loaded, writer, body)
    assert _units(loaded) == []  # re-applying seq 1 after 2 would have brought the chest back
    assert (service.stats.applied, service.stats.duplicates) == (2, 2)


def test_reordered_datagrams_are_applied_in_seq_order(writer: SnapshotWriter,
                                                      loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        records = [R.entity_built(1, _chest(1)), R.entity_removed(2, _chest(1)), R.entity_built(3, _chest(3))]
        for rec in records:
            writer.append_update(rec)  # the game logs in seq order; the network reorders
        send(*reversed(records))
        await service.wait_for_datagrams(3, timeout=5)
        assert service.last_seq == 3

    service = _run(loaded, writer, body)
    assert _units(loaded) == [3]
    # Seq 3 arrived first; the log already held 1 and 2, so all three went in at once.
    assert service.stats.applied == 3 and service.stats.confirmed + service.stats.from_disk == 3


def test_a_dropped_datagram_is_read_from_the_log(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    records = [R.entity_built(1, _chest(1)), R.entity_built(2, _chest(2)), R.entity_removed(3, _chest(1))]
    for rec in records:
        writer.append_update(rec)

    async def body(service: SyncService, send: Callable[..., None]) -> None:
        service_started_at = service.last_seq
        assert service_started_at == 3  # start() catches up from the logs already
        writer.append_update(R.entity_built(4, _chest(4)))
        _emitter(writer, send)(R.entity_built(5, _chest(5)))  # seq 4's datagram is lost on the way
        await service.wait_for_datagrams(1, timeout=5)
        assert service.last_seq == 5

    service = _run(loaded, writer, body)
    assert _units(loaded) == [2, 4, 5]
    assert service.stats.gaps_repaired == 1
    assert service.stats.from_disk == 4  # three at start, seq 4 during the repair
    assert service.stats.confirmed == 1


def test_a_gap_not_yet_on_disk_is_filled_when_the_log_catches_up(writer: SnapshotWriter,
                                                                 loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        # Two surfaces log separately: seq 2 (another surface) can be on disk before seq 1 is.
        _emitter(writer, send)(R.entity_built(2, _chest(2)), surface="other")
        await service.wait_for_datagrams(1, timeout=5)
        assert service.last_seq == 0
        writer.append_update(R.entity_built(1, _chest(1)))
        assert await service.wait_for_seq(2, timeout=5) == 2

    service = _run(loaded, writer, body)
    assert _units(loaded) == [1, 2]
    assert service.stats.from_disk >= 1


def test_malformed_datagrams_are_counted_and_the_service_keeps_going(
        writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    bad_schema = R.entity_built(1, _chest(1))
    bad_schema["entity"]["direction"] = 99

    async def body(service: SyncService, send: Callable[..., None]) -> None:
        send(b"not json", b"\xff\xfe", json.dumps([1, 2]).encode(), bad_schema, R.chunk(0, 0))
        _emitter(writer, send)(R.entity_built(1, _chest(1)))
        await service.wait_for_datagrams(6, timeout=5)

    service = _run(loaded, writer, body)
    assert service.stats.malformed == 5
    assert service.stats.applied == 1 and _units(loaded) == [1]


def test_wait_for_seq_reads_the_log_when_no_datagram_comes(writer: SnapshotWriter,
                                                          loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        writer.append_update(R.entity_built(1, _chest(1)))
        assert await service.wait_for_seq(1, timeout=5) == 1

    service = _run(loaded, writer, body)
    assert service.stats.received == 0 and service.stats.from_disk == 1


def test_wait_for_seq_times_out_with_a_typed_error(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        with pytest.raises(SyncTimeoutError) as info:
            await service.wait_for_seq(7, timeout=0.2)
        assert (info.value.seq, info.value.last_seq) == (7, 0)

    _run(loaded, writer, body)


def test_a_delta_that_cannot_be_stored_is_skipped(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    # A chunk_charted whose chunk files are damaged must not stall every later delta.
    writer.write_init(R.ore_rect(64, 0, 1, 1))
    (writer.chunk_dir(2, 0) / "resources-init.jsonl").write_text("{broken\n")

    async def body(service: SyncService, send: Callable[..., None]) -> None:
        _emitter(writer, send)(R.chunk_charted(1, 2, 0), R.entity_built(2, _chest(2)))
        await service.wait_for_datagrams(2, timeout=5)
        assert service.last_seq == 2

    service = _run(loaded, writer, body)
    assert service.stats.failed == 1 and "resources-init.jsonl:1" in str(service.last_error)
    assert _units(loaded) == [2]


def test_port_before_start_and_double_start_are_errors(writer: SnapshotWriter,
                                                       loaded: duckdb.DuckDBPyConnection) -> None:
    service = SyncService(loaded, writer.root)
    with pytest.raises(SyncError, match="not listening"):
        _ = service.port

    async def body(service: SyncService, send: Callable[..., None]) -> None:
        with pytest.raises(SyncError, match="already started"):
            await service.start()

    _run(loaded, writer, body)


def test_a_busy_port_is_a_typed_error(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    async def main() -> None:
        first = SyncService(loaded, writer.root)
        await first.start()
        try:
            with pytest.raises(SyncError, match="cannot listen"):
                await SyncService(loaded, writer.root, port=first.port).start()
        finally:
            await first.stop()

    asyncio.run(main())
