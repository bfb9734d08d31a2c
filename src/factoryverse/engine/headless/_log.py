"""The server's log on stdout, in Factorio's format: seconds since start (8 wide, 3 decimals), then the message.

Lines a real server writes with a source location (`Info RemoteCommandProcessor.cpp:...: ...`) keep the level and
file so tools that parse the game's log find them; the engine has no line numbers to give, so they read `:0:`.
The engine's own log records (mods' `log()`, autosaves, errors in handlers) come out through the same writer,
so lines from the game thread and the main thread never interleave mid-line.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TextIO

__all__ = ["ServerLog"]


class ServerLog:
    def __init__(self, stream: TextIO | None = None, *, started: float | None = None):
        self._stream = stream if stream is not None else sys.stdout
        self._started = time.monotonic() if started is None else started
        self._lock = threading.Lock()
        self._copy: TextIO | None = None

    def copy_to(self, stream: TextIO) -> None:
        """Also write every line to `stream` (--console-log)."""
        self._copy = stream

    def line(self, message: str) -> None:
        text = f"{time.monotonic() - self._started:8.3f} {message}\n"
        with self._lock:
            for stream in (self._stream, self._copy):
                if stream is not None:
                    stream.write(text)
                    stream.flush()

    def info(self, where: str, message: str) -> None:
        self.line(f"Info {where}:0: {message}")

    def warning(self, where: str, message: str) -> None:
        self.line(f"Warning {where}:0: {message}")

    def error(self, where: str, message: str) -> None:
        self.line(f"Error {where}:0: {message}")

    def capture_engine_logs(self, *, verbose: bool = False) -> None:
        """Route the `factoryverse` loggers (the engine's) into this log."""
        handler = _Handler(self)
        root = logging.getLogger("factoryverse")
        root.handlers[:] = [handler]
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
        root.propagate = False


class _Handler(logging.Handler):
    def __init__(self, log: ServerLog):
        super().__init__()
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
        except Exception:  # a bad log call must not take the server down
            self.handleError(record)
            return
        if record.levelno >= logging.ERROR:
            self._log.line(f"Error {record.module}.py:0: {text}")
        elif record.levelno >= logging.WARNING:
            self._log.line(f"Warning {record.module}.py:0: {text}")
        else:
            self._log.line(text)
