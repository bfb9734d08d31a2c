"""A running game server: the engine on its own thread, RCON on that thread's asyncio loop, commands between ticks.

One thread owns the engine (Lua states are not thread-safe and determinism needs one writer). It runs the ticks and,
between them, an asyncio event loop with the RCON server: a command runs where it arrives, between ticks and in
arrival order, as Factorio does, and its reply goes back once it has run. Other threads queue jobs with `submit`.

The loop honours the game's clock (engine/clock.py): while game.tick_paused holds and no ticks_to_run are left,
only commands run; `ticks_to_run = N` runs N ticks, as fast as the mode allows, then the game is paused again.
Modes pace the ticks: `realtime` at 60 UPS times game.speed, `fast` as fast as the machine can; `paused` is `fast`
started with game.tick_paused = true (a game started paused is one driven by explicit steps, which want their ticks
at once), so the loop has no pause of its own besides the game's.

If the game stops (an internal error in a tick, a failed start, or `stop()`), every queued and later job fails at
once with GameLoopStopped and RCON answers every command with the reason until the server is stopped, so no client
waits for a reply that will never come.
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
from typing import Any, Awaitable, Callable

from factoryverse.engine.clock import GameClock
from factoryverse.engine.engine import TICKS_PER_SECOND, Engine
from factoryverse.engine.errors import EngineError
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION
from factoryverse.engine.lua.watchdog import DEFAULT_WATCHDOG_SECONDS
from factoryverse.engine.save.server_saves import DEFAULT_AUTOSAVE_SLOTS
from factoryverse.engine.server.forking import FORK_SERVER_COMMAND, fork_server
from factoryverse.engine.server.gc_pacing import CollectorPacing
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
    # The Factorio version the game runs as ("2.0" or "2.1"; engine/factorio_versions.py). None with `load`: the
    # save's (a version given must be the save's, or the load is refused).
    factorio_version: str | None = DEFAULT_FACTORIO_VERSION
    # Where game.server_save, /save and autosaves write (engine/save/server_saves.py); None: the game refuses to save.
    saves_dir: Path | None = None
    # Autosave every this many game minutes (60 * 60 ticks each) into the saves folder; 0 turns it off. Factorio's
    # server-settings.json default is 10.
    autosave_minutes: float = 10
    # A save to start from (Engine.load) instead of a new map of `seed`.
    load: Path | None = None
    # A mod's scenario run as the level script of a new game: "mod/name" or a bare "name" (engine/scenarios.py).
    # A loaded game runs the scenario its save records.
    scenario: str | None = None
    # How many rotating autosave names (_autosave1.._autosave<slots>); server-settings.json's autosave_slots.
    autosave_slots: int = DEFAULT_AUTOSAVE_SLOTS
    # Only these mods of `mods_dir` (None: every mod there); what a mod-list.json leaves enabled.
    mods: list[str] | None = None

    @property
    def autosave_ticks(self) -> int:
        ticks = round(self.autosave_minutes * TICKS_PER_SECOND * 60)
        if self.autosave_minutes < 0 or (self.autosave_minutes and ticks < 1):
            raise ValueError(f"autosave minutes must be 0 (off) or at least one tick (1/3600), "
                             f"got {self.autosave_minutes!r}")
        return ticks


# In fast mode, while no command or job came for this long (seconds), the ticks stop only this often to serve them:
# each stop is an event-loop pass (a few microseconds, which every tick would pay at hundreds of thousands of UPS)
# and lets go of the GIL. The period stays above the interpreter's switch interval (5 ms): a thread waiting for the
# GIL restarts its wait at every release, so releases a little more often than that starve the process's other
# threads (another game's loop took 30 s instead of 0.2 s to start). Once commands come, every tick serves them, so
# a client's consecutive commands are a few ticks apart, as before.
_FAST_POLL_S = 0.01


class GameLoop:
    """Runs an engine on a thread; `submit` queues a callable (from any thread) to run on it between ticks.

    The thread also runs an asyncio event loop, served between ticks, for servers that feed the game (GameServer's
    RCON, set up with `serve_with`): their commands run right where they arrive, on the game thread, between ticks
    and in arrival order. Handing each command to another thread and the reply back cost more than the rest of a
    trivial command (two thread wake-ups and GIL handovers each way; issue 7).
    """

    def __init__(self, engine_factory: Callable[[], Engine], *, mode: SpeedMode = "realtime", speed: float = 1.0,
                 keep_clock: bool = False):
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
        # The game thread's event loop, and what runs on it before the engine is made and after it is closed.
        self._aio: asyncio.AbstractEventLoop | None = None
        self._setup: Callable[[], Awaitable[None]] | None = None
        self._teardown: Callable[[], Awaitable[None]] | None = None
        # A running game handed over (a forked server): its clock stays as the game left it.
        self._keep_clock = keep_clock
        self._pumping = False  # the event loop is being served (between ticks)
        self._served_at = 0.0  # perf_counter() when the last command or job ran

    def serve_with(self, setup: Callable[[], Awaitable[None]], teardown: Callable[[], Awaitable[None]]) -> None:
        """Run `setup()` on the game thread's event loop before the engine is made (a failure fails the start) and
        `teardown()` once the loop stops. Call before start()."""
        self._setup, self._teardown = setup, teardown

    def start(self) -> None:
        self._thread.start()

    def run_here(self) -> None:
        """Run the game loop on the calling thread until stopped (a forked server's only thread runs it)."""
        self._run()

    def request_stop(self) -> None:
        """Ask the loop to stop after the current tick or command; safe from a signal handler of its own thread."""
        self._stopped.set()
        self._wake()

    def submit(self, job: Callable[[Engine], Any]) -> Future:
        fut: Future = Future()
        with self._lock:
            if self._closed is not None:
                fut.set_exception(self._closed)
            else:
                self._jobs.put((job, fut))
                self._wake()
        return fut

    def run_command(self, text: str) -> str:
        """On the game thread (an RCON handler on its event loop): run a console command now, between ticks."""
        if self._closed is not None:
            raise self._closed
        self._run_jobs()  # jobs queued before it came first
        self._served_at = time.perf_counter()
        try:
            return self.engine.execute_command(text)  # type: ignore[union-attr]
        finally:
            if self._pumping:
                self._aio.stop()  # type: ignore[union-attr]  # back to the tick loop: the command may have unpaused

    def stop(self) -> None:
        self._stopped.set()
        self._wake()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)
        # Also when the thread never started or is stuck: whatever is still queued will not run.
        self._close(GameLoopStopped("the game server has stopped; the command was not run"))

    def _wake(self) -> None:
        """From any thread: make a waiting game thread look at its jobs and its clock."""
        aio = self._aio
        if aio is not None:
            try:
                aio.call_soon_threadsafe(self._interrupt)
            except RuntimeError:
                pass  # the event loop is closed: the thread is gone

    def _interrupt(self) -> None:
        if self._pumping:
            self._aio.stop()  # type: ignore[union-attr]

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

    def _run_jobs(self) -> None:
        """Run the jobs other threads queued, in order."""
        while True:
            try:
                job, fut = self._jobs.get_nowait()  # type: ignore[misc]
            except queue.Empty:
                return
            if not fut.set_running_or_notify_cancel():
                continue
            self._served_at = time.perf_counter()
            try:
                fut.set_result(job(self.engine))  # type: ignore[arg-type]
            except BaseException as e:  # the job's own error goes back to whoever submitted it
                fut.set_exception(e)

    def _pump(self, block_for: float | None) -> None:
        """Serve jobs and the event loop (RCON commands run inside it); wait up to `block_for` seconds for one to
        arrive (None: only what is ready now)."""
        self._run_jobs()
        aio = self._aio
        assert aio is not None
        if block_for is None or block_for <= 0:
            aio.call_soon(aio.stop)  # one pass: what is ready and the I/O already waiting
            handle = None
        else:
            handle = aio.call_later(block_for, aio.stop)  # or sooner: a command or a job stops it
        self._pumping = True
        try:
            aio.run_forever()
        finally:
            self._pumping = False
            if handle is not None:
                handle.cancel()
        self._run_jobs()

    def _run(self) -> None:
        aio = self._aio = asyncio.new_event_loop()
        asyncio.set_event_loop(aio)
        try:
            self._run_game(aio)
        finally:
            if self._teardown is not None:
                try:
                    aio.run_until_complete(self._teardown())
                except Exception:
                    log.exception("closing the game thread's servers failed")
            aio.close()

    def _run_game(self, aio: asyncio.AbstractEventLoop) -> None:
        try:
            if self._setup is not None:
                aio.run_until_complete(self._setup())
            self.engine = self._factory()
            # The mode and speed the server was started with are the game's own clock settings, so game.tick_paused
            # and game.speed read what the loop does.
            if not self._keep_clock:
                self.engine.clock.set_speed(self.speed)
            if self.mode == "paused" and not self._keep_clock:
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
            # RCON still answers, each command with the reason, until the server is stopped.
            while not self._stopped.is_set():
                self._pump(0.05)
        finally:
            self._close(GameLoopStopped("the game server has stopped; the command was not run"))
            try:
                self.engine.close()
            except Exception:
                log.exception("closing the engine failed")

    def _serve(self, engine: Engine) -> None:
        with CollectorPacing() as gc_pacing:
            self._serve_paced(engine, gc_pacing)

    def _serve_paced(self, engine: Engine, gc_pacing: CollectorPacing) -> None:
        clock = engine.clock
        realtime = self.mode == "realtime"
        last_tick = time.perf_counter()  # when the last tick was due (realtime)
        next_poll = last_tick  # fast mode: when to serve commands next
        while not self._stopped.is_set():
            if not clock.can_tick():
                # Tick-paused: commands still run (one may set ticks_to_run or unpause); wait for one, don't spin.
                self._pump(block_for=0.05)
                gc_pacing.between_ticks()
                last_tick = time.perf_counter() - 1.0 / (TICKS_PER_SECOND * clock.speed)
                continue
            if not realtime:
                now = time.perf_counter()
                if now >= next_poll:
                    self._pump(block_for=None)
                    next_poll = now if now - self._served_at < _FAST_POLL_S else now + _FAST_POLL_S
                    if not clock.can_tick():
                        continue
                engine.update()
                gc_pacing.between_ticks()
                continue
            due = last_tick + 1.0 / (TICKS_PER_SECOND * clock.speed)
            wait = due - time.perf_counter()
            # Commands are served while waiting for the next tick's time, so latency stays low at real time.
            self._pump(block_for=wait if wait > 0 else None)
            # Read again: a command may have changed game.speed (or paused the game) meanwhile.
            due = last_tick + 1.0 / (TICKS_PER_SECOND * clock.speed)
            now = time.perf_counter()
            if now < due:
                continue
            ticked = engine.update()
            gc_pacing.between_ticks()
            if ticked:
                last_tick = due
                if now - last_tick > 1.0:
                    last_tick = now  # fell far behind: don't try to catch up in a burst


class GameServer:
    """A GameLoop plus its RCON server. `await start()`; `await stop()`."""

    def __init__(self, config: ServerConfig, *, engine: Engine | None = None):
        """`engine`: serve this running game (a forked server's) instead of making one from `config`."""
        self.config = config
        script_output = config.script_output

        autosave_ticks = config.autosave_ticks  # a bad value fails here, before a thread or an engine exists

        def factory() -> Engine:
            if engine is not None:
                return engine
            common: dict[str, Any] = dict(
                mods_dir=config.mods_dir,
                script_output=script_output,
                watchdog_seconds=config.watchdog_seconds,
                saves_dir=config.saves_dir,
                autosave_ticks=autosave_ticks,
                autosave_slots=config.autosave_slots,
                mods=config.mods,
            )
            if config.scenario is not None:
                common["scenario"] = config.scenario
            if config.load is not None:
                return Engine.load(config.load, factorio_version=config.factorio_version, **common)
            return Engine(seed=config.seed, factorio_version=config.factorio_version or DEFAULT_FACTORIO_VERSION,
                          **common)

        self.loop = GameLoop(factory, mode=config.mode, speed=config.speed, keep_clock=engine is not None)
        self.rcon = RconServer(
            self._execute,
            config.rcon_password,
            host=config.rcon_host,
            port=config.rcon_port,
            # Scripts sent by the SDK can be long; Factorio itself accepts very large commands.
            max_packet_body=4 * 1024 * 1024,
        )
        # RCON lives on the game thread's event loop: commands run where they arrive, with no handoff. It binds before
        # the engine exists, so a busy port fails before any mod's on_init can write into a script-output folder
        # (which may be a running game's).
        self.loop.serve_with(self.rcon.start, self.rcon.close)

    async def _execute(self, text: str) -> str:
        if text.startswith(FORK_SERVER_COMMAND) and text[len(FORK_SERVER_COMMAND):len(FORK_SERVER_COMMAND) + 1] in ("", " "):
            # The server's own command: fork the whole process here, on the game thread between ticks.
            return fork_server(self, text[len(FORK_SERVER_COMMAND):].strip())
        try:
            return self.loop.run_command(text)
        except GameLoopStopped as e:
            # The client gets the reason as the reply text; the thread's own failure was logged once, when it died.
            return f"Error: {e}"

    async def start(self) -> None:
        # Commands arriving while the engine is made wait in their sockets until the game thread serves them.
        self.loop.start()
        await asyncio.get_running_loop().run_in_executor(None, self.loop.ready.wait)
        if self.loop.error is not None:
            # The game thread closed RCON on its way out; wait for that, so the port is free when this raises.
            await asyncio.get_running_loop().run_in_executor(None, self.loop.stop)
            raise self.loop.error

    def loaded_mods(self) -> dict[str, str]:
        """The mods the started engine loaded, name to version (what `script.active_mods` lists besides base)."""
        if self.loop.engine is None:
            raise RuntimeError("the engine has not started; await start() first")
        # Read from another thread: the mod list is fixed once the engine is built.
        return {m.name: m.info.version for m in self.loop.engine.mods}

    async def stop(self) -> None:
        # The game thread closes RCON (on its event loop) once its loop ends.
        await asyncio.get_running_loop().run_in_executor(None, self.loop.stop)
