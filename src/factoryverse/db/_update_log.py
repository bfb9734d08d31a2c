"""Reading the append-only update logs (the source of truth the UDP deltas mirror).

Each surface has its own `updates.jsonl`; seq is one counter for the whole game, so the logs are
merged by seq. A reader remembers how far it has read each file, so repairing a gap costs the new
bytes only, not the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._files import iter_records, update_logs
from .errors import SyncGapError

__all__ = ["UpdateLog", "contiguous", "read_contiguous"]


@dataclass
class _Cursor:
    offset: int = 0       # byte offset just past the last complete line read
    line: int = 1         # line number at `offset`


class UpdateLog:
    """Delta records on disk, each byte read once while callers ask for ever newer seqs."""

    def __init__(self, snapshot_dir: Path) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self._cursors: dict[Path, _Cursor] = {}
        # Every record with seq > _floor that lies before the cursors is kept here, so a hole that
        # stays open (a log not yet appended) costs only the new bytes on each look.
        self._tail: dict[int, dict[str, Any]] = {}
        self._floor = 0

    def records_after(self, seq: int) -> list[dict[str, Any]]:
        """Every validated delta with seq > `seq`, sorted by seq (duplicates across files dropped)."""
        paths = update_logs(self.snapshot_dir)
        if seq < self._floor or any(self._shrunk(p) for p in paths):
            self._cursors, self._tail, self._floor = {}, {}, 0  # rewritten log or older seqs wanted
        for path in paths:
            for rec in self._read_new(path):
                if rec["seq"] > self._floor:
                    self._tail.setdefault(rec["seq"], rec)
        self._floor = seq
        self._tail = {s: r for s, r in self._tail.items() if s > seq}
        return [self._tail[s] for s in sorted(self._tail)]

    def _shrunk(self, path: Path) -> bool:
        cursor = self._cursors.get(path)
        try:
            return cursor is not None and path.stat().st_size < cursor.offset
        except FileNotFoundError:
            return True

    def _read_new(self, path: Path) -> list[dict[str, Any]]:
        cursor = self._cursors.get(path, _Cursor())
        try:
            with path.open("rb") as f:
                f.seek(cursor.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1  # a line still being appended has no newline yet
        text = data[:end].decode("utf-8")
        records = list(iter_records(path, "snapshot_delta", text=text, first_line=cursor.line))
        self._cursors[path] = _Cursor(cursor.offset + end, cursor.line + text.count("\n"))
        return records


def contiguous(recs: list[dict[str, Any]], after: int) -> list[dict[str, Any]]:
    """The leading records of `recs` (sorted by seq) whose seqs follow `after` without a hole."""
    run = []
    for expected, rec in enumerate(recs, after + 1):
        if rec["seq"] != expected:
            break
        run.append(rec)
    return run


def read_contiguous(snapshot_dir: Path, after: int) -> list[dict[str, Any]]:
    """Every delta after `after`; SyncGapError when the logs skip a seq."""
    for _ in range(2):
        # Logs of two surfaces may be read either side of an append: look once more before failing.
        recs = UpdateLog(snapshot_dir).records_after(after)
        run = contiguous(recs, after)
        if len(run) == len(recs):
            return run
    got = recs[len(run)]["seq"]
    raise SyncGapError(
        f"the update logs in {snapshot_dir} jump from seq {after + len(run)} to {got}; the log is incomplete, "
        "take the snapshot again and reload it", expected=after + len(run) + 1, got=got,
    )
