"""Errors of mods' handlers: the recent ones kept, repeats counted and summarised instead of logged one by one.

A handler that fails on every tick would otherwise add 60 entries and 60 log lines a second for as long as the game
runs. Each distinct failure (same script, same handler, same first line once numbers are masked) is logged in full
the first time; further repeats are counted and logged as one summary line per period of game time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ModErrors", "KEPT_ERRORS", "SUMMARY_TICKS"]

# Enough to see what went wrong and how it evolved; a test asserting `mod_errors == []` still sees the first one.
KEPT_ERRORS = 100
# One game minute.
SUMMARY_TICKS = 3600
# Distinct failures tracked per period; past it, new ones of the same handler share one count.
_MAX_KEYS = 256

_NUMBERS = re.compile(r"\d+")


@dataclass
class _Repeat:
    label: str
    suppressed: int = 0
    seen_this_period: bool = True
    last: str = ""


class ModErrors:
    def __init__(self, *, kept: int = KEPT_ERRORS, summary_ticks: int = SUMMARY_TICKS):
        self.kept = kept
        self.summary_ticks = summary_ticks
        self.recent: list[str] = []  # the newest `kept` errors, oldest first
        self.total = 0
        self._repeats: dict[tuple[str, str, str], _Repeat] = {}

    def record(self, owner: str, what: str, text: str) -> bool:
        """Keep `text`; True if it should be logged now (its first occurrence in this period or ever)."""
        self.total += 1
        self.recent.append(text)
        if len(self.recent) > self.kept:
            del self.recent[: len(self.recent) - self.kept]
        first_line = text.split("\n", 1)[0]
        key = (owner, what, _NUMBERS.sub("#", first_line))
        if key not in self._repeats and len(self._repeats) >= _MAX_KEYS:
            key = (owner, what, "*")
        repeat = self._repeats.get(key)
        if repeat is None:
            self._repeats[key] = _Repeat(label=f"{owner} while running {what}")
            return True
        repeat.suppressed += 1
        repeat.seen_this_period = True
        repeat.last = first_line
        return False

    def summarise(self) -> list[str]:
        """Summary lines for the repeats of the period now ending; failures that stopped are forgotten, so if they
        come back they are logged in full again."""
        lines = []
        for key, repeat in list(self._repeats.items()):
            if repeat.suppressed:
                lines.append(
                    f"Error in {repeat.label} repeated {repeat.suppressed} more times in the last "
                    f"{self.summary_ticks} ticks (last: {repeat.last})"
                )
                repeat.suppressed = 0
            if not repeat.seen_this_period:
                del self._repeats[key]
            else:
                repeat.seen_this_period = False
        return lines
