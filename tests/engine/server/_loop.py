"""A GameLoop on its own thread over a one-chunk map without mods, for the loop's tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from factoryverse.engine.engine import Engine
from factoryverse.engine.server.instance import GameLoop

__all__ = ["LOOP_TIMEOUT", "running", "ask"]

LOOP_TIMEOUT = 10.0


@contextlib.contextmanager
def running(mode: str, speed: float = 1.0) -> Iterator[GameLoop]:
    loop = GameLoop(lambda: Engine(seed=1, mods=[], starting_chunks=1), mode=mode, speed=speed)
    loop.start()
    assert loop.ready.wait(LOOP_TIMEOUT), "engine did not start"
    assert loop.error is None
    try:
        yield loop
    finally:
        loop.stop()


def ask(loop: GameLoop, job: Callable[[Engine], Any]) -> Any:
    return loop.submit(job).result(LOOP_TIMEOUT)
