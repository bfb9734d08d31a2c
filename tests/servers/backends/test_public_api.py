"""The backend seam's public names, pinned."""

from __future__ import annotations

from factoryverse.servers import backends
from factoryverse.servers.instances import InstanceError


def test_public_api_is_pinned():
    assert set(backends.__all__) == {"BACKENDS", "Backend", "BackendUnavailableError", "FactorioBinaryError",
                                     "Launched", "LaunchSpec", "ServerHandle", "get_backend"}
    assert list(backends.BACKENDS) == ["embedded", "local", "docker"]
    assert issubclass(backends.BackendUnavailableError, InstanceError)
    assert issubclass(backends.FactorioBinaryError, InstanceError)


def test_an_unknown_backend_names_the_known_ones():
    try:
        backends.get_backend("vagrant")
    except InstanceError as exc:
        assert str(exc) == "no server backend 'vagrant'; give one of embedded, local, docker"
    else:
        raise AssertionError("get_backend accepted an unknown backend")
