"""One recorded embedded server (fast mode) under a throwaway state home, found by id as `fv server status` does."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Iterator, TypeVar

import pytest

from factoryverse.sdk import FactoryVerseClient
from factoryverse.servers.instances import Instance
from tests.servers._instance import running_instance

T = TypeVar("T")

# Bound on a test's whole coroutine: kernel start, bootstrap and a few programs on a loaded 2-core machine.
TEST_TIMEOUT = 90.0


def run(coro: Awaitable[T], timeout: float = TEST_TIMEOUT) -> T:
    return asyncio.run(asyncio.wait_for(coro, timeout))  # type: ignore[arg-type]


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with running_instance(tmp_path_factory.mktemp("fv_home")) as inst:
        yield inst


def client(inst: Instance) -> FactoryVerseClient:
    """An SDK client of its own, to check from outside the runtime what a program did in the game."""
    return FactoryVerseClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, check_versions=False)
