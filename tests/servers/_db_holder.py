"""Another process holding a map database open for writing, as an SDK SyncService or a long `fv sql` does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["database_held_by_another_process"]

_HOLDER = (
    "import sys; from factoryverse.db import connect; con = connect(sys.argv[1]); print('held', flush=True); "
    "sys.stdin.read()"
)


@contextmanager
def database_held_by_another_process(path: Path) -> Iterator[None]:
    """Yield while a child process keeps `path` open for writing (DuckDB's file lock); it exits afterwards."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        # The child prints once its connection holds the lock; it prints nothing else, and exits if it fails.
        assert holder.stdout.readline() == "held\n", "the holder process could not open the database"
        yield
    finally:
        holder.stdin.close()  # its stdin.read() returns and it exits, releasing the lock
        holder.wait(30)
        holder.stdout.close()
