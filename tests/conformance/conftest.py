"""The server under test: one given by address (`--server host:port --password ...`, or FV_CONFORMANCE_SERVER /
FV_CONFORMANCE_PASSWORD; `make conformance SERVER=... PASSWORD=...`), else an embedded engine started here, tick-paused,
with no mods, under a throwaway state home, and stopped at the end.

Each test gets its own cleared area far from the spawn, so the suite needs no fresh map and can run again on the same
server.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from factoryverse.servers.instances import start_instance, stop_instance

from .harness import Area, Game

SERVER_ENV = "FV_CONFORMANCE_SERVER"
PASSWORD_ENV = "FV_CONFORMANCE_PASSWORD"
# Areas sit on a grid well outside the starting area; each test takes the next one.
_AREA_ORIGIN = (1536, 1536)
_AREA_SIZE = 32
_AREA_STRIDE = 96
_AREAS_PER_ROW = 8


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "the Factorio server the conformance suite runs against")
    group.addoption("--server", default=None, help=f"host:port of a server's RCON (or ${SERVER_ENV}); "
                    "default: an embedded engine started for the session")
    group.addoption("--password", default=None, help=f"its RCON password (or ${PASSWORD_ENV})")


def _option(config: pytest.Config, name: str, env: str) -> str | None:
    # getoption with a default: the option exists only when this conftest was loaded at start-up.
    return config.getoption(name, default=None) or os.environ.get(env) or None


@contextmanager
def _state_home(path: Path) -> Iterator[None]:
    old = os.environ.get("FACTORYVERSE_HOME")
    os.environ["FACTORYVERSE_HOME"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("FACTORYVERSE_HOME", None)
        else:
            os.environ["FACTORYVERSE_HOME"] = old


@pytest.fixture(scope="session")
def game(pytestconfig: pytest.Config) -> Iterator[Game]:
    address = _option(pytestconfig, "--server", SERVER_ENV)
    if address is not None:
        password = _option(pytestconfig, "--password", PASSWORD_ENV)
        if password is None:
            raise pytest.UsageError(f"--server needs --password (or ${PASSWORD_ENV}): the server's RCON password")
        try:
            g = Game.connect(address, password)
        except Exception as e:  # noqa: BLE001 - one clear stop instead of every test failing on its own
            pytest.exit(f"cannot use the server under test at {address}: {type(e).__name__}: {e}; check --server "
                        "(host:port of its RCON) and --password", returncode=2)
        try:
            yield g
        finally:
            g.close()
        return
    with tempfile.TemporaryDirectory(prefix="fv-conformance-") as tmp:
        home, mods = Path(tmp) / "home", Path(tmp) / "mods"
        mods.mkdir()
        with _state_home(home):
            inst = start_instance(mode="paused", mods_dir=mods, autosave_minutes=0)
        try:
            g = Game(inst.rcon_host, inst.rcon_port, inst.rcon_password)
            try:
                yield g
            finally:
                g.close(restore=False)
        finally:
            with _state_home(home):
                stop_instance(inst)


_next_area = 0


@pytest.fixture
def area(game: Game) -> Iterator[Area]:
    """A cleared square of land of its own for this test; what the test built is removed after it."""
    global _next_area
    i, _next_area = _next_area, _next_area + 1
    a = Area(_AREA_ORIGIN[0] + (i % _AREAS_PER_ROW) * _AREA_STRIDE, _AREA_ORIGIN[1] + (i // _AREAS_PER_ROW) * _AREA_STRIDE,
             _AREA_SIZE)
    game.prepare_area(a)
    yield a
    game.clear_area(a)
