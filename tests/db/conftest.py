"""Fixtures for the database tests: a snapshot directory, a database file, both under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

import duckdb

from factoryverse.db import connect, load_snapshot

from . import _records as R
from ._records import SnapshotWriter


@pytest.fixture
def writer(tmp_path: Path) -> SnapshotWriter:
    return SnapshotWriter(tmp_path / "script-output" / "fv_snapshot")


@pytest.fixture
def con(tmp_path: Path):
    connection = connect(tmp_path / "map.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def loaded(writer: SnapshotWriter, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A database holding a small snapshot (a 3x3 ore block at seq 0), ready for deltas."""
    writer.write_init(R.ore_rect(0, 0, 3, 3, amount=10))
    writer.write_status(0, chunks=1)
    load_snapshot(con, writer.root)
    return con
