"""RCON transport to a game: one authenticated connection, commands one at a time, reconnect on demand."""

from __future__ import annotations

import asyncio
from types import TracebackType

import factorio_rcon

from factoryverse.sdk.errors import (
    LuaError,
    RconAuthError,
    RconConnectionError,
    RconError,
    RconTimeoutError,
)

__all__ = ["RconClient", "LUA_ERROR_PREFIX", "parse_lua_error"]

# What Factorio's console answers when a /sc command raises; the engine answers the same.
LUA_ERROR_PREFIX = "Cannot execute command. Error: "
_TRACEBACK_MARK = "\nstack traceback:"


def parse_lua_error(text: str) -> tuple[str, str]:
    """Split a Lua error text into (message, traceback); the traceback is "" when there is none."""
    message, mark, rest = text.partition(_TRACEBACK_MARK)
    return message.strip(), (mark.lstrip("\n") + rest) if mark else ""


class RconClient:
    """An async RCON client for one server.

    The connection opens on the first command (or `connect()`) and reopens on the next command after it
    broke, so a restarted server is picked up without a new client. Commands are serialized by a lock,
    because RCON replies carry only a request id and the library reads them in order.

    Example: `rcon = RconClient('127.0.0.1', 27015, 'password'); print(await rcon.lua('rcon.print(game.tick)'))`
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 27000,
        password: str = "factoryverse",
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self.host = host
        self.port = port
        self._password = password
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._client: factorio_rcon.AsyncRCONClient | None = None
        self._lock = asyncio.Lock()

    @property
    def address(self) -> str:
        """`host:port` of the server, for messages.

        Example: `print(rcon.address)`
        """
        return f"{self.host}:{self.port}"

    @property
    def connected(self) -> bool:
        """Whether a connection is open now (a command opens one when it is not).

        Example: `if not rcon.connected: await rcon.connect()`
        """
        client = self._client
        return client is not None and client.rcon_socket is not None and not client.rcon_failure

    async def connect(self) -> None:
        """Open and authenticate the connection now (commands also do it on demand).

        Example: `await rcon.connect()`
        """
        async with self._lock:
            await self._ensure_connected()

    async def close(self) -> None:
        """Close the connection; safe to call more than once. A later command reconnects.

        Example: `await rcon.close()`
        """
        async with self._lock:
            await self._drop()

    async def command(self, text: str, *, timeout: float | None = None) -> str:
        """Run one console command (e.g. "/sc rcon.print(game.tick)") and return its reply ("" if none).

        Example: `reply = await rcon.command('/sc rcon.print(game.tick)')`
        """
        limit = self.timeout if timeout is None else timeout
        async with self._lock:
            client = await self._ensure_connected()
            try:
                reply = await asyncio.wait_for(client.send_command(text), limit)
            except asyncio.TimeoutError as exc:
                # A late reply would be read as the answer to the next command, so the connection must go.
                await self._drop()
                raise RconTimeoutError(
                    f"the game at {self.address} did not answer a command within {limit:g}s; it may be saving or "
                    "stuck in a long script. Pass a larger timeout for slow commands; the next command reconnects"
                ) from exc
            except factorio_rcon.RCONNetworkError as exc:
                await self._drop()
                raise RconConnectionError(
                    f"lost the RCON connection to {self.address} during a command ({exc}); the command may or may "
                    "not have run. Check that the server is still running; the next command reconnects"
                ) from exc
            except factorio_rcon.RCONBaseError as exc:
                await self._drop()
                raise RconError(f"the RCON server at {self.address} sent an invalid reply: {exc}") from exc
        return reply or ""

    async def lua(self, code: str, *, timeout: float | None = None) -> str:
        """Run Lua with /sc and return what it rcon.print-ed; a Lua error raises LuaError.

        Example: `tick = int(await rcon.lua('rcon.print(game.tick)'))`
        """
        reply = await self.command("/sc " + code, timeout=timeout)
        if reply.startswith(LUA_ERROR_PREFIX):
            message, traceback = parse_lua_error(reply[len(LUA_ERROR_PREFIX):])
            raise LuaError(f"Lua error in the game: {message}", lua_message=message, traceback=traceback)
        return reply

    async def __aenter__(self) -> RconClient:
        await self.connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _ensure_connected(self) -> factorio_rcon.AsyncRCONClient:
        if self.connected:
            assert self._client is not None
            return self._client
        await self._drop()
        client = factorio_rcon.AsyncRCONClient(self.host, self.port, self._password)
        try:
            await asyncio.wait_for(client.connect(), self.connect_timeout)
        except factorio_rcon.InvalidPassword as exc:
            raise RconAuthError(
                f"the RCON server at {self.address} rejected the password; pass the server's --rcon-password"
            ) from exc
        except asyncio.TimeoutError as exc:
            await client.close()
            raise RconConnectionError(
                f"connecting to the RCON server at {self.address} took longer than {self.connect_timeout:g}s; "
                "check the host and port and that the server is not hung"
            ) from exc
        except factorio_rcon.RCONBaseError as exc:
            raise RconConnectionError(
                f"cannot reach the RCON server at {self.address} ({exc}); start the game (e.g. `python -m "
                "factoryverse.engine.server`, or Factorio with --rcon-port/--rcon-password) or fix host and port"
            ) from exc
        self._client = client
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                await client.close()
            except OSError:
                # The socket is already gone; closing it again cannot fail in a way that matters.
                pass
