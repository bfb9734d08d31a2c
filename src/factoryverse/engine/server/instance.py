"""A running game server: the engine on its own thread, RCON on asyncio, commands run between ticks.

One thread owns the engine (Lua states are not thread-safe and determinism needs one writer). RCON commands are
queued and run between ticks in arrival order, as Factorio does; their replies go back when they have run.

The loop honours the game's clock (engine/clock.py): while game.tick_paused holds and no ticks_to_run are left,
only commands run; `ticks_to_run = N` runs N ticks, as fast as the mode allows, then the game is paused again.
Modes pace the ticks: `realtime` at 60 UPS times game.speed, `fast` as fast as the machine can; `paused` is `fast`
started with game.tick_paused = true (a game started paused is one driven by explicit steps, which want their ticks
at once), so the loop has no pause of its own besides the game's.

If that thread stops (an internal error in a tick, a failed start, or `stop()`), every queued and later command
fails at once with GameLoopStopped, so no RCON client waits for a reply that will never come.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from factoryverse.engine.clock import GameClock
from factoryverse.engine.engine import TICKS_PER_SECOND, Engine
from factoryverse.engine.errors import EngineError
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION
from factoryverse.engine.lua.watchdog import DEFAULT_WATCHDOG_SECONDS
from factoryverse.engine.server.rcon import RconServer

__all__ = ["GameLoop", "GameLoopStopped", "ServerConfig", "GameServer", "SpeedMode"]

log = logging.getLogger("factoryverse.engine.server")

_MODES = ("paused", "realtime", "fast")
SpeedMode = str  # "paused" | "realtime" | "fast"; `speed` is the starting game.speed, which scales realtime


class GameLoopStopped(EngineError):
    """The game thread is not running any more, so a submitted job was not (and will not be) run."""


@dataclass
class ServerConfig:
    seed: int = 0
    rcon_host: str = "127.0.0.1"
    rcon_port: int = 27000
    rcon_password: str = "factoryverse"
    script_output: Path | None = None
    mods_dir: Path | None = None
    mode: SpeedMode = "realtime"
    # The game.speed the game starts with (a mod or command may change it): realtime runs 60 * speed UPS.
    speed: float = 1.0
    # Wall-clock limit of one command or handler (see engine/lua/watchdog.py); None turns it off.
    watchdog_seconds: float | None = DEFAULT_WATCHDOG_SECONDS
    # The Factorio version the game runs as ("2.0" or "2.1"; engine/factorio_versions.py).
    factorio_version: str = DEFAULT_FACTORIO_VERSION


class GameLoop:
    """Runs an engine on a thread; `submit` queues a callable to run on that thread between ticks."""

    def __init__(self, engine_factory: Callable[[], Engine], *, mode: SpeedMode = "realtime", speed: float = 1.0):
        if mode not in _MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(_MODES)}")
        GameClock().set_speed(speed)  # a bad speed fails here, before a thread or an engine exists
        self._factory = engine_factory
        self.engine: Engine | None = None
        self.mode = mode
        self.speed = speed
        self._jobs: queue.SimpleQueue[tuple[Callable[[Engine], Any], Future] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="factoryverse-game", daemon=True)
        self._stopped = threading.Event()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        # Set once the loop serves no more jobs; guarded by _lock so no job slips in after the queue is failed.
        self._closed: GameLoopStopped | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Callable[[Engine], Any]) -> Future:
        fut: Future = Future()
        with self._lock:
            if self._closed is not None:
                fut.set_exception(self._closed)
            else:
                self._jobs.put((job, fut))
        return fut

    def stop(self) -> None:
        self._stopped.set()
        self._jobs.put(None)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)
        # Also when the thread never started or is stuck: whatever is still queued will not run.
        self._close(GameLoopStopped("the game server has stopped; the command was not run"))

    def _close(self, reason: GameLoopStopped) -> None:
        """Refuse every queued and later job with `reason` (the first reason given wins)."""
        with self._lock:
            if self._closed is None:
                self._closed = reason
            reason = self._closed
            while True:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if item is not None and item[1].set_running_or_notify_cancel():
                    item[1].set_exception(reason)

    def _drain(self, block_for: float | None) -> None:
        """Run queued jobs; wait up to `block_for` seconds for the first one (None: don't wait)."""
        first = True
        while True:
            try:
                if first and block_for is not None and block_for > 0:
                    item = self._jobs.get(timeout=block_for)
                else:
                    item = self._jobs.get_nowait()
            except queue.Empty:
                return
            first = False
            if item is None:
                return
            job, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(job(self.engine))
            except BaseException as e:  # the job's own error goes back to whoever submitted it
                fut.set_exception(e)

    def _run(self) -> None:
        try:
            self.engine = self._factory()
            # The mode and speed the server was started with are the game's own clock settings, so game.tick_paused
            # and game.speed read what the loop does.
            self.engine.clock.set_speed(self.speed)
            if self.mode == "paused":
                self.engine.clock.tick_paused = True
        except BaseException as e:
            self.error = e
            self._close(GameLoopStopped(f"the game engine failed to start: {type(e).__name__}: {e}"))
            self.ready.set()
            return
        self.ready.set()
        try:
            self._serve(self.engine)
        except BaseException as e:
            # A tick is engine code, not a mod's handler (those are caught inside): the world may be half-updated,
            # so the loop stops rather than run on from an inconsistent state.
            self.error = e
            log.exception("the game thread stopped after an internal error")
            self._close(
                GameLoopStopped(
                    f"the game thread stopped after an internal error: {type(e).__name__}: {e}; restart the server"
                )
            )
        finally:
            self._close(GameLoopStopped("the game server has stopped; the command was not run"))
            try:
                self.engine.close()
            except Exception:
                log.exception("closing the engine failed")

    def _serve(self, engine: Engine) -> None:
        clock = engine.clock
        realtime = self.mode == "realtime"
        last_tick = time.perf_counter()  # when the last tick was due (realtime)
        while not self._stopped.is_set():
            if not clock.can_tick():
                # Tick-paused: commands still run (one may set ticks_to_run or unpause); wait for one, don't spin.
                self._drain(block_for=0.05)
                last_tick = time.perf_counter() - 1.0 / (TICKS_PER_SECOND * clock.speed)
                continue
            if not realtime:
                self._drain(block_for=None)
                engine.update()
                continue
            due = last_tick + 1.0 / (TICKS_PER_SECOND * clock.speed)
            wait = due - time.perf_counter()
            # Commands are served while waiting for the next tick's time, so latency stays low at real time.
            self._drain(block_for=wait if wait > 0 else None)
            # Read again: a command may have changed game.speed (or paused the game) meanwhile.
            due = last_tick + 1.0 / (TICKS_PER_SECOND * clock.speed)
            now = time.perf_counter()
            if now < due:
                continue
            if engine.update():
                last_tick = due
                if now - last_tick > 1.0:
                    last_tick = now  # fell far behind: don't try to catch up in a burst


class GameServer:
    """A GameLoop plus its RCON server. `await start()`; `await stop()`."""

    def __init__(self, config: ServerConfig):
        self.config = config
        script_output = config.script_output

        def factory() -> Engine:
            return Engine(
                seed=config.seed,
                mods_dir=config.mods_dir,
                script_output=script_output,
                watchdog_seconds=config.watchdog_seconds,
                factorio_version=config.factorio_version,
            )

        self.loop = GameLoop(factory, mode=config.mode, speed=config.speed)
        self.rcon = RconServer(
            self._execute,
            config.rcon_password,
            host=config.rcon_host,
            port=config.rcon_port,
            # Scripts sent by the SDK can be long; Factorio itself accepts very large commands.
            max_packet_body=4 * 1024 * 1024,
        )

    async def _execute(self, text: str) -> str:
        fut = self.loop.submit(lambda engine: engine.execute_command(text))
        try:
            return await asyncio.wrap_future(fut)
        except GameLoopStopped as e:
            # The client gets the reason as the reply text; the thread's own failure was logged once, when it died.
            return f"Error: {e}"

    async def start(self) -> None:
        # RCON binds before the engine exists: a busy port then fails before any mod's on_init can write into a
        # script-output folder (which may be a running game's). Commands arriving meanwhile wait in the job queue.
        await self.rcon.start()
        self.loop.start()
        await asyncio.get_running_loop().run_in_executor(None, self.loop.ready.wait)
        if self.loop.error is not None:
            await self.rcon.close()
            raise self.loop.error

    def loaded_mods(self) -> dict[str, str]:
        """The mods the started engine loaded, name to version (what `script.active_mods` lists besides base)."""
        if self.loop.engine is None:
            raise RuntimeError("the engine has not started; await start() first")
        # Read from another thread: the mod list is fixed once the engine is built.
        return {m.name: m.info.version for m in self.loop.engine.mods}

    async def stop(self) -> None:
        await self.rcon.close()
        await asyncio.get_running_loop().run_in_executor(None, self.loop.stop)
