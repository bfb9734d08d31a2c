"""Where fv_snapshot puts its files, and reading them as validated records.

Layout under the snapshot directory (`<script-output>/fv_snapshot/`):
    status.jsonl                                  snapshot_status records, appended
    <surface>/updates.jsonl                       delta records, appended, strictly increasing seq
    <surface>/chunks/<cx>/<cy>/<kind>-init.jsonl  chunk, resource_tile, resource_entity, water_tile, entity
    <surface>/power.jsonl                         electric_network records, written when a snapshot completes
    research.jsonl                                research records (one per force), written when a snapshot completes
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from .errors import RecordError, SnapshotError
from .schema import record_checker, validate_record

__all__ = [
    "CHUNK_SIZE",
    "status_path",
    "init_files",
    "chunk_dir",
    "chunk_init_files",
    "update_logs",
    "state_files",
    "iter_records",
    "latest_status",
    "require_dir",
]

CHUNK_SIZE = 32  # tiles per chunk side (Factorio's ChunkPosition unit)


def require_dir(snapshot_dir: Path) -> Path:
    path = Path(snapshot_dir)
    if not path.is_dir():
        raise SnapshotError(
            f"snapshot directory {path} does not exist; it is <script-output>/fv_snapshot of the server, "
            "written once the fv_snapshot mod has taken a snapshot"
        )
    return path


def status_path(snapshot_dir: Path) -> Path:
    return Path(snapshot_dir) / "status.jsonl"


def init_files(snapshot_dir: Path) -> list[Path]:
    """Every chunk init file of every surface, in a stable order."""
    return sorted(Path(snapshot_dir).glob("*/chunks/*/*/*-init.jsonl"))


def chunk_dir(snapshot_dir: Path, surface: str, cx: int, cy: int) -> Path:
    return Path(snapshot_dir) / surface / "chunks" / str(cx) / str(cy)


def chunk_init_files(snapshot_dir: Path, surface: str, cx: int, cy: int) -> list[Path]:
    return sorted(chunk_dir(snapshot_dir, surface, cx, cy).glob("*-init.jsonl"))


def update_logs(snapshot_dir: Path) -> list[Path]:
    return sorted(Path(snapshot_dir).glob("*/updates.jsonl"))


def state_files(snapshot_dir: Path) -> list[tuple[Path, str]]:
    """The snapshot's whole-game files and the record type each holds: research.jsonl, every power.jsonl."""
    root = Path(snapshot_dir)
    out = [(p, "electric_network") for p in sorted(root.glob("*/power.jsonl"))]
    research = root / "research.jsonl"
    if research.is_file():
        out.append((research, "research"))
    return out


def iter_records(path: Path, fmt: str, *, text: str | None = None,
                 first_line: int = 1) -> Iterator[dict[str, Any]]:
    """Parse and validate every non-blank line; errors name the file and line."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SnapshotError(f"cannot read snapshot file {path}: {exc}") from exc
    check = record_checker(fmt)
    loads = orjson.loads
    for lineno, line in enumerate(text.splitlines(), first_line):
        if not line or line.isspace():
            continue
        try:
            rec = loads(line)
        except ValueError as exc:
            raise RecordError(f"{path}:{lineno}: not valid JSON ({exc}); the file is damaged, take the snapshot again",
                              source=f"{path}:{lineno}") from exc
        if not check(rec):
            validate_record(rec, fmt=fmt, source=f"{path}:{lineno}")
        yield rec


def latest_status(snapshot_dir: Path) -> dict[str, Any] | None:
    """The last complete snapshot_status line of status.jsonl (None when there is none yet)."""
    path = status_path(snapshot_dir)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    # A line still being appended has no newline yet; it will be read next time.
    complete = text[: text.rfind("\n") + 1]
    last = None
    for rec in iter_records(path, "snapshot_file", text=complete):
        if rec["type"] != "snapshot_status":
            raise RecordError(f"{path}: holds a {rec['type']} record; only snapshot_status belongs there",
                              field="type", record_type=rec["type"], source=str(path))
        last = rec
    return last
