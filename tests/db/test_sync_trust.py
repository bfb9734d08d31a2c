"""Only the game's deltas enter the database: datagrams are checked against the update log it writes.

Regression tests for issue 6, item 2 (any local process could send the next seq and win over the game)
and item 10 (a datagram of 5,000 '[' raised RecursionError, was not counted and logged a traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import duckdb
import pytest

from factoryverse.db import SyncService, query
from factoryverse.db.sync import _PENDING_WINDOW

from . import _records as R
from ._records import SnapshotWriter
from .test_sync_service import _chest, _emitter, _run, _units


def test_a_forged_next_seq_never_wins_over_the_game(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        send(R.entity_built(1, R.entity(666, "iron-chest", 9.5, 9.5)))  # not the game's: not in the log
        await service.wait_for_datagrams(1, timeout=5)
        assert service.last_seq == 0  # held until the log says what seq 1 is
        _emitter(writer, send)(R.entity_built(1, _chest(1)))
        await service.wait_for_seq(1, timeout=5)
        await service.wait_settled(timeout=5)

    with caplog.at_level(logging.WARNING, logger="factoryverse.db.sync"):
        service = _run(loaded, writer, body)
    assert _units(loaded) == [1]
    assert (service.stats.forged, service.stats.confirmed) == (1, 1)
    assert "does not confirm" in caplog.text


def test_a_datagram_the_log_never_confirms_is_given_up(writer: SnapshotWriter,
                                                       loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        send(R.entity_built(1, _chest(1)))
        await service.wait_for_datagrams(1, timeout=5)
        await service.wait_settled(timeout=5)

    service = _run(loaded, writer, body, unconfirmed_after=0.1)
    assert _units(loaded) == [] and service.stats.forged == 1 and service.last_seq == 0


def test_a_conflicting_duplicate_of_an_applied_seq_changes_nothing(writer: SnapshotWriter,
                                                                   loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        _emitter(writer, send)(R.entity_built(1, _chest(1)))
        await service.wait_for_seq(1, timeout=5)
        send(R.entity_removed(1, _chest(1)))  # claims seq 1 removed the chest
        await service.wait_for_datagrams(2, timeout=5)

    service = _run(loaded, writer, body)
    assert _units(loaded) == [1]
    assert service.stats.forged == 1 and service.stats.duplicates == 0


_WINDOW = _PENDING_WINDOW


def test_far_future_seqs_are_not_held(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        for first in range(2, _WINDOW + 2002, 100):
            # Paced: a burst larger than the socket's receive buffer would be dropped by the kernel.
            send(*(R.entity_built(seq, _chest(seq)) for seq in range(first, first + 100)))
            await service.wait_for_datagrams(first + 98, timeout=10)
        assert len(service._pending) <= _WINDOW  # bounded by the window, whatever is sent
        _emitter(writer, send)(R.entity_built(1, _chest(1)))
        await service.wait_for_seq(1, timeout=5)

    service = _run(loaded, writer, body)
    sent = 100 * len(range(2, _WINDOW + 2002, 100))
    assert service.stats.dropped == sent - (_WINDOW - 1)  # seqs 2.._WINDOW are held, the rest not
    assert _units(loaded) == [1]


def test_a_deeply_nested_datagram_is_malformed_and_logged_once(writer: SnapshotWriter,
                                                               loaded: duckdb.DuckDBPyConnection,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        for batch in range(5):
            send(*[b"[" * 5000] * 10)
            await service.wait_for_datagrams(10 * (batch + 1), timeout=5)
        _emitter(writer, send)(R.entity_built(1, _chest(1)))
        await service.wait_for_datagrams(51, timeout=5)

    with caplog.at_level(logging.WARNING, logger="factoryverse.db.sync"):
        service = _run(loaded, writer, body)
    assert service.stats.malformed == 50 and _units(loaded) == [1]
    assert "Traceback" not in caplog.text
    malformed = [r for r in caplog.records if "malformed" in r.getMessage()]
    # The first in full; the other 49 only as a count when the service stops.
    assert len(malformed) == 2 and "49 more" in malformed[1].getMessage()


def test_another_runs_datagram_is_ignored_while_the_files_show_ours(writer: SnapshotWriter,
                                                                     loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., None]) -> None:
        send(R.entity_built(1, _chest(1), run_id="run-b"))
        await service.wait_for_datagrams(1, timeout=5)
        await service.wait_settled(timeout=5)

    service = _run(loaded, writer, body)
    # Counted once, as another run's; not also as forged.
    assert (service.stats.foreign, service.stats.forged, service.stats.reloads) == (1, 0, 0)
    assert service.run_id == "run-a" and _units(loaded) == []


def test_a_new_run_on_disk_rebuilds_the_map_and_says_so(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    def new_game(send: Callable[..., None]) -> None:
        # What fv_snapshot does for a new run id: remove the old run's files, snapshot, then deltas from 1.
        import shutil

        shutil.rmtree(writer.root)
        writer.root.mkdir(parents=True)
        writer.write_init([R.entity(50, "iron-chest", 5.5, 5.5, run_id="run-b")], run_id="run-b")
        writer.write_status(0, chunks=1, run_id="run-b")
        _emitter(writer, send)(R.entity_built(1, _chest(7) | {"run_id": "run-b"}, run_id="run-b"))

    async def body(service: SyncService, send: Callable[..., None]) -> None:
        _emitter(writer, send)(R.entity_built(1, _chest(1)), R.entity_built(2, _chest(2)))
        await service.wait_for_seq(2, timeout=5)
        new_game(send)
        await service.wait_for_datagrams(3, timeout=5)
        await service.wait_settled(timeout=5)

    with caplog.at_level(logging.WARNING, logger="factoryverse.db.sync"):
        service = _run(loaded, writer, body)
    assert service.run_id == "run-b" and service.stats.reloads == 1
    assert _units(loaded) == [7, 50]  # nothing of run-a's chests 1 and 2
    assert "new run 'run-b'" in caplog.text
    rows = query(loaded, "SELECT value FROM sync_state WHERE key = 'run_id'")
    assert rows == [{"value": "run-b"}]


def test_wait_settled_is_bounded(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    async def body(service: SyncService, send: Callable[..., Any]) -> None:
        send(R.entity_built(1, _chest(1)))
        await service.wait_for_datagrams(1, timeout=5)
        with pytest.raises(Exception, match="still wait"):
            await service.wait_settled(timeout=0.2)

    _run(loaded, writer, body)


def test_a_run_the_files_never_show_is_given_up(writer: SnapshotWriter, loaded: duckdb.DuckDBPyConnection) -> None:
    """A foreign datagram while the status file is missing must not keep the service looking forever."""
    (writer.root / "status.jsonl").unlink()

    async def body(service: SyncService, send: Callable[..., None]) -> None:
        send(R.entity_built(1, _chest(1), run_id="run-b"))
        await service.wait_for_datagrams(1, timeout=5)
        await service.wait_settled(timeout=5)

    service = _run(loaded, writer, body, unconfirmed_after=0.05)
    assert service.run_id == "run-a" and service.stats.foreign == 1 and _units(loaded) == []
