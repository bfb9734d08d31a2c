"""Fixtures shared across test packages."""

from __future__ import annotations

import pytest

from factoryverse.servers.instances import list_instances, stop_instance


@pytest.fixture
def fv_home(tmp_path, monkeypatch):
    """A private state home, so tests never see or stop a developer's own servers; everything started is stopped."""
    home = tmp_path / "fvhome"
    monkeypatch.setenv("FACTORYVERSE_HOME", str(home))
    yield home
    for inst in list_instances():
        stop_instance(inst)
