"""Logging a problem that may repeat thousands of times a second: the first in full, then a count.

A flood of malformed datagrams or forged deltas must not flood the log (or cost a traceback each): the
first occurrence is logged with its detail, later ones within `interval` seconds are only counted, and
the count is logged with the latest detail once the interval has passed (or on `flush`).
"""

from __future__ import annotations

import logging
import time

__all__ = ["RepeatLog"]

_DETAIL_MAX = 300  # characters of a detail that reach the log; a datagram can be 64 KiB


class RepeatLog:
    def __init__(self, logger: logging.Logger, what: str, *, level: int = logging.WARNING,
                 interval: float = 60.0) -> None:
        self._logger = logger
        self._what = what
        self._level = level
        self._interval = interval
        self._since: float | None = None
        self._unlogged = 0
        self._latest = ""

    def hit(self, detail: str) -> None:
        now = time.monotonic()
        detail = detail if len(detail) <= _DETAIL_MAX else detail[:_DETAIL_MAX] + f"... ({len(detail)} chars)"
        if self._since is None:
            self._since = now
            self._logger.log(self._level, "%s: %s (repeats are counted, summarised every %.0f s)",
                             self._what, detail, self._interval)
            return
        self._unlogged += 1
        self._latest = detail
        if now - self._since >= self._interval:
            self.flush()

    def flush(self) -> None:
        """Log the count of repeats not logged yet, if any."""
        if self._unlogged:
            elapsed = time.monotonic() - (self._since or time.monotonic())
            self._logger.log(self._level, "%s: %d more in the last %.0f s (latest: %s)",
                             self._what, self._unlogged, elapsed, self._latest)
        self._since = time.monotonic() if self._unlogged else self._since
        self._unlogged = 0
