"""The embedded engine's Source RCON server, wire-compatible with Factorio's.

Each connection must authenticate first; its commands then run one at a time in
arrival order, each reply going back as a single RESPONSE_VALUE packet carrying the
request's id. A malformed request closes only the connection that sent it.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import logging
from types import TracebackType
from typing import Awaitable, Callable

from factoryverse.engine.server._rcon_protocol import (
    AUTH_FAILED_ID,
    PacketType,
    RconProtocolError,
    RconServerError,
    encode_packet,
    read_packet,
)

__all__ = ["RconServer", "RconServerError", "RconProtocolError"]

_log = logging.getLogger("factoryverse.engine.rcon")

Execute = Callable[[str], Awaitable[str]]


class RconServer:
    """Serve RCON on ``host:port`` and hand each authenticated command to ``execute``.

    ``max_packet_body`` caps the body of incoming packets in bytes; larger declared
    lengths are treated as malformed. ``auth_timeout`` bounds how long a connection
    may stay open without authenticating, so idle sockets cannot pile up.
    """

    def __init__(
        self,
        execute: Execute,
        password: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_packet_body: int = 4096 * 4,
        auth_timeout: float = 30.0,
    ) -> None:
        if not password:
            raise RconServerError(
                "the RCON password is empty, which would let any local process run "
                "commands; pass a non-empty password"
            )
        if max_packet_body < 0:
            raise RconServerError(
                f"max_packet_body must be >= 0, got {max_packet_body}"
            )
        self._execute = execute
        self._password = password.encode("utf-8")
        self._host = host
        self._requested_port = port
        self._max_body = max_packet_body
        self._auth_timeout = auth_timeout
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._authenticated = 0
        self._closing = False

    async def start(self) -> None:
        """Bind and listen; afterwards ``port`` is the bound port."""
        if self._server is not None or self._closing:
            raise RconServerError("this RconServer was already started; create a new one")
        try:
            self._server = await asyncio.start_server(
                self._serve_connection, self._host, self._requested_port
            )
        except OSError as exc:
            raise _bind_error(self._host, self._requested_port, exc) from exc
        self._port = self._server.sockets[0].getsockname()[1]
        _log.info("RCON server listening on %s:%d", self._host, self._port)

    @property
    def port(self) -> int:
        """The bound port (the ephemeral one chosen by the OS when asked for 0)."""
        if self._port is None:
            raise RconServerError("the RCON server has no port yet; await start() first")
        return self._port

    @property
    def connections(self) -> int:
        """Connections open now that have authenticated."""
        return self._authenticated

    async def close(self) -> None:
        """Stop listening and drop every connection; safe to call more than once."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        if handlers:
            await asyncio.gather(*handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
            _log.info("RCON server on %s:%s closed", self._host, self._port)

    async def __aenter__(self) -> RconServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        peer = _peer_name(writer)
        if self._closing:
            writer.close()
            return
        self._handlers.add(task)
        authenticated = False
        try:
            authenticated = await self._authenticate(reader, writer, peer)
            if authenticated:
                self._authenticated += 1
                await self._command_loop(reader, writer, peer)
        except RconProtocolError as exc:
            _log.warning("RCON client %s sent a malformed packet, closing it: %s", peer, exc)
        except asyncio.IncompleteReadError:
            _log.debug("RCON client %s disconnected", peer)
        except (ConnectionError, OSError) as exc:
            _log.debug("RCON client %s connection lost: %s", peer, exc)
        except asyncio.CancelledError:
            # Only close() cancels handlers; finishing normally lets the listener shut down.
            pass
        except Exception:
            _log.exception("RCON connection from %s failed unexpectedly", peer)
        finally:
            if authenticated:
                self._authenticated -= 1
            self._handlers.discard(task)
            writer.close()

    async def _authenticate(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> bool:
        try:
            packet = await asyncio.wait_for(
                read_packet(reader, self._max_body), self._auth_timeout
            )
        except asyncio.TimeoutError:
            _log.warning(
                "RCON client %s did not authenticate within %.1f s, closing it",
                peer,
                self._auth_timeout,
            )
            return False
        if packet.type != PacketType.AUTH:
            raise RconProtocolError("a command arrived before authentication")
        return await self._answer_auth(packet.id, packet.body, writer, peer)

    async def _answer_auth(
        self, packet_id: int, body: str, writer: asyncio.StreamWriter, peer: str
    ) -> bool:
        ok = hmac.compare_digest(body.encode("utf-8"), self._password)
        reply_id = packet_id if ok else AUTH_FAILED_ID
        writer.write(encode_packet(reply_id, PacketType.AUTH_RESPONSE, ""))
        await writer.drain()
        if ok:
            _log.info("RCON client %s authenticated", peer)
        else:
            _log.warning("RCON client %s gave a wrong password, closing it", peer)
        return ok

    async def _command_loop(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        # Reading the next request only after replying keeps commands sequential and
        # lets TCP flow control push back on clients that pipeline faster than we run.
        while True:
            packet = await read_packet(reader, self._max_body)
            if packet.type == PacketType.AUTH:
                if not await self._answer_auth(packet.id, packet.body, writer, peer):
                    return
                continue
            reply = await self._run(packet.body, peer)
            writer.write(_encode_reply(packet.id, reply))
            await writer.drain()

    async def _run(self, command: str, peer: str) -> str:
        _log.debug("RCON client %s runs %s", peer, _abbreviate(command))
        try:
            reply = await self._execute(command)
        except Exception as exc:
            _log.exception("RCON command from %s raised", peer)
            return f"Error: the engine failed to run the command: {type(exc).__name__}: {exc}"
        if not isinstance(reply, str):
            _log.error(
                "RCON execute callback returned %s instead of str", type(reply).__name__
            )
            return (
                "Error: the engine returned a non-text reply "
                f"({type(reply).__name__}); this is an engine bug"
            )
        return reply


# Commands may be up to the packet limit (4 MiB for the game server); the log gets their start and their size.
_LOGGED_CHARS = 200


def _abbreviate(text: str) -> str:
    if len(text) <= _LOGGED_CHARS:
        return repr(text)
    return f"{text[:_LOGGED_CHARS]!r}... ({len(text.encode('utf-8', errors='replace'))} bytes)"


def _encode_reply(packet_id: int, reply: str) -> bytes:
    try:
        return encode_packet(packet_id, PacketType.RESPONSE_VALUE, reply)
    except RconServerError as exc:
        _log.error("RCON reply dropped: %s", exc)
        return encode_packet(packet_id, PacketType.RESPONSE_VALUE, f"Error: {exc}")


def _peer_name(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


def _bind_error(host: str, port: int, exc: OSError) -> RconServerError:
    if exc.errno == errno.EADDRINUSE:
        return RconServerError(
            f"port {port} is in use on {host}; choose another with --rcon-port "
            "or stop the other server"
        )
    if exc.errno == errno.EACCES:
        return RconServerError(
            f"not allowed to bind {host}:{port} ({exc.strerror}); "
            "use a port above 1023 with --rcon-port"
        )
    return RconServerError(
        f"cannot listen for RCON on {host}:{port}: {exc.strerror or exc}; "
        "check the host address and --rcon-port"
    )
