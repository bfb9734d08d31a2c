"""Where a server instance's game runs: the embedded engine (default), a local headless Factorio binary, or the
factoriotools/factorio docker image. Each backend takes a LaunchSpec and returns a Launched server; an instance
record names its backend, which later tells whether the server lives and stops it."""

from __future__ import annotations

from factoryverse.servers._instance_errors import BackendUnavailableError, FactorioBinaryError, InstanceError
from factoryverse.servers.backends._spec import Backend, Launched, LaunchSpec, ServerHandle
from factoryverse.servers.backends.docker import DockerBackend
from factoryverse.servers.backends.embedded import EmbeddedBackend
from factoryverse.servers.backends.local import LocalBackend

__all__ = ["BACKENDS", "Backend", "BackendUnavailableError", "FactorioBinaryError", "Launched", "LaunchSpec",
           "ServerHandle", "get_backend"]

BACKENDS: dict[str, Backend] = {b.name: b for b in (EmbeddedBackend(), LocalBackend(), DockerBackend())}


def get_backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise InstanceError(f"no server backend {name!r}; give one of {', '.join(BACKENDS)}") from None
