"""The wall-clock watchdog: the safety net that keeps the game answering when a command or handler runs too long.

The instruction budget is the rule (it is deterministic: the same code fails at the same instruction in every run).
It counts Lua VM instructions only, so code that spends its time elsewhere (in slow API calls from a tight loop, or
in C functions) can run far longer than the budget suggests. The watchdog bounds wall-clock time instead: one
deadline per top-level command or handler, shared by every Lua state it reaches (a remote.call from a command runs
under the command's deadline). Lua checks it from the instruction hook; long Python API members check it between
units of work. Whether it fires depends on the machine's speed and load, so an abort by the watchdog is outside the
game's determinism, and its message says so.
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from factoryverse.engine.errors import ScriptError

__all__ = ["Watchdog", "WatchdogExpired", "DEFAULT_WATCHDOG_SECONDS"]

log = logging.getLogger("factoryverse.engine.lua")

# Far beyond any honest command (the instruction budget is about a second of pure Lua), short enough that a client
# sees an answer long before a typical 30 s RCON timeout.
DEFAULT_WATCHDOG_SECONDS = 5.0


class WatchdogExpired(ScriptError):
    """Raised by Python API code that stops part-way because the running command or handler is past its deadline."""


class Watchdog:
    """One deadline at a time: set when the outermost command or handler starts, cleared when it ends."""

    def __init__(self, seconds: float | None = DEFAULT_WATCHDOG_SECONDS, *, clock: Callable[[], float] = time.monotonic):
        if seconds is not None and not (seconds > 0 and math.isfinite(seconds)):
            raise ValueError(f"the watchdog needs a positive number of seconds (or None to turn it off), not {seconds!r}")
        self.seconds = seconds
        self._clock = clock
        self._deadline = math.inf
        self._started = 0.0
        self._depth = 0
        self._what = ""
        self.tripped = False
        # Called once per aborted top-level call with its description; the engine logs it.
        self.on_abort: Callable[[str], None] | None = None

    @contextmanager
    def running(self, what: str) -> Iterator[None]:
        """Run a command or handler under the deadline; nested calls share the outermost one's deadline."""
        self.enter(what)
        try:
            yield
        finally:
            self.leave()

    # enter/leave are `running` without a generator, for the engine's per-tick handler calls.
    def enter(self, what: str) -> None:
        if self._depth == 0:
            self._started = self._clock()
            self._deadline = self._started + self.seconds if self.seconds is not None else math.inf
            self._what = what
            self.tripped = False
        self._depth += 1

    def leave(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._deadline = math.inf
            if self.tripped:
                self.tripped = False
                text = f"the wall-clock watchdog aborted {self._what} after {self._clock() - self._started:.2f} s"
                log.warning("%s", text)
                if self.on_abort is not None:
                    self.on_abort(text)

    def expired(self) -> bool:
        """True once the running call is past its deadline (and stays true until that call ends)."""
        if self._clock() > self._deadline:
            self.tripped = True
            return True
        return False

    def message(self) -> str:
        return (
            f"Wall-clock watchdog: {self._what} ran longer than {self.seconds:g} s and was aborted. This abort depends "
            "on the machine's speed, so it is outside the game's determinism (see docs/known-differences.md); make "
            "the work smaller or spread it over ticks."
        )

    def check(self) -> None:
        """For long Python API members: raise WatchdogExpired between units of work once past the deadline."""
        if self.expired():
            raise WatchdogExpired(self.message())
