"""RconClient against the embedded game's real RCON server."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from factoryverse.engine.server import GameServer, ServerConfig
from factoryverse.sdk import LuaError, RconAuthError, RconClient, RconConnectionError, RconTimeoutError
from factoryverse.sdk.rcon import parse_lua_error

from .conftest import PASSWORD, Game, run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_lua_returns_what_the_game_printed(game: Game):
    async def scenario() -> tuple[str, str]:
        async with game.rcon() as rcon:
            return await rcon.lua("rcon.print(6 * 7)"), await rcon.command("/sc rcon.print('a' .. 'b')")

    assert run(scenario()) == ("42", "ab")


def test_lua_error_carries_message_and_traceback(game: Game):
    async def scenario() -> LuaError:
        async with game.rcon() as rcon:
            with pytest.raises(LuaError) as caught:
                await rcon.lua("local t = nil; return t.field")
            return caught.value

    error = run(scenario())
    assert "attempt to index" in error.lua_message
    assert error.traceback.startswith("stack traceback:")
    assert "stack traceback" not in error.lua_message


def test_concurrent_commands_each_get_their_own_reply(game: Game):
    async def scenario() -> list[str]:
        async with game.rcon() as rcon:
            return await asyncio.gather(*(rcon.lua(f"rcon.print({i} * 3)") for i in range(30)))

    assert run(scenario()) == [str(i * 3) for i in range(30)]


def test_wrong_password_raises_auth_error(game: Game):
    async def scenario() -> None:
        await RconClient("127.0.0.1", game.port, PASSWORD + "-wrong").connect()

    with pytest.raises(RconAuthError, match="password"):
        run(scenario())


def test_nothing_listening_raises_connection_error():
    async def scenario() -> None:
        await RconClient("127.0.0.1", _free_port(), PASSWORD).command("/sc rcon.print(1)")

    with pytest.raises(RconConnectionError, match="cannot reach"):
        run(scenario())


def test_a_timed_out_command_does_not_leak_its_late_reply(game: Game):
    async def scenario() -> str:
        async with game.rcon() as rcon:
            with pytest.raises(RconTimeoutError):
                # A busy loop keeps the game from answering within the tiny timeout.
                await rcon.lua("local n = 0 for i = 1, 3e7 do n = n + i end rcon.print('late')", timeout=0.01)
            return await rcon.lua("rcon.print('fresh')")

    assert run(scenario()) == "fresh"


def test_stopped_server_raises_connection_error_and_a_restarted_one_is_reconnected(tmp_path: Path):
    async def scenario() -> str:
        def config(port: int) -> ServerConfig:
            return ServerConfig(
                seed=1, rcon_port=port, rcon_password=PASSWORD, script_output=tmp_path / "out", mode="paused"
            )

        first = GameServer(config(0))
        await first.start()
        port = first.rcon.port
        rcon = RconClient("127.0.0.1", port, PASSWORD, timeout=10)
        try:
            assert await rcon.lua("rcon.print('up')") == "up"
            await first.stop()
            with pytest.raises(RconConnectionError):
                await rcon.lua("rcon.print('down')")
            second = GameServer(config(port))
            await second.start()
            try:
                return await rcon.lua("rcon.print('again')")
            finally:
                await second.stop()
        finally:
            await rcon.close()

    assert run(scenario()) == "again"


def test_parse_lua_error_splits_off_the_traceback():
    assert parse_lua_error("boom\nstack traceback:\n\t[C]: in ?") == ("boom", "stack traceback:\n\t[C]: in ?")
    assert parse_lua_error("just a message") == ("just a message", "")
