"""Whether a port can really be bound, asked the way its user binds it.

RCON: the engine listens with asyncio's start_server, which sets SO_REUSEADDR, so a port whose last connections
sit in TIME_WAIT (every port right after `fv server stop`) binds fine. A probe without SO_REUSEADDR would call
it busy and push a restarted instance off the seed's port scheme.

Snapshot UDP: UDP has no TIME_WAIT, and with SO_REUSEADDR two UDP sockets may share a port, so the probe binds
without it: a port some listener already holds then reads as busy, as it is.
"""

from __future__ import annotations

import socket

__all__ = ["tcp_port_bindable", "udp_port_free", "pick_free_port"]


def tcp_port_bindable(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def udp_port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def pick_free_port(host: str, avoid: set[int], kind: int = socket.SOCK_DGRAM) -> int:
    """A free port from the OS (UDP, or TCP with `socket.SOCK_STREAM`) that is not in `avoid` (ports promised to
    other instances)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if port not in avoid:
            return port
    raise OSError(f"the OS offered only ports already promised to instances ({len(avoid)} of them)")
