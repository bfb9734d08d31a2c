"""A server on an asyncio loop in a daemon thread, so blocking clients (or another loop) can talk to it in tests."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Awaitable, Callable

__all__ = ["BackgroundServer"]


class BackgroundServer:
    """Runs `server.start()` on entry and `stop()` on exit, on its own loop; `run(coro)` waits for a result there.

    Errors the loop reports (an exception in a callback or a task nobody awaited) are kept in `loop_errors`, so a
    test can assert the server handled everything itself.
    """

    def __init__(self, server: Any, *, stop: Callable[[Any], Awaitable[Any]] | None = None, timeout: float = 30.0,
                 name: str = "test-server"):
        self.server = server
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self.loop_errors: list[dict[str, Any]] = []
        self.loop.set_exception_handler(lambda _loop, ctx: self.loop_errors.append(ctx))
        self._stop = stop or (lambda s: s.stop())
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)

    def run(self, coro: Awaitable[Any], timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout or self.timeout)  # type: ignore[arg-type]

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        self.run(self.server.start())
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.run(self._stop(self.server))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(self.timeout)
            self.loop.close()
