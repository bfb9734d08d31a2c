"""Harness for RCON server tests: a scripted game callback, a server on its own loop
thread (so blocking clients can talk to it), and raw-socket helpers."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from typing import Any, Callable, Iterator

import pytest

from factoryverse.engine.server.rcon import RconServer
from tests._support.background import BackgroundServer

PASSWORD = "correct horse"
TIMEOUT = 5.0


def big_reply(size: int) -> str:
    """Deterministic text of exactly ``size`` characters with multi-byte UTF-8 in it and
    a non-space last character (factorio-rcon-py strips trailing whitespace)."""
    unit = "line é ∑ 0123456789\n"
    text = (unit * (size // len(unit) + 1))[: size - 1]
    return text + "#"


class ScriptedGame:
    """A real async execute callback driven by the command text.

    ``echo X`` -> X, ``big N`` -> big_reply(N), ``raise`` -> RuntimeError,
    ``none`` -> a non-str reply, ``hold`` -> waits until ``release`` is set,
    ``yield X`` -> gives up the loop a few times before answering X.
    """

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.active = 0
        self.max_active = 0
        self.started = threading.Event()
        self.release = asyncio.Event()

    async def execute(self, command: str) -> Any:
        self.calls.append(command)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            verb, _, arg = command.partition(" ")
            if verb == "echo":
                return arg
            if verb == "big":
                return big_reply(int(arg))
            if verb == "raise":
                raise RuntimeError("boom from the scripted game")
            if verb == "none":
                return None
            if verb == "hold":
                self.started.set()
                await self.release.wait()
                return "held"
            if verb == "yield":
                for _ in range(3):
                    await asyncio.sleep(0)
                return arg
            return f"unknown command {command!r}"
        finally:
            self.active -= 1


class ServerThread(BackgroundServer):
    """An RconServer, driven by a ScriptedGame, on an event loop in a background thread."""

    def __init__(self, **kwargs: Any) -> None:
        self.game = ScriptedGame()
        super().__init__(RconServer(self.game.execute, PASSWORD, **kwargs), stop=lambda s: s.close(), timeout=TIMEOUT)

    @property
    def port(self) -> int:
        return self.server.port

    def release_held(self) -> None:
        self.loop.call_soon_threadsafe(self.game.release.set)


@pytest.fixture
def served() -> Iterator[ServerThread]:
    with ServerThread() as harness:
        yield harness


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll a condition another thread will make true, failing after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.002)


def raw_connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.settimeout(TIMEOUT)
    return sock


def packet_bytes(packet_id: int, packet_type: int, body: bytes, terminator: bytes = b"\0\0") -> bytes:
    payload = struct.pack("<ii", packet_id, packet_type) + body + terminator
    return struct.pack("<i", len(payload)) + payload


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("server closed the connection")
        data += chunk
    return data


def recv_packet(sock: socket.socket) -> tuple[int, int, bytes]:
    (length,) = struct.unpack("<i", recv_exactly(sock, 4))
    data = recv_exactly(sock, length)
    packet_id, packet_type = struct.unpack_from("<ii", data)
    assert data[-2:] == b"\0\0"
    return packet_id, packet_type, data[8:-2]


def raw_authenticate(sock: socket.socket, password: str = PASSWORD) -> int:
    sock.sendall(packet_bytes(41, 3, password.encode()))
    packet_id, packet_type, body = recv_packet(sock)
    assert packet_type == 2 and body == b""
    return packet_id


def assert_closed_by_server(sock: socket.socket) -> None:
    """The server must close this socket: recv sees EOF or a reset, never a timeout."""
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except socket.timeout as exc:
        raise AssertionError("server kept the connection open") from exc
