"""Keeping the database in step with the game: deltas over UDP, the update logs on disk as truth.

Deltas are applied strictly in seq order. UDP is fast but may drop, duplicate or reorder
datagrams; a missing seq is read from `<surface>/updates.jsonl`, which the mod writes before it
sends the datagram. All DuckDB work runs on the event loop's thread, one batch at a time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncio_dgram
import duckdb

from . import _mutations
from ._update_log import UpdateLog, contiguous, read_contiguous
from .errors import DatabaseError, RecordError, SnapshotError, SyncError, SyncGapError, SyncTimeoutError
from .patches import build_resource_patches
from .schema import ensure_schema, validate_record

__all__ = ["apply_delta", "sync_from_disk", "last_applied_seq", "SyncStats", "SyncService"]

_log = logging.getLogger(__name__)

_RETRY_FIRST, _RETRY_MAX = 0.01, 0.5  # seconds between looks at the disk while a gap stays open


def last_applied_seq(con: duckdb.DuckDBPyConnection) -> int:
    """The seq of the last delta in the database (0 before any snapshot or delta)."""
    ensure_schema(con)
    value = _mutations.get_state(con, "last_seq")
    return 0 if value is None else int(value)


def _stored_snapshot_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    value = _mutations.get_state(con, "snapshot_dir")
    return None if value is None else Path(value)


def _apply_run(con: duckdb.DuckDBPyConnection, recs: list[dict[str, Any]], snapshot_dir: Path | None) -> None:
    """Apply consecutive deltas (the first is last_seq + 1) in one transaction, patches included."""
    try:
        con.begin()
        try:
            tiles_changed = False
            for rec in recs:
                tiles_changed |= _mutations.apply_record(con, rec, snapshot_dir)
            _mutations.set_state(con, last_seq=recs[-1]["seq"], last_tick=recs[-1]["tick"])
            if tiles_changed:
                build_resource_patches(con)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except duckdb.Error as exc:
        raise DatabaseError(f"applying deltas {recs[0]['seq']}..{recs[-1]['seq']} failed in DuckDB: {exc}") from exc


def apply_delta(con: duckdb.DuckDBPyConnection, rec: dict[str, Any], *, snapshot_dir: str | Path | None = None) -> bool:
    """Apply one delta record; False when its seq was already applied (a duplicate).

    Raises RecordError for an invalid record and SyncGapError when seq skips ahead of the
    database (apply the missing ones first, e.g. with sync_from_disk). chunk_charted reads the
    chunk's init files from `snapshot_dir` (default: the directory of the loaded snapshot).
    """
    validate_record(rec, fmt="snapshot_delta")
    last = last_applied_seq(con)
    seq = rec["seq"]
    if seq <= last:
        return False
    if seq != last + 1:
        raise SyncGapError(
            f"delta seq {seq} cannot be applied: the database is at seq {last}, so {last + 1}..{seq - 1} are "
            "missing; apply them first (sync_from_disk reads them from the update logs)",
            expected=last + 1, got=seq,
        )
    folder = Path(snapshot_dir) if snapshot_dir is not None else _stored_snapshot_dir(con)
    _apply_run(con, [rec], folder)
    return True


def _require_loaded(con: duckdb.DuckDBPyConnection) -> None:
    if _mutations.get_state(con, "snapshot_seq") is None:
        raise SnapshotError("the database holds no snapshot yet; call load_snapshot before syncing deltas")


def sync_from_disk(con: duckdb.DuckDBPyConnection, snapshot_dir: str | Path) -> int:
    """Apply every delta of the update logs newer than the database; return how many were applied."""
    ensure_schema(con)
    _require_loaded(con)
    run = read_contiguous(Path(snapshot_dir), last_applied_seq(con))
    if run:
        _apply_run(con, run, Path(snapshot_dir))
    return len(run)


@dataclass
class SyncStats:
    """Counters of a SyncService since it was created."""

    received: int = 0        # datagrams read from the socket
    applied: int = 0         # deltas applied, from UDP or disk
    duplicates: int = 0      # datagrams whose seq was already applied or already waiting
    gaps_repaired: int = 0   # times missing seqs were read from the update logs
    from_disk: int = 0       # deltas applied from the update logs rather than a datagram
    malformed: int = 0       # datagrams that were not a valid delta record
    failed: int = 0          # valid deltas that could not be stored (skipped, see last_error)


class SyncService:
    """Listens for snapshot deltas on UDP and applies them to the database in seq order."""

    def __init__(self, con: duckdb.DuckDBPyConnection, snapshot_dir: str | Path, *,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self._con = con
        self.snapshot_dir = Path(snapshot_dir)
        self.host = host
        self._wanted_port = port
        self._log = UpdateLog(self.snapshot_dir)
        self._pending: dict[int, dict[str, Any]] = {}
        self._stream: asyncio_dgram.DatagramServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._retrying = False
        self._advanced: asyncio.Event | None = None
        self._handled: asyncio.Event | None = None
        self._last_seq = last_applied_seq(con)
        self.stats = SyncStats()
        self.last_error: Exception | None = None

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def port(self) -> int:
        if self._stream is None:
            raise SyncError("the SyncService is not listening; await start() first")
        return self._stream.sockname[1]

    async def start(self) -> None:
        """Bind the UDP socket, then apply whatever the logs hold beyond the database."""
        if self._stream is not None:
            raise SyncError("the SyncService is already started")
        _require_loaded(self._con)
        try:
            self._stream = await asyncio_dgram.bind((self.host, self._wanted_port))
        except OSError as exc:
            raise SyncError(f"cannot listen for snapshot deltas on udp {self.host}:{self._wanted_port}: {exc}; "
                            "pick a free port (port=0 lets the system choose)") from exc
        self._spawn(self._receive())
        await self.catch_up()

    async def stop(self) -> None:
        """Close the socket and end the background tasks (idempotent)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def __aenter__(self) -> SyncService:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def catch_up(self) -> int:
        """Apply every delta on disk newer than the database; return how many were applied.

        A hole in the logs is left open (with several surfaces, one log can be read a moment
        before another is appended to); the next datagram or wait_for_seq looks again.
        """
        self._last_seq = last_applied_seq(self._con)
        before = self._last_seq
        run = contiguous(self._log.records_after(before), before)
        if run:
            self._apply(run, from_disk=True)
        self._drain()
        return self._last_seq - before

    async def wait_for_seq(self, seq: int, timeout: float = 5.0) -> int:
        """Return once the database has applied `seq` (read-your-writes), reading the logs if UDP is late.

        Raises SyncTimeoutError when neither UDP nor the logs bring `seq` within `timeout` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delay = _RETRY_FIRST
        while self._last_seq < seq:
            remaining = deadline - loop.time()
            if remaining <= 0:
                await self.catch_up()
                if self._last_seq >= seq:
                    break
                raise SyncTimeoutError(
                    f"the database reached seq {self._last_seq}, not {seq}, within {timeout} s, neither over UDP "
                    f"nor from {self.snapshot_dir}; is the game running and the fv_snapshot mod sending?",
                    seq=seq, last_seq=self._last_seq, timeout=timeout,
                )
            try:
                await asyncio.wait_for(self._advanced_event().wait(), min(delay, remaining))
            except asyncio.TimeoutError:
                await self.catch_up()  # the datagram is late or lost: the disk log is the truth
            delay = min(delay * 2, _RETRY_MAX)
        return self._last_seq

    async def wait_for_datagrams(self, count: int, timeout: float = 5.0) -> None:
        """Return once `count` datagrams in total have been handled (applied, queued or rejected).

        For tests and diagnostics that must observe the UDP path alone, without wait_for_seq's
        fallback to the disk log.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.stats.received < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise SyncError(f"only {self.stats.received} of {count} datagrams arrived within {timeout} s")
            try:
                await asyncio.wait_for(self._handled_event().wait(), remaining)
            except asyncio.TimeoutError:
                pass

    # -- internals -------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _advanced_event(self) -> asyncio.Event:
        if self._advanced is None:
            self._advanced = asyncio.Event()
        return self._advanced

    def _handled_event(self) -> asyncio.Event:
        if self._handled is None:
            self._handled = asyncio.Event()
        return self._handled

    async def _receive(self) -> None:
        stream = self._stream
        while stream is not None:
            try:
                data, _ = await stream.recv()
            except asyncio_dgram.TransportClosed:
                return
            except OSError as exc:  # an ICMP error reported on the socket; the socket itself still works
                _log.warning("snapshot sync socket reported: %s", exc)
                continue
            try:
                self.on_datagram(data)
            except Exception as exc:  # noqa: BLE001 - the listener must outlive any one datagram
                self.last_error = exc
                _log.exception("snapshot sync failed on a datagram")

    def on_datagram(self, data: bytes) -> None:
        """Handle one datagram's bytes (public so other transports can feed the service)."""
        try:
            self._handle(data)
        finally:
            if self._handled is not None:
                # Wake every waiter, and give later waiters a fresh event to wait on.
                self._handled.set()
                self._handled = asyncio.Event()

    def _handle(self, data: bytes) -> None:
        self.stats.received += 1
        try:
            rec = json.loads(data)
            validate_record(rec, fmt="snapshot_delta", source="udp")
        except (ValueError, RecordError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            self.stats.malformed += 1
            _log.warning("ignored a malformed snapshot datagram (%d bytes): %s", len(data), exc)
            return
        seq = rec["seq"]
        if seq <= self._last_seq or seq in self._pending:
            self.stats.duplicates += 1
            return
        self._pending[seq] = rec
        try:
            self._drain()
        except DatabaseError as exc:  # a damaged log must not end the listener; wait_for_seq reports it
            self.last_error = exc
            _log.error("snapshot sync could not repair a gap: %s", exc)

    def _drain(self) -> None:
        """Apply pending deltas that are next in line; fill a hole from disk; retry later if still open."""
        self._apply_ready()
        if not self._pending:
            return
        recs = self._log.records_after(self._last_seq)
        run = contiguous(recs, self._last_seq)
        if run:
            self.stats.gaps_repaired += 1
            self._apply(run, from_disk=True)
            self._apply_ready()
        if self._pending and not self._retrying:
            self._retrying = True
            self._spawn(self._retry_gap())

    def _apply_ready(self) -> None:
        for seq in [s for s in self._pending if s <= self._last_seq]:
            del self._pending[seq]
        run = []
        while self._last_seq + len(run) + 1 in self._pending:
            run.append(self._pending.pop(self._last_seq + len(run) + 1))
        if run:
            self._apply(run, from_disk=False)

    async def _retry_gap(self) -> None:
        """The log line of a missing seq may land after the next datagram: look again, backing off."""
        delay = _RETRY_FIRST
        try:
            while self._pending:
                await asyncio.sleep(delay)
                try:
                    self._drain()
                except DatabaseError as exc:
                    self.last_error = exc
                    _log.error("snapshot sync could not repair a gap: %s", exc)
                delay = min(delay * 2, _RETRY_MAX)
        finally:
            self._retrying = False

    def _apply(self, run: list[dict[str, Any]], *, from_disk: bool) -> None:
        try:
            _apply_run(self._con, run, self.snapshot_dir)
        except DatabaseError:
            # One bad record must not stall the stream: apply one by one and skip the failures.
            for rec in run:
                self._apply_one_or_skip(rec)
        else:
            self._advance(run[-1]["seq"], len(run), from_disk)

    def _apply_one_or_skip(self, rec: dict[str, Any]) -> None:
        try:
            _apply_run(self._con, [rec], self.snapshot_dir)
        except DatabaseError as exc:
            self.stats.failed += 1
            self.last_error = exc
            _log.error("skipped snapshot delta seq %d (%s): %s", rec["seq"], rec["type"], exc)
            try:
                _mutations.set_state(self._con, last_seq=rec["seq"])
            except duckdb.Error as state_exc:
                raise DatabaseError(f"cannot record seq {rec['seq']} as applied: {state_exc}") from state_exc
            self._advance(rec["seq"], 0, False)
        else:
            self._advance(rec["seq"], 1, False)

    def _advance(self, seq: int, applied: int, from_disk: bool) -> None:
        self._last_seq = seq
        self.stats.applied += applied
        if from_disk:
            self.stats.from_disk += applied
        if self._advanced is not None:
            # Wake every waiter, and give later waiters a fresh event to wait on.
            self._advanced.set()
            self._advanced = asyncio.Event()
