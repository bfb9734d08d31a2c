"""Finding a server by id the way `fv server status` lists them (records under FACTORYVERSE_HOME)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from factoryverse.runtime._errors import RuntimeStartError
from factoryverse.servers.operations import BackendError, get_instance
from factoryverse.servers.instances import list_instances

__all__ = ["find_server", "FoundServer"]


@dataclass(frozen=True)
class FoundServer:
    id: int
    host: str
    rcon_port: int
    password: str
    snapshot_dir: Path
    snapshot_udp_port: int


def find_server(server_id: int | None) -> FoundServer:
    """How to reach server `server_id` (or the only running one when it is None) and where its map is."""
    if server_id is None:
        running = [i for i in list_instances() if i.alive()]
        if len(running) != 1:
            listed = ", ".join(str(i.id) for i in running)
            raise RuntimeStartError(
                "no server is running; start one with `fv server start --detach`" if not running else
                f"{len(running)} servers are running ({listed}); say which with --server ID"
            )
        inst = running[0]
    else:
        try:
            inst = get_instance(server_id)
        except BackendError as exc:
            raise RuntimeStartError(str(exc)) from exc
    return FoundServer(inst.id, inst.rcon_host, inst.rcon_port, inst.rcon_password, inst.script_output / "fv_snapshot",
                       inst.snapshot_udp_port)
