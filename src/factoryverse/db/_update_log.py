"""Reading the append-only update logs (the source of truth the UDP deltas mirror).

Each surface has its own `updates.jsonl`; seq is one counter for the whole game, so the logs are
merged by seq. A reader remembers how far it has read each file, so repairing a gap costs the new
bytes only, not the whole history.

Every delta names the run that wrote it. A reader bound to a run raises RunChangedError when a log
holds another run's deltas: the game was restarted, and the two runs' seqs must never be mixed.

A damaged line (a crash mid-write) is an error only while the deltas it may hold are still needed.
Seqs rise within a file, so a damaged line between good lines with seqs a and b can only have held
seqs a+1..b-1; once the database is past b-1 (a new snapshot covers them) the line is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ._files import update_logs
from .errors import DamagedLogError, RecordError, RunChangedError, SyncGapError
from .schema import record_checker, validate_record

__all__ = ["UpdateLog", "contiguous", "read_contiguous", "quarantine_log"]

_KNOWN_MAX = 16384
_LINES_KEPT = 8192


@dataclass
class _Damage:
    line: int
    problem: str
    after_seq: int          # last good seq before the line in its file (0 at the start)
    next_seq: int | None = None  # first good seq after it, once one is written


@dataclass
class _Cursor:
    offset: int = 0       # byte offset just past the last complete line read
    line: int = 1         # line number at `offset`
    last_seq: int = 0     # seq of the last good record read
    damage: list[_Damage] = field(default_factory=list)


class UpdateLog:
    """Delta records on disk, each byte read once while callers ask for ever newer seqs.

    `run_id`: the run whose deltas are wanted; None accepts the first run met (and then only it).
    """

    def __init__(self, snapshot_dir: Path, run_id: str | None = None) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self.run_id = run_id
        self._cursors: dict[Path, _Cursor] = {}
        # Every record with seq > _floor that lies before the cursors is kept here, so a hole that
        # stays open (a log not yet appended) costs only the new bytes on each look.
        self._tail: dict[int, dict[str, Any]] = {}
        # The log line of each record in _tail: a batch can hand the game's own JSON to DuckDB instead of
        # encoding the parsed record again.
        self._tail_lines: dict[int, bytes] = {}
        # Each line read -> its seq, for the last _LINES_KEPT seqs: a datagram with the same bytes is that delta.
        self._line_seq: dict[bytes, int] = {}
        self._floor = 0
        self._check = record_checker("snapshot_delta")
        # Lines already parsed and validated elsewhere (the datagram the game sent with the same bytes).
        self._known: dict[bytes, dict[str, Any]] = {}

    def remember(self, raw: bytes, rec: dict[str, Any]) -> None:
        """`raw` is valid and parses to `rec`: when the log has the same bytes, use it instead of parsing again."""
        if len(self._known) >= _KNOWN_MAX:
            self._known.clear()  # lines never logged (forged datagrams) must not pile up
        self._known[raw] = rec

    def records_after(self, seq: int) -> list[dict[str, Any]]:
        """Every validated delta with seq > `seq`, sorted by seq (duplicates across files dropped).

        Raises RunChangedError for another run's delta and DamagedLogError for a damaged line that
        may hold a seq above `seq`.
        """
        paths = update_logs(self.snapshot_dir)
        if seq < self._floor or any(self._shrunk(p) for p in paths):
            self._cursors, self._tail, self._line_seq, self._floor = {}, {}, {}, 0  # rewritten, or older seqs wanted
            self._tail_lines = {}
        for path in paths:
            for rec, raw in self._read_new(path):
                if rec["seq"] > self._floor and rec["seq"] not in self._tail:
                    self._tail[rec["seq"]] = rec
                    self._tail_lines[rec["seq"]] = raw
                    self._line_seq[raw] = rec["seq"]
        self._floor = seq
        if self._tail and min(self._tail) <= seq:
            self._tail = {s: r for s, r in self._tail.items() if s > seq}
            self._tail_lines = {s: r for s, r in self._tail_lines.items() if s > seq}
        if len(self._line_seq) > 2 * _LINES_KEPT:
            self._line_seq = {raw: s for raw, s in self._line_seq.items() if s > seq - _LINES_KEPT}
        self._check_damage(seq)
        return [self._tail[s] for s in sorted(self._tail)]

    def _check_damage(self, seq: int) -> None:
        for path, cursor in self._cursors.items():
            # Lines whose possible seqs are all at or below `seq` are no longer needed.
            cursor.damage = [d for d in cursor.damage if d.next_seq is None or d.next_seq - 1 > max(d.after_seq, seq)]
            if cursor.damage:
                d = cursor.damage[0]
                raise DamagedLogError(
                    f"{path}:{d.line}: {d.problem}; the deltas after seq {d.after_seq} may be lost. Move the file "
                    "aside and take the snapshot again (`fv data refresh --retake`, or quarantine_log and the map "
                    "interface's take_snapshot); the new snapshot replaces them",
                    path=str(path), line=d.line,
                )

    def _shrunk(self, path: Path) -> bool:
        cursor = self._cursors.get(path)
        try:
            return cursor is not None and path.stat().st_size < cursor.offset
        except FileNotFoundError:
            return True

    def seq_of_line(self, raw: bytes) -> int | None:
        """The seq of the delta whose log line is exactly `raw`, if such a line was read lately."""
        return self._line_seq.get(raw)

    def line_of(self, seq: int) -> bytes | None:
        """The log line (without its newline) of delta `seq`, while it is newer than the last floor asked for."""
        return self._tail_lines.get(seq)

    def tail_record(self, seq: int) -> dict[str, Any] | None:
        """The delta `seq` as read from the log, while it is newer than the last floor asked for."""
        return self._tail.get(seq)

    def _read_new(self, path: Path) -> list[tuple[dict[str, Any], bytes]]:
        cursor = self._cursors.setdefault(path, _Cursor())
        try:
            with path.open("rb") as f:
                f.seek(cursor.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1  # a line still being appended has no newline yet
        records = []
        for lineno, raw in enumerate(data[:end].split(b"\n")[:-1], cursor.line):
            if not raw.strip():
                continue
            rec = self._known.pop(raw, None)
            if rec is None or rec["run_id"] != self.run_id:
                rec = self._parse(path, lineno, raw, cursor)
            if rec is None:
                continue
            for d in cursor.damage:
                if d.next_seq is None:
                    d.next_seq = rec["seq"]
            cursor.last_seq = rec["seq"]
            records.append((rec, raw))
        cursor.offset += end
        cursor.line += data[:end].count(b"\n")
        return records

    def _parse(self, path: Path, lineno: int, raw: bytes, cursor: _Cursor) -> dict[str, Any] | None:
        try:
            rec = orjson.loads(raw)
            if not self._check(rec):
                validate_record(rec, fmt="snapshot_delta", source=f"{path}:{lineno}")
        except (ValueError, RecordError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
            problem = f"not a valid delta ({str(exc)[:200]})"
            cursor.damage.append(_Damage(line=lineno, problem=problem, after_seq=cursor.last_seq))
            return None
        if self.run_id is None:
            self.run_id = rec["run_id"]
        elif rec["run_id"] != self.run_id:
            raise RunChangedError(
                f"{path}:{lineno} holds a delta of run {rec['run_id']!r}, not of run {self.run_id!r}: the game was "
                "restarted; reload the map from the new run's files", old=self.run_id, new=rec["run_id"],
            )
        return rec


def contiguous(recs: list[dict[str, Any]], after: int) -> list[dict[str, Any]]:
    """The leading records of `recs` (sorted by seq) whose seqs follow `after` without a hole."""
    run = []
    for expected, rec in enumerate(recs, after + 1):
        if rec["seq"] != expected:
            break
        run.append(rec)
    return run


def read_contiguous(snapshot_dir: Path, after: int, run_id: str | None = None) -> list[dict[str, Any]]:
    """Every delta of run `run_id` after `after`; SyncGapError when the logs skip a seq."""
    for _ in range(2):
        # Logs of two surfaces may be read either side of an append: look once more before failing.
        recs = UpdateLog(snapshot_dir, run_id).records_after(after)
        run = contiguous(recs, after)
        if len(run) == len(recs):
            return run
    got = recs[len(run)]["seq"]
    raise SyncGapError(
        f"the update logs in {snapshot_dir} jump from seq {after + len(run)} to {got}; the log is incomplete, "
        "take the snapshot again and reload it", expected=after + len(run) + 1, got=got,
    )


def quarantine_log(path: str | Path) -> Path:
    """Move a damaged update log aside (`updates.jsonl.damaged-N`) and return where it went.

    The game appends its next delta to a fresh `updates.jsonl`; the file moved aside is kept for a
    post-mortem and never read again.
    """
    source = Path(path)
    n = 1
    while (target := source.with_name(f"{source.name}.damaged-{n}")).exists():
        n += 1
    source.rename(target)
    return target
