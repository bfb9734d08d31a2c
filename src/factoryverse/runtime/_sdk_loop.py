"""The SDK's own event loop in the kernel: a daemon thread that the SDK's client, listeners and map sync live on.

Programs run on the kernel's main loop; with the SDK on another thread, a program may block on a call's result
(see _pending) while the call goes on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any, Coroutine

__all__ = ["SdkLoop", "sdk_loop", "on_sdk_thread"]


class SdkLoop:
    """An asyncio loop on a daemon thread: the SDK's client, listeners and map sync run here for the kernel's life."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="factoryverse-sdk", daemon=True)
        self._thread.start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(ready.set)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def on_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread


_sdk: SdkLoop | None = None


def sdk_loop() -> SdkLoop:
    """The kernel's one SDK loop (started on first use)."""
    global _sdk
    if _sdk is None:
        _sdk = SdkLoop()
    return _sdk


def on_sdk_thread() -> bool:
    return _sdk is not None and _sdk.on_loop_thread()
