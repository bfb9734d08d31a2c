"""Opening a DuckDB database with the spatial extension loaded from the installed wheel, offline."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import duckdb

from .errors import DatabaseOpenError, SpatialExtensionError

__all__ = ["connect", "spatial_extension_path"]

_PACKAGE = "duckdb_extension_spatial"

# Never let DuckDB fetch anything: a missing extension must be a clear error, not a download.
_OFFLINE_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

# DuckDB checks an extension's signature by hashing the whole 80 MB file on every LOAD (~0.5 s).
# The first LOAD in a process is checked; later ones of the same unchanged file skip the check,
# and the setting that allows that is switched off again right after.
_verified: set[tuple[str, int, int, int]] = set()

# duckdb's client tries `import pandas` each time it binds a parameter; when pandas is not installed every try
# searches sys.path again (a millisecond per statement under load). None in sys.modules makes the import fail at
# once, which is the same answer.
if importlib.util.find_spec("pandas") is None:
    sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]

# DuckDB's text when another process holds the file: 'Could not set lock on file "...": Conflicting lock is held
# in /usr/bin/python3 (PID 123) by user x. See also ...'. The holder part is absent on some platforms.
_LOCK_CONFLICT = re.compile(r"Could not set lock on file")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def _identity(path: Path) -> tuple[str, int, int, int]:
    st = path.stat()
    return (str(path), st.st_ino, st.st_size, st.st_mtime_ns)


def spatial_extension_path() -> Path:
    """The spatial.duckdb_extension file shipped by duckdb-extension-spatial for this duckdb."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SpatialExtensionError(
            f"the {_PACKAGE} package is not installed; install it with "
            f"`pip install duckdb-extension-spatial=={duckdb.__version__}` (it must match duckdb)"
        )
    root = Path(next(iter(spec.submodule_search_locations))) / "extensions"
    wanted = root / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if wanted.is_file():
        return wanted
    found = sorted(p.parent.name for p in root.glob("v*/spatial.duckdb_extension"))
    raise SpatialExtensionError(
        f"no spatial extension for duckdb {duckdb.__version__} in {root} (found: {', '.join(found) or 'none'}); "
        f"install the matching one with `pip install duckdb-extension-spatial=={duckdb.__version__}`"
    )


def connect(path: str | Path, *, read_only: bool = False, external_access: bool = True) -> duckdb.DuckDBPyConnection:
    """Open (or create) the database at `path` (":memory:" for a throwaway one) with spatial loaded.

    `read_only=True` requires an existing file and lets other read-only processes share it.
    `external_access=False` forbids SQL from touching other files (read_csv('/etc/...'), COPY):
    for connections that run agents' or users' SQL; loading snapshots needs it left on.
    """
    extension = spatial_extension_path()
    target = str(path)
    if target != ":memory:":
        file = Path(path)
        if read_only and not file.is_file():
            raise DatabaseOpenError(
                f"database {file} does not exist; create it first by loading a snapshot (read_only=False)",
                path=str(file),
            )
        file.parent.mkdir(parents=True, exist_ok=True)
    identity = _identity(extension)
    trusted = identity in _verified
    config = dict(_OFFLINE_CONFIG, allow_unsigned_extensions=trusted)
    try:
        con = duckdb.connect(target, read_only=read_only, config=config)
    except duckdb.Error as exc:
        raise _open_error(target, exc, read_only=read_only) from exc
    try:
        con.execute(f"LOAD '{_sql_string(str(extension))}'")
        if trusted:
            con.execute("SET allow_unsigned_extensions = false")
        if not external_access:
            con.execute("SET enable_external_access = false")  # after LOAD, which reads a file itself
    except duckdb.Error as exc:
        con.close()
        raise SpatialExtensionError(
            f"loading the spatial extension from {extension} failed: {exc}. Reinstall "
            f"`duckdb-extension-spatial=={duckdb.__version__}`"
        ) from exc
    _verified.add(identity)
    return con


def _open_error(target: str, exc: duckdb.Error, *, read_only: bool) -> DatabaseOpenError:
    text = str(exc)
    if not _LOCK_CONFLICT.search(text):
        return DatabaseOpenError(f"cannot open database {target}: {text}", path=target)
    holder = _LOCK_HOLDER.search(text)
    program, pid = (holder["program"], int(holder["pid"])) if holder else (None, None)
    who = f"process {pid} ({program})" if holder else "another process (DuckDB did not say which)"
    # A writer excludes everyone; read-only openers only exclude writers.
    mode = "open for writing" if read_only else "open"
    return DatabaseOpenError(
        f"cannot open database {target}: {who} holds it {mode}. Stop that process or wait until it closes the "
        f"file, or query a copy of the file. DuckDB said: {text}",
        path=target, locked=True, holder=program, holder_pid=pid,
    )


def _sql_string(text: str) -> str:
    return text.replace("'", "''")
