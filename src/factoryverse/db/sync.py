"""Keeping the database in step with the game: deltas over UDP, the update logs on disk as truth.

Deltas are applied strictly in seq order, and only as the update log has them. The mod appends
each delta to `<surface>/updates.jsonl` before it sends the datagram, so a datagram is a fast
wake-up, not an authority: any local process can send a datagram, but only the game writes the
log. A datagram that disagrees with the log, or that the log never confirms, is counted as forged
and never applied; one for a seq far ahead is not held at all (the log has it when it is real).

UDP may drop, duplicate or reorder datagrams; a missing seq is read from the log. Every delta
names its game run: a datagram of another run is ignored unless the files on disk show that the
game started that run, and then the database is rebuilt from the new run's files and the service
says so. All DuckDB work runs on the event loop's thread, one batch at a time.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson

from . import _mutations
from ._apply import apply_delta, apply_run, last_applied_seq, loaded_run_id, require_loaded, sync_from_disk
from ._files import latest_status
from ._repeat_log import RepeatLog
from ._update_log import UpdateLog, contiguous
from .errors import DamagedLogError, DatabaseError, RecordError, RunChangedError, SnapshotError, SyncError
from .errors import SyncTimeoutError
from .loader import load_snapshot
from .schema import validate_record

__all__ = ["apply_delta", "sync_from_disk", "last_applied_seq", "loaded_run_id", "SyncStats", "SyncService"]

_log = logging.getLogger(__name__)

_RETRY_FIRST, _RETRY_MAX = 0.01, 0.5  # seconds between looks at the disk while a gap stays open
# A genuine datagram's log line is written before the datagram is sent; one the log has not confirmed after
# this long never will be.
_UNCONFIRMED_AFTER_S = 5.0
# Datagrams held while waiting for earlier seqs; beyond this many seqs ahead they are not held (the log has them).
_PENDING_WINDOW = 8192
# Different datagrams held for one seq; more are forged by definition (the game sends one).
_CANDIDATES = 4
# Applied deltas remembered to tell an honest duplicate from a conflicting one.
_RECENT = 1024
# Datagrams read from the socket per wake-up, then applied as one batch: bounds the latency of the first of them.
_READ_BATCH = 4096


@dataclass
class SyncStats:
    """Counters of a SyncService since it was created."""

    received: int = 0        # datagrams read from the socket
    applied: int = 0         # deltas applied (always the log's version)
    confirmed: int = 0       # applied deltas whose datagram matched the log
    duplicates: int = 0      # datagrams whose seq was already applied or already waiting, with the same content
    gaps_repaired: int = 0   # times missing seqs were read from the update logs while later datagrams waited
    from_disk: int = 0       # deltas applied from the update logs with no datagram for them
    malformed: int = 0       # datagrams that were not a valid delta record
    forged: int = 0          # datagrams that disagree with the log, or that the log never confirmed
    foreign: int = 0         # datagrams of another game run (a restarted game, or forged)
    dropped: int = 0         # datagrams too far ahead to hold (read from the log when real)
    reloads: int = 0         # times the database was rebuilt because the game started a new run
    failed: int = 0          # valid deltas that could not be stored (skipped, see last_error)


class SyncService:
    """Listens for snapshot deltas on UDP and applies the update log's deltas to the database in seq order."""

    def __init__(self, con: duckdb.DuckDBPyConnection, snapshot_dir: str | Path, *,
                 host: str = "127.0.0.1", port: int = 0, unconfirmed_after: float = _UNCONFIRMED_AFTER_S) -> None:
        self._con = con
        self.snapshot_dir = Path(snapshot_dir)
        self.host = host
        self._wanted_port = port
        self._run_id = loaded_run_id(con)
        self._log = UpdateLog(self.snapshot_dir, self._run_id)
        # seq -> the different datagrams received for it (one, unless somebody else sends too), and when the
        # first arrived; the log decides which, if any, is the game's.
        self._pending: dict[int, tuple[list[dict[str, Any]], float]] = {}
        self._unconfirmed_after = unconfirmed_after
        self._recent: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._sock: socket.socket | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._retrying = False
        self._awaited_run: str | None = None  # a new run announced by a datagram, its snapshot not complete yet
        self._awaited_since = 0.0
        self._advanced: asyncio.Event | None = None
        self._handled: asyncio.Event | None = None
        self._last_seq = last_applied_seq(con)
        self.stats = SyncStats()
        self.last_error: Exception | None = None
        self._malformed_log = RepeatLog(_log, "ignored a malformed snapshot datagram")
        self._forged_log = RepeatLog(_log, "ignored a snapshot datagram the update log does not confirm")
        self._foreign_log = RepeatLog(_log, "ignored a snapshot datagram of another game run")
        self._error_log = RepeatLog(_log, "snapshot sync cannot advance", level=logging.ERROR)

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def run_id(self) -> str | None:
        """The game run the database holds."""
        return self._run_id

    @property
    def port(self) -> int:
        if self._sock is None:
            raise SyncError("the SyncService is not listening; await start() first")
        return self._sock.getsockname()[1]

    async def start(self) -> None:
        """Bind the UDP socket, then apply whatever the logs hold beyond the database."""
        if self._sock is not None:
            raise SyncError("the SyncService is already started")
        self._run_id = require_loaded(self._con)
        self._log = UpdateLog(self.snapshot_dir, self._run_id)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((self.host, self._wanted_port))
            # A burst of deltas waits in the kernel while a batch is applied: room for a few seconds of them.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        except OSError as exc:
            sock.close()
            raise SyncError(f"cannot listen for snapshot deltas on udp {self.host}:{self._wanted_port}: {exc}; "
                            "pick a free port (port=0 lets the system choose)") from exc
        sock.setblocking(False)
        # Small statements in quick succession: DuckDB's worker threads cost more CPU waking up than they save
        # (measured: a one-delta batch takes 17 ms of CPU with 2 threads, 11 ms with 1). The setting is the
        # database's, so queries of this process (RemoteView, query) run single-threaded too while the service
        # runs; setting it back after each batch was measured too and costs 8 ms of CPU per one-delta batch
        # (the workers start again), more than any seed query gains (benchmarks/seed_queries.py, threads 1).
        self._con.execute("SET threads = 1")
        self._sock = sock
        asyncio.get_running_loop().add_reader(sock.fileno(), self._on_readable)
        await self.catch_up()

    async def stop(self) -> None:
        """Close the socket and end the background tasks (idempotent)."""
        sock, self._sock = self._sock, None
        if sock is not None:
            asyncio.get_running_loop().remove_reader(sock.fileno())
            sock.close()
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for repeat in (self._malformed_log, self._forged_log, self._foreign_log, self._error_log):
            repeat.flush()

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
                why = f" ({self.last_error})" if self.last_error is not None else ""
                raise SyncTimeoutError(
                    f"the database reached seq {self._last_seq}, not {seq}, within {timeout} s, neither over UDP "
                    f"nor from {self.snapshot_dir}{why}; is the game running and the fv_snapshot mod sending?",
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

    async def wait_settled(self, timeout: float = 10.0) -> None:
        """Return once no datagram waits for the log any more (confirmed, applied or given up as forged)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._pending or self._awaited_run is not None:
            if loop.time() >= deadline:
                raise SyncError(f"{len(self._pending)} datagrams still wait for the update log after {timeout} s")
            try:
                await asyncio.wait_for(self._handled_event().wait(), min(0.05, deadline - loop.time()))
            except asyncio.TimeoutError:
                self._drain()

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

    def _notify(self, event: asyncio.Event | None) -> asyncio.Event | None:
        # Wake every waiter, and give later waiters a fresh event to wait on.
        if event is None:
            return None
        event.set()
        return asyncio.Event()

    def _on_readable(self) -> None:
        """Read every datagram waiting (up to _READ_BATCH), then apply what they announce as one batch.

        Under load many datagrams wait each time the loop gets here, so one transaction covers them all;
        a lone datagram is applied at once.
        """
        sock = self._sock
        if sock is None:
            return
        batch = []
        for _ in range(_READ_BATCH):
            try:
                batch.append(sock.recv(65536))
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:  # an ICMP error reported on the socket; the socket itself still works
                _log.warning("snapshot sync socket reported: %s", exc)
                break
        if batch:
            self.on_datagrams(batch)

    def on_datagram(self, data: bytes) -> None:
        """Handle one datagram's bytes (public so other transports can feed the service)."""
        self.on_datagrams([data])

    def on_datagrams(self, datagrams: list[bytes]) -> None:
        """Handle datagrams received together, then apply what the log confirms of them in one batch."""
        try:
            for data in datagrams:
                try:
                    self._handle(data)
                except Exception as exc:  # noqa: BLE001 - the listener must outlive any one datagram
                    self.last_error = exc
                    self._error_log.hit(f"{type(exc).__name__}: {exc}")
            self._drain()
        finally:
            self._handled = self._notify(self._handled)

    def _handle(self, data: bytes) -> None:
        """Sort one datagram: malformed, foreign, duplicate, forged or held for the log (applied by _drain)."""
        self.stats.received += 1
        # Under load the log often has a delta before its datagram arrives: the same bytes are that delta,
        # known without parsing them again.
        logged = self._log.seq_of_line(data)
        if logged is not None and logged <= self._last_seq:
            self.stats.duplicates += 1
            return
        rec = None if logged is None else self._log.tail_record(logged)
        if rec is None:
            try:
                rec = orjson.loads(data)
                validate_record(rec, fmt="snapshot_delta", source="udp")
            except (ValueError, RecordError, RecursionError) as exc:
                # ValueError covers bad UTF-8 and JSON; RecursionError absurdly nested JSON ("[[[[...").
                self.stats.malformed += 1
                self._malformed_log.hit(f"{len(data)} bytes: {type(exc).__name__}: {exc}")
                return
            if rec["run_id"] != self._run_id:
                self._on_foreign(rec)
                return
            self._log.remember(data, rec)
        seq = rec["seq"]
        if seq <= self._last_seq:
            applied = self._recent.get(seq)
            if applied is not None and applied is not rec and applied != rec:
                self._forged(rec, "disagrees with the delta already applied for its seq")
            else:
                self.stats.duplicates += 1
            return
        held = self._pending.get(seq)
        if held is not None:
            if rec in held[0]:
                self.stats.duplicates += 1
            elif len(held[0]) < _CANDIDATES:
                held[0].append(rec)  # two different datagrams for one seq: the log will say which is real
            else:
                self._forged(rec, f"is one of more than {_CANDIDATES} different datagrams for its seq")
            return
        if seq > self._last_seq + _PENDING_WINDOW:
            self.stats.dropped += 1
            self._forged_log.hit(f"seq {seq} is more than {_PENDING_WINDOW} ahead of the database "
                                 f"(at {self._last_seq}); not held, the log has it if it is real")
            return
        self._pending[seq] = ([rec], time.monotonic())

    def _forged(self, rec: dict[str, Any], why: str) -> None:
        self.stats.forged += 1
        self._forged_log.hit(f"seq {rec.get('seq')} ({rec.get('type')}) {why}")

    def _on_foreign(self, rec: dict[str, Any]) -> None:
        self.stats.foreign += 1
        self._foreign_log.hit(f"run {rec['run_id']!r} (the database holds run {self._run_id!r}), seq {rec['seq']}")
        if self._awaited_run != rec["run_id"]:
            self._awaited_run, self._awaited_since = rec["run_id"], time.monotonic()

    def _drain(self) -> None:
        """Apply every delta the log has next in line; keep looking while datagrams wait for it.

        All of them, not only those announced: the log is the truth, and one larger batch costs far
        less than several small ones (a datagram arriving after its delta was applied is a duplicate).
        """
        try:
            if self._awaited_run is not None:
                self._try_new_run()
            self._apply_from_log()
            self._expire_unconfirmed()
        except (RunChangedError, DamagedLogError, DatabaseError) as exc:
            # A damaged or replaced log must not end the listener; wait_for_seq reports it.
            self.last_error = exc
            if isinstance(exc, RunChangedError):
                if self._awaited_run != exc.new:
                    self._awaited_run, self._awaited_since = exc.new, time.monotonic()
            else:
                self._error_log.hit(str(exc))
        if (self._pending or self._awaited_run is not None) and not self._retrying and self._tasks_allowed():
            self._retrying = True
            self._spawn(self._retry())

    def _tasks_allowed(self) -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return self._sock is not None

    def _try_new_run(self) -> None:
        """Rebuild the database from a new run's files, once the game has written its complete snapshot."""
        wanted = self._awaited_run
        if time.monotonic() - self._awaited_since > self._unconfirmed_after * 6:
            # The files never showed that run: the datagram was not the game's (a new game's snapshot of this map
            # takes a second or two, so six times the confirmation window is plenty).
            self._awaited_run = None
            return
        try:
            status = latest_status(self.snapshot_dir)
        except DatabaseError:
            return  # being rewritten; look again
        if status is None or status["run_id"] != wanted:
            if status is not None and status["run_id"] == self._run_id:
                self._awaited_run = None  # the files still show our run: the datagram was not the game's
            return
        if status["phase"] != "complete":
            return
        old = self._run_id
        try:
            report = load_snapshot(self._con, self.snapshot_dir)
        except SnapshotError:
            return  # rewritten meanwhile; look again
        self._run_id, self._awaited_run = report.run_id, None
        self._log = UpdateLog(self.snapshot_dir, self._run_id)
        self._pending = {s: p for s, p in self._pending.items() if p[0][0]["run_id"] == self._run_id}
        self._recent.clear()
        self.stats.reloads += 1
        self._last_seq = report.last_seq
        _log.warning("the game started a new run %r (the database held run %r); the map was rebuilt from %s",
                     self._run_id, old, self.snapshot_dir)
        self._advanced = self._notify(self._advanced)

    def _apply_from_log(self) -> None:
        recs = self._log.records_after(self._last_seq)
        run = contiguous(recs, self._last_seq)
        if not run:
            return
        waiting = bool(self._pending)
        unannounced = 0
        for rec in run:
            held = self._pending.pop(rec["seq"], None)
            if held is None:
                unannounced += 1
                continue
            for candidate in held[0]:
                if candidate is rec or candidate == rec:
                    self.stats.confirmed += 1
                else:
                    self._forged(candidate, "disagrees with the update log")
        if waiting and unannounced:
            self.stats.gaps_repaired += 1
        self.stats.from_disk += unannounced
        self._apply(run)
        for seq in [s for s in self._pending if s <= self._last_seq]:
            del self._pending[seq]

    def _expire_unconfirmed(self) -> None:
        now = time.monotonic()
        for seq, (candidates, since) in list(self._pending.items()):
            if now - since > self._unconfirmed_after:
                del self._pending[seq]
                for rec in candidates:
                    self._forged(rec, f"was not in the update log {self._unconfirmed_after:g} s after it arrived")

    async def _retry(self) -> None:
        """The log line of a waiting seq (or a new run's snapshot) may land a moment later: look again."""
        delay = _RETRY_FIRST
        try:
            while self._pending or self._awaited_run is not None:
                await asyncio.sleep(delay)
                self._drain()
                self._handled = self._notify(self._handled)
                delay = min(delay * 2, _RETRY_MAX)
        finally:
            self._retrying = False

    def _apply(self, run: list[dict[str, Any]]) -> None:
        try:
            apply_run(self._con, run, self.snapshot_dir, self._log.line_of)
        except DatabaseError:
            # One bad record must not stall the stream: apply one by one and skip the failures.
            for rec in run:
                self._apply_one_or_skip(rec)
        else:
            self._advance(run, len(run))

    def _apply_one_or_skip(self, rec: dict[str, Any]) -> None:
        try:
            apply_run(self._con, [rec], self.snapshot_dir)
        except DatabaseError as exc:
            self.stats.failed += 1
            self.last_error = exc
            _log.error("skipped snapshot delta seq %d (%s): %s", rec["seq"], rec["type"], exc)
            try:
                _mutations.set_state(self._con, last_seq=rec["seq"])
            except duckdb.Error as state_exc:
                raise DatabaseError(f"cannot record seq {rec['seq']} as applied: {state_exc}") from state_exc
            self._advance([rec], 0)
        else:
            self._advance([rec], 1)

    def _advance(self, run: list[dict[str, Any]], applied: int) -> None:
        self._last_seq = run[-1]["seq"]
        self.stats.applied += applied
        for rec in run:
            self._recent[rec["seq"]] = rec
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)
        self._advanced = self._notify(self._advanced)
