"""The database layer's error tree: everything it raises is a DatabaseError."""

from __future__ import annotations

__all__ = [
    "DatabaseError",
    "DatabaseOpenError",
    "SpatialExtensionError",
    "SchemaVersionError",
    "RecordError",
    "SnapshotError",
    "RunChangedError",
    "DamagedLogError",
    "SyncError",
    "SyncGapError",
    "SyncTimeoutError",
    "QueryError",
    "QuerySyntaxError",
    "QueryTimeoutError",
]


class DatabaseError(Exception):
    """Base of every error raised by factoryverse.db."""


class DatabaseOpenError(DatabaseError):
    """The database file cannot be opened (missing, locked by another process, not a DuckDB file).

    `path` is the file; `locked` says another process holds it, `holder` and `holder_pid` name that process
    when DuckDB says (None otherwise).
    """

    def __init__(self, message: str, *, path: str | None = None, locked: bool = False, holder: str | None = None,
                 holder_pid: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.locked = locked
        self.holder = holder
        self.holder_pid = holder_pid


class SpatialExtensionError(DatabaseError):
    """The DuckDB spatial extension is not available offline for this duckdb version."""


class SchemaVersionError(DatabaseError):
    """The database was created by another version of the table layout."""


class RecordError(DatabaseError, ValueError):
    """A snapshot or delta record is malformed or cannot be stored.

    `field` is the dotted path of the offending field ("" when the record as a whole is wrong),
    `record_type` the record's `type` when known, `source` where it came from ("path:line", "udp").
    """

    def __init__(self, message: str, *, field: str = "", record_type: str | None = None,
                 source: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.record_type = record_type
        self.source = source


class SnapshotError(DatabaseError):
    """The snapshot directory is missing, incomplete, or changed while it was being read."""


class RunChangedError(SnapshotError):
    """The files on disk (or a delta) belong to another game run than the database holds.

    A new game restarts seq at 1, so its records must never be applied on top of an old game's map: the
    database is rebuilt from the new run's files instead (`refresh` does it). `old` is the database's run id
    (None for a database without a snapshot), `new` the run id met.
    """

    def __init__(self, message: str, *, old: str | None, new: str | None) -> None:
        super().__init__(message)
        self.old = old
        self.new = new


class DamagedLogError(SnapshotError):
    """A line of an update log is not a valid delta, and the deltas it may hold are still needed.

    `path` and `line` name it. Move the file aside (`quarantine_log`) and take the snapshot again; the new
    snapshot holds every change up to its own seq, so the damaged line is no longer needed.
    """

    def __init__(self, message: str, *, path: str, line: int) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class SyncError(DatabaseError):
    """Base of the errors raised while keeping the database in sync with the update log."""


class SyncGapError(SyncError):
    """A delta arrived whose seq is not the next one; applying it would skip `expected`..`got - 1`."""

    def __init__(self, message: str, *, expected: int, got: int) -> None:
        super().__init__(message)
        self.expected = expected
        self.got = got


class SyncTimeoutError(SyncError, TimeoutError):
    """The database did not reach a seq within the allowed time, over UDP or from disk."""

    def __init__(self, message: str, *, seq: int, last_seq: int, timeout: float) -> None:
        super().__init__(message)
        self.seq = seq
        self.last_seq = last_seq
        self.timeout = timeout


class QueryError(DatabaseError):
    """A SQL query was refused (not read-only) or failed; the message carries DuckDB's own text."""

    def __init__(self, message: str, *, sql: str) -> None:
        super().__init__(message)
        self.sql = sql


class QuerySyntaxError(QueryError):
    """The SQL does not parse. `detail` is DuckDB's message, `position` the 0-based character offset it points
    at in `sql` (None when DuckDB gives none), `line` and `column` the same place counted from 1."""

    def __init__(self, message: str, *, sql: str, detail: str, position: int | None,
                 line: int | None = None, column: int | None = None) -> None:
        super().__init__(message, sql=sql)
        self.detail = detail
        self.position = position
        self.line = line
        self.column = column


class QueryTimeoutError(QueryError, TimeoutError):
    """A query ran past its time limit and was interrupted; `limit_s` is that limit in seconds."""

    def __init__(self, message: str, *, sql: str, limit_s: float) -> None:
        super().__init__(message, sql=sql)
        self.limit_s = limit_s
