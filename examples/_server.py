"""How the examples find a game: a server started with `fv server start --detach`, by id as `fv server status`
lists it (the only running one by default). Not part of the SDK: a convenience of these scripts."""

from __future__ import annotations

import argparse
from pathlib import Path

from factoryverse.sdk import FactoryVerseClient
from factoryverse.servers import Instance, list_instances

__all__ = ["find_server", "client_for", "snapshot_of", "parse_server"]


def parse_server(description: str) -> int | None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--server", type=int, default=None, help="server id (default: the only one running)")
    return parser.parse_args().server


def find_server(server_id: int | None) -> Instance:
    running = [i for i in list_instances() if i.alive()]
    if server_id is not None:
        running = [i for i in running if i.id == server_id]
    if len(running) != 1:
        ids = ", ".join(str(i.id) for i in running) or "none"
        raise SystemExit(f"start one server with `fv server start --detach`, or name one with --server "
                         f"(running: {ids})")
    return running[0]


def client_for(server: Instance) -> FactoryVerseClient:
    return FactoryVerseClient(server.rcon_host, server.rcon_port, server.rcon_password)


def snapshot_of(server: Instance) -> tuple[Path, int]:
    """Where fv_snapshot writes the server's map, and the UDP port the game sends its map deltas to."""
    return server.script_output / "fv_snapshot", server.snapshot_udp_port
