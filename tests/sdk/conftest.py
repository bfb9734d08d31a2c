"""One embedded game for the SDK tests, served on its own thread so each test drives it with asyncio.run.

The SDK talks to it only over real RCON and UDP sockets; the engine is the game backend, never imported by
the SDK itself. Tests share the game (starting one costs about a second plus the snapshot bootstrap), so
each spawns its agents at its own spot and destroys them afterwards.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator, TypeVar

import pytest

from factoryverse.engine.server import GameServer, ServerConfig
from factoryverse.sdk import FactoryVerseClient, RconClient
from tests._support.background import BackgroundServer

T = TypeVar("T")

PASSWORD = "sdk-test"
# Bound for every test's whole coroutine: a hang fails the test instead of blocking the suite.
TEST_TIMEOUT = 60.0
# Bound for one awaited action; the shared game runs in "fast" mode, so walks and mining take milliseconds.
ACTION_TIMEOUT = 20.0


def run(coro: Awaitable[T], timeout: float = TEST_TIMEOUT) -> T:
    return asyncio.run(asyncio.wait_for(coro, timeout))  # type: ignore[arg-type]


@dataclass
class Game:
    port: int
    script_output: Path

    def client(self, **kwargs: Any) -> FactoryVerseClient:
        kwargs.setdefault("action_timeout", ACTION_TIMEOUT)
        return FactoryVerseClient("127.0.0.1", self.port, PASSWORD, **kwargs)

    def rcon(self) -> RconClient:
        return RconClient("127.0.0.1", self.port, PASSWORD, timeout=ACTION_TIMEOUT)


@pytest.fixture(scope="session")
def game(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Game]:
    out = tmp_path_factory.mktemp("sdk-game") / "script-output"
    config = ServerConfig(seed=1, rcon_port=0, rcon_password=PASSWORD, script_output=out, mode="fast")
    with BackgroundServer(GameServer(config), timeout=60, name="sdk-test-game") as served:
        game = Game(port=served.server.rcon.port, script_output=out)

        async def _configure() -> None:
            # As `fv server start` does: the snapshot writes nothing before it has a run id.
            async with game.client(check_versions=False) as client:
                await client.configure_snapshot(run_id="sdk-test-run")

        run(_configure())
        yield game


@pytest.fixture
def fresh_agents(game: Game) -> Iterator[None]:
    """Destroys every agent when the test ends, so tests never see each other's characters."""
    yield

    async def _cleanup() -> None:
        async with game.client(check_versions=False) as client:
            await client.destroy_agents()

    run(_cleanup())


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = ACTION_TIMEOUT) -> None:
    """Poll the game until `check` holds (each poll is an RCON round trip, so no sleeping is needed)."""
    async def _loop() -> None:
        while not await check():
            pass

    try:
        await asyncio.wait_for(_loop(), timeout)
    except asyncio.TimeoutError as exc:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}") from exc
