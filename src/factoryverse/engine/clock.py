"""The game clock: LuaGameScript's `tick_paused`, `ticks_to_run` and `speed`, and which updates run a tick.

Factorio's documented semantics (LuaGameScript, runtime API 2.0/2.1):
- `tick_paused` (boolean, RW): entity update is paused; `game.tick` stands still while commands still run.
- `ticks_to_run` (uint32, RW): "when tick_paused is true ... while this is > 0, the entity update is running
  normally and this value is decremented every tick. When this reaches 0, the game will pause again." On a game
  that is not tick-paused it is only stored: nothing decrements it, and the ticks run once the game is paused.
- `speed` (float, RW): 1.0 is 60 UPS; the minimum is 0.01. A `float` is 32 bits in the game, so the value read
  back is the nearest single-precision number (0.3 reads 0.30000001192092896, as in the game).

The server's loop (server/instance.py) asks `take_tick()` once per update; in-process callers of Engine.step()
drive the ticks themselves.
"""

from __future__ import annotations

import math
import struct

from factoryverse.engine.errors import ScriptError

__all__ = ["GameClock", "MIN_SPEED", "MAX_TICKS_TO_RUN", "to_float32"]

MIN_SPEED = 0.01
MAX_TICKS_TO_RUN = 2**32 - 1  # uint32


def to_float32(value: float) -> float:
    """The nearest single-precision float, as the game stores a `float` property; OverflowError past its range."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class GameClock:
    __slots__ = ("tick_paused", "ticks_to_run", "speed")

    def __init__(self) -> None:
        self.tick_paused = False
        self.ticks_to_run = 0
        self.speed = 1.0

    def set_tick_paused(self, value: object) -> None:
        if not isinstance(value, bool):
            raise ScriptError(f"game.tick_paused must be a boolean, got {_describe(value)}")
        self.tick_paused = value

    def set_ticks_to_run(self, value: object) -> None:
        if not _is_number(value) or not math.isfinite(value) or value != int(value):  # type: ignore[arg-type]
            raise ScriptError(f"game.ticks_to_run must be a whole number from 0 to {MAX_TICKS_TO_RUN}, got {_describe(value)}")
        n = int(value)  # type: ignore[arg-type]
        if not 0 <= n <= MAX_TICKS_TO_RUN:
            raise ScriptError(f"game.ticks_to_run must be from 0 to {MAX_TICKS_TO_RUN} (a uint32), got {n}")
        self.ticks_to_run = n

    def set_speed(self, value: object) -> None:
        if not _is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
            raise ScriptError(f"game.speed must be a finite number of at least {MIN_SPEED}, got {_describe(value)}")
        if value < MIN_SPEED:  # type: ignore[operator]
            raise ScriptError(f"game.speed must be at least {MIN_SPEED} (1.0 is 60 UPS), got {value}")
        try:
            self.speed = to_float32(float(value))  # type: ignore[arg-type]
        except OverflowError:
            raise ScriptError(f"game.speed {value} is out of range for a float (at most about 3.4e38)") from None

    def can_tick(self) -> bool:
        """Whether the next update runs a tick."""
        return not self.tick_paused or self.ticks_to_run > 0

    def take_tick(self) -> bool:
        """Account for one update: True if it runs a tick (using up one of `ticks_to_run` on a paused game)."""
        if not self.tick_paused:
            return True
        if self.ticks_to_run <= 0:
            return False
        # Taken before the tick runs, so the last stepped tick's handlers read 0, and a handler that sets
        # ticks_to_run during a stepped tick sets what is left after it.
        self.ticks_to_run -= 1
        return True


def _describe(value: object) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"string {value!r}"
    if _is_number(value):
        return repr(value)
    if isinstance(value, (dict, list)):
        return "a table"
    return type(value).__name__
