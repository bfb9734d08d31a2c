"""A surface's day-night cycle and the solar intensity it gives, as LuaSurface describes them.

`daytime` runs from 0 (noon) to 1 over `ticks_per_day`; the light falls linearly from `dusk` to `evening`, it is
dark until `morning` and rises linearly until `dawn`. Solar panels give `production` times that intensity (and
the surface's `solar_power_multiplier`).

The engine steps the ramps: each is cut into `STEPS` equal parts, and during a part the intensity is its value at
the part's middle (its mean, the ramp being linear), so a day's solar energy is the game's while a network is
solved only at the `2 * STEPS + 2` changes of a day (docs/known-differences.md, "Solar panels").
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["DayCycle", "STEPS", "DEFAULT_TICKS_PER_DAY"]

STEPS = 20
DEFAULT_TICKS_PER_DAY = 25000
# A daytime this close below a step boundary counts as past it, so a boundary's own tick is in the next step.
_EDGE = 1e-9


class DayCycle:
    """`daytime` is `daytime0` at tick `tick0` and advances 1 / ticks_per_day per tick unless frozen."""

    __slots__ = ("ticks_per_day", "daytime0", "tick0", "frozen", "always_day", "dusk", "evening", "morning", "dawn",
                 "solar_multiplier", "min_brightness")

    def __init__(self, ticks_per_day: int):
        self.ticks_per_day = ticks_per_day
        self.daytime0 = 0.0
        self.tick0 = 0
        self.frozen = False
        self.always_day = False
        # LuaSurface's defaults.
        self.dusk, self.evening, self.morning, self.dawn = 0.25, 0.45, 0.55, 0.75
        self.solar_multiplier = 1.0
        self.min_brightness = 0.15

    # -- the clock ------------------------------------------------------------------------------------------

    def _unwrapped(self, tick: int) -> float:
        if self.frozen:
            return self.daytime0
        return self.daytime0 + (tick - self.tick0) / self.ticks_per_day

    def daytime(self, tick: int) -> float:
        return self._unwrapped(tick) % 1.0

    def set_daytime(self, tick: int, value: float) -> None:
        self.daytime0, self.tick0 = value % 1.0 if value != 1.0 else 1.0, tick

    def reanchor(self, tick: int) -> None:
        """Keep today's daytime while a rate or freeze changes from `tick` on."""
        self.daytime0, self.tick0 = self.daytime(tick), tick

    # -- light --------------------------------------------------------------------------------------------------

    def intensity_at(self, d: float) -> float:
        """The exact solar intensity at daytime `d` (0..1)."""
        if self.always_day:
            return 1.0
        if d <= self.dusk or d >= self.dawn:
            return 1.0
        if d < self.evening:
            return 1.0 - (d - self.dusk) / (self.evening - self.dusk)
        if d <= self.morning:
            return 0.0
        return (d - self.morning) / (self.dawn - self.morning)

    def _boundaries(self) -> list[float]:
        out = [0.0, self.dusk]
        for a, b in ((self.dusk, self.evening), (self.morning, self.dawn)):
            out.extend(a + (b - a) * k / STEPS for k in range(1, STEPS))
            out.append(b)
            if b == self.evening:
                out.append(self.morning)
        out.append(1.0)
        return sorted(set(min(1.0, max(0.0, b)) for b in out))

    def _segment(self, tick: int) -> tuple[float, float, float]:
        """(start, end, unwrapped day start) of the step holding `tick`."""
        u = self._unwrapped(tick) + _EDGE
        day = math.floor(u)
        d = u - day
        bounds = self._boundaries()
        for a, b in zip(bounds, bounds[1:]):
            if a <= d < b:
                return a, b, day
        return bounds[-2], bounds[-1], day

    def stepped_intensity(self, tick: int) -> float:
        """The intensity the engine uses at `tick`: the exact one at the middle of its step."""
        if self.always_day:
            return 1.0
        a, b, _ = self._segment(tick)
        return self.intensity_at((a + b) / 2)

    def next_step(self, tick: int) -> int | None:
        """The first tick after `tick` in another step (None while frozen or always day)."""
        if self.frozen or self.always_day:
            return None
        _, b, day = self._segment(tick)
        t = self.tick0 + math.ceil((day + b - self.daytime0 - _EDGE) * self.ticks_per_day)
        return max(t, tick + 1)


def day_cycle_for(protos: Any, surface_name: str) -> DayCycle:
    """A new surface's cycle: a planet's surfaces take its `day-night-cycle` surface property."""
    planet = (protos.raw.get("planet") or {}).get(surface_name) or {}
    ticks = (planet.get("surface_properties") or {}).get("day-night-cycle", DEFAULT_TICKS_PER_DAY)
    cycle = DayCycle(int(ticks))
    solar = (planet.get("surface_properties") or {}).get("solar-power")
    if solar is not None:
        cycle.solar_multiplier = float(solar) / 100.0
    return cycle
