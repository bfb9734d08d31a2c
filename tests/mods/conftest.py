"""The mods' engine tests run on every Factorio version a server runs as (2.0 and 2.1).

For 2.1 the mods are packaged as `fv server start --factorio-version 2.1` packages them: the repository's files with
info.json declaring 2.1. Passing on both versions is half the proof that our mods keep to the API both versions
have; test_api_versions.py is the other half (a static scan of their Lua).
"""

from __future__ import annotations

import socket

import pytest

from factoryverse.engine.factorio_versions import VERSIONS
from factoryverse.servers.mod_packages import package_mods


@pytest.fixture(scope="session")
def packaged_mods(tmp_path_factory):
    """Factorio version -> a mods folder declaring it (None: the repository's own, which declare 2.0)."""
    out = {"2.0": None}
    for name in VERSIONS:
        if name != "2.0":
            dest = tmp_path_factory.mktemp(f"mods-{name}")
            package_mods(dest, name, unpacked=True)
            out[name] = dest
    return out


@pytest.fixture(params=sorted(VERSIONS), ids=lambda v: f"factorio-{v}")
def engine(request, tmp_path, packaged_mods):
    from factoryverse.engine.engine import Engine  # here, so the static checks never need the engine to import

    e = Engine(seed=1, script_output=tmp_path, factorio_version=request.param, mods_dir=packaged_mods[request.param])
    yield e
    e.close()


@pytest.fixture
def udp():
    """A bound, non-blocking UDP socket for an agent's action_completed datagrams."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    yield sock
    sock.close()
