"""Item production statistics: what each force produced (crafted, mined, smelted) and consumed, per surface.

Machines and characters report through `World.record_production` / `World.record_consumption` at the tick the
items appear or are used up; `LuaFlowStatistics` (api) reads totals and per-window flows from here.
"""

from __future__ import annotations

__all__ = ["ItemFlowStatistics"]


class ItemFlowStatistics:
    """Totals and a per-tick log of one force's item flow on one surface.

    `input_counts` are what was produced (the game's "input" side of production statistics), `output_counts` what
    was consumed. `samples` keeps (tick, name, input delta, output delta) for the flow windows.
    """

    __slots__ = ("input_counts", "output_counts", "samples")

    def __init__(self) -> None:
        self.input_counts: dict[str, int] = {}
        self.output_counts: dict[str, int] = {}
        self.samples: list[tuple[int, str, int, int]] = []

    def produced(self, tick: int, name: str, count: int) -> None:
        self.input_counts[name] = self.input_counts.get(name, 0) + count
        self.samples.append((tick, name, count, 0))

    def consumed(self, tick: int, name: str, count: int) -> None:
        self.output_counts[name] = self.output_counts.get(name, 0) + count
        self.samples.append((tick, name, 0, count))
