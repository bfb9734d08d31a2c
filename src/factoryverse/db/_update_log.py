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
    max_seq: int = 0      # highest seq among the lines before `offset`


class UpdateLog:
    """Delta records on disk, newest first read from where the last call stopped."""

    def __init__(self, snapshot_dir: Path) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self._cursors: dict[Path, _Cursor] = {}

    def records_after(self, seq: int) -> list[dict[str, Any]]:
        """Every validated delta with seq > `seq`, sorted by seq (duplicates across files dropped)."""
        found: dict[int, dict[str, Any]] = {}
        for path in update_logs(self.snapshot_dir):
            for rec in self._read(path, seq):
                found.setdefault(rec["seq"], rec)
        return [found[s] for s in sorted(found)]

    def _read(self, path: Path, seq: int) -> list[dict[str, Any]]:
        cursor = self._cursors.get(path)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            self._cursors.pop(path, None)
            return []
        # Start over when the file was rewritten (shorter than before) or older seqs are wanted.
        if cursor is None or size < cursor.offset or seq < cursor.max_seq:
            cursor = _Cursor()
        with path.open("rb") as f:
            f.seek(cursor.offset)
            data = f.read()
        end = data.rfind(b"\n") + 1  # a line still being appended has no newline yet
        text = data[:end].decode("utf-8")
        records = list(iter_records(path, "snapshot_delta", text=text, first_line=cursor.line))
        new_max = max([cursor.max_seq, *(r["seq"] for r in records)])
        self._cursors[path] = _Cursor(cursor.offset + end, cursor.line + text.count("\n"), new_max)
        return [r for r in records if r["seq"] > seq]


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
