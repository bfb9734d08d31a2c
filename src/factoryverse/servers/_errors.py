"""The front ends' error tree: every failure of the shared backend is a BackendError whose message says what to do."""

from __future__ import annotations

__all__ = ["BackendError", "UnknownServerError", "ServerNotRunningError", "RconError", "LuaError", "MapNotReadyError",
           "MapQueryError", "MapQueryTimeoutError", "MapBusyError"]


class BackendError(Exception):
    """Base of every error the MCP server and the dashboard report; the message says what to do."""


class UnknownServerError(BackendError, LookupError):
    """No instance record with that id under the state home."""


class ServerNotRunningError(BackendError):
    """The instance is recorded but its process is gone."""


class RconError(BackendError):
    """The instance's RCON port could not be reached or dropped the connection."""


class LuaError(BackendError):
    """The Lua sent with /sc raised; the message is the game's error text."""


class MapNotReadyError(BackendError):
    """The instance has not finished writing its first map snapshot."""


class MapQueryError(BackendError):
    """A map query was refused (not a single read-only SELECT) or failed in DuckDB."""


class MapQueryTimeoutError(MapQueryError):
    """A map query ran longer than its timeout and DuckDB interrupted it; narrow it or allow more time."""

    def __init__(self, message: str, *, limit_s: float | None = None) -> None:
        super().__init__(message)
        self.limit_s = limit_s  # the time limit it ran past, in seconds


class MapBusyError(BackendError):
    """The map database is held by another query or process; retrying after `retry_after_s` may succeed."""

    retry_after_s = 5
