"""Arithmetic the rate tests share: periods in whole ticks and rates from the prototype values the server gave."""

from __future__ import annotations

MINUTE = 3600  # ticks: rates are measured over at least a game minute


def whole_ticks(seconds: float, why: str) -> int:
    """A duration in ticks, which must be whole for an output every that many ticks."""
    ticks = seconds * 60
    assert abs(ticks - round(ticks)) < 1e-6, f"{why}: {ticks} ticks is not a whole number"
    return round(ticks)


def every(start: int, period: int, until: int) -> list[int]:
    """start + period, start + 2 * period, ... up to the first at or past `until`."""
    ticks = [start + period]
    while ticks[-1] < until:
        ticks.append(ticks[-1] + period)
    return ticks


def rate(outputs: int, start: int, end: int) -> float:
    """Outputs per second between two ticks."""
    return outputs / ((end - start) / 60)


def fuel_take_ticks(start: int, per_tick: float, fuel_joules: float, until: int) -> list[int]:
    """The ticks (as seen from the console) at which a machine working every tick from `start` takes a fuel item:
    one as it starts, then whenever what is left burning cannot pay for a tick's `per_tick` joules."""
    remaining, ticks, t = 0.0, [], start
    while not ticks or ticks[-1] < until:
        while remaining < per_tick - 1e-9:
            remaining += fuel_joules
            ticks.append(t + 1)  # taken in the update of tick t, seen once it has run
        remaining -= per_tick
        t += 1
    return ticks
