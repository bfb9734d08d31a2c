from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from factoryverse.db import DatabaseOpenError, SpatialExtensionError, connect, spatial_extension_path
from factoryverse.db import connection as connection_module


def test_spatial_loads_offline_and_measures_distance(tmp_path: Path) -> None:
    con = connect(tmp_path / "map.duckdb")
    try:
        assert con.execute("SELECT ST_Distance(ST_Point(0, 0), ST_Point(3, 4))").fetchone()[0] == 5.0
        loaded = con.execute(
            "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'spatial'").fetchone()[0]
        assert loaded is True
        # Nothing may be fetched from the network behind our back.
        assert _guard_settings(con) == {"autoinstall_known_extensions": "false",
                                        "autoload_known_extensions": "false", "allow_unsigned_extensions": "false"}
    finally:
        con.close()


def _guard_settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN "
        "('autoinstall_known_extensions', 'autoload_known_extensions', 'allow_unsigned_extensions')").fetchall())


def test_later_connections_skip_the_signature_check_but_stay_locked(tmp_path: Path) -> None:
    first = connect(tmp_path / "a.duckdb")
    second = connect(tmp_path / "b.duckdb")
    try:
        # The second LOAD of the already verified file ran with unsigned extensions allowed;
        # that permission must not outlive the LOAD.
        assert _guard_settings(second)["allow_unsigned_extensions"] == "false"
        assert second.execute("SELECT ST_Area(ST_MakeEnvelope(0, 0, 2, 3))").fetchone()[0] == 6.0
    finally:
        first.close()
        second.close()


def test_extension_path_matches_the_installed_duckdb() -> None:
    path = spatial_extension_path()
    assert path.name == "spatial.duckdb_extension"
    assert path.parent.name == f"v{duckdb.__version__}"
    assert path.parent.parent.parent.name == "duckdb_extension_spatial"


def test_missing_extension_version_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection_module.duckdb, "__version__", "0.0.1")
    with pytest.raises(SpatialExtensionError, match=r"no spatial extension for duckdb 0\.0\.1.*found: v"):
        spatial_extension_path()


def test_read_only_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseOpenError, match="does not exist"):
        connect(tmp_path / "nothing.duckdb", read_only=True)


def test_read_only_connection_reads_geometry(tmp_path: Path) -> None:
    path = tmp_path / "map.duckdb"
    con = connect(path)
    con.execute("CREATE TABLE t AS SELECT ST_Point(1, 2) AS g")
    con.close()
    ro = connect(path, read_only=True)
    try:
        assert ro.execute("SELECT ST_X(g) + ST_Y(g) FROM t").fetchone()[0] == 3.0
        with pytest.raises(duckdb.Error):
            ro.execute("INSERT INTO t SELECT ST_Point(0, 0)")
    finally:
        ro.close()


def test_a_file_that_is_not_a_database_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.duckdb"
    path.write_bytes(b"this is not a duckdb file at all" * 200)
    with pytest.raises(DatabaseOpenError, match="cannot open database") as info:
        connect(path)
    assert isinstance(info.value.__cause__, duckdb.Error)
    assert info.value.path == str(path) and info.value.locked is False


def test_a_file_another_process_holds_names_the_file_and_the_holder(tmp_path: Path) -> None:
    import select
    import subprocess
    import sys

    path = tmp_path / "held.duckdb"
    first = connect(path)
    first.execute("CREATE TABLE kept AS SELECT 7 AS n")
    first.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
                               "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        ready, _, _ = select.select([holder.stdout], [], [], 30)
        assert ready and holder.stdout.readline().strip() == "open"
        for read_only in (False, True):
            with pytest.raises(DatabaseOpenError) as info:
                connect(path, read_only=read_only)
            err = info.value
            assert err.locked and err.path == str(path) and err.holder_pid == holder.pid
            assert err.holder and "python" in err.holder
            assert str(path) in str(err) and f"process {holder.pid}" in str(err)
            assert isinstance(err.__cause__, duckdb.IOException)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    # Once the holder is gone the file opens, and nothing in it was lost.
    again = connect(path, read_only=True)
    try:
        assert again.execute("SELECT n FROM kept").fetchall() == [(7,)]
    finally:
        again.close()
