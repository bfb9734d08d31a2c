"""Fixtures for the database tests: a snapshot directory, a database file, both under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from factoryverse.db import connect

from ._records import SnapshotWriter


@pytest.fixture
def writer(tmp_path: Path) -> SnapshotWriter:
    return SnapshotWriter(tmp_path / "script-output" / "fv_snapshot")


@pytest.fixture
def con(tmp_path: Path):
    connection = connect(tmp_path / "map.duckdb")
    yield connection
    connection.close()
