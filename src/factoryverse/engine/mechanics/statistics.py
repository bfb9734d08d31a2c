"""Item production statistics: what each force produced (crafted, mined, smelted) and consumed, per surface.

Machines and characters report through `World.record_production` / `World.record_consumption` at the tick the
items appear or are used up; `LuaFlowStatistics` (api/flow_statistics.py) reads totals and per-window flows here.

The game keeps, per precision (`defines.flow_precision_index`), 300 samples covering its window: five seconds of
1-tick samples, a minute of 12-tick ones, ... a thousand hours of 720,000-tick ones. So does this module, sparsely:
per item and precision, a dict of sample number (tick // sample length) -> count, holding only non-zero samples that
a read can still reach. Memory is bounded by 300 samples per item, precision and side, whatever the game's length,
and a record costs one dict update per precision. Reads are pure functions of the tick, so reading never changes
the state (nor the state hash).
"""

from __future__ import annotations

__all__ = ["ItemFlowStatistics", "PRECISIONS", "SAMPLES", "FlowSide", "add_span", "sample_length"]

# defines.flow_precision_index names, in the enum's order, with each window's length in ticks.
PRECISIONS: tuple[tuple[str, int], ...] = (
    ("five_seconds", 5 * 60),
    ("one_minute", 60 * 60),
    ("ten_minutes", 10 * 60 * 60),
    ("one_hour", 60 * 60 * 60),
    ("ten_hours", 10 * 60 * 60 * 60),
    ("fifty_hours", 50 * 60 * 60 * 60),
    ("two_hundred_fifty_hours", 250 * 60 * 60 * 60),
    ("one_thousand_hours", 1000 * 60 * 60 * 60),
)
# Samples per precision, as the API documents ("Each precision level contains 300 samples of data").
SAMPLES = 300
_LENGTHS = tuple(window // SAMPLES for _, window in PRECISIONS)


class FlowSide:
    """One side (input or output) of a flow statistics: totals and, per item and precision, recent samples."""

    __slots__ = ("totals", "samples")

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        # item -> one dict per precision: sample number -> count in that sample
        self.samples: dict[str, list[dict[int, float]]] = {}

    def add(self, tick: int, name: str, count: float) -> None:
        total = self.totals.get(name, 0) + count
        self.totals[name] = int(total) if isinstance(total, float) and total.is_integer() else total
        per = self.samples.get(name)
        if per is None:
            per = self.samples[name] = [{} for _ in _LENGTHS]
        for ring, length in zip(per, _LENGTHS):
            n = tick // length
            ring[n] = ring.get(n, 0) + count
            # Keys arrive in increasing order (time only goes forward), so the oldest is first: drop those no read
            # from this tick on can reach (a read at tick t sees samples t // length - 300 .. t // length - 1).
            while True:
                oldest = next(iter(ring))
                if oldest >= n - SAMPLES:
                    break
                del ring[oldest]

    def set_total(self, name: str, count: float) -> None:
        self.totals[name] = count

    def flow(self, tick: int, name: str, precision: int, sample: int | None) -> float:
        """Items counted in the window of `precision` (0-based) that ends before the sample being filled at `tick`,
        or in its `sample`-th most recent sample (1..300)."""
        per = self.samples.get(name)
        if per is None:
            return 0
        ring = per[precision]
        current = tick // _LENGTHS[precision]
        if sample is not None:
            return ring.get(current - sample, 0)
        first = current - SAMPLES
        return sum(c for n, c in ring.items() if first <= n < current)

    def clear(self) -> None:
        self.totals.clear()
        self.samples.clear()

    def merge(self, other: FlowSide) -> None:
        """Add another side's totals and samples to this one (two electric networks joining keep both histories)."""
        for name, count in other.totals.items():
            self.totals[name] = self.totals.get(name, 0) + count
        for name, rings in other.samples.items():
            mine = self.samples.get(name)
            if mine is None:
                self.samples[name] = [dict(r) for r in rings]
                continue
            for ring, theirs in zip(mine, rings):
                for n, count in theirs.items():
                    ring[n] = ring.get(n, 0) + count
                # Keep the oldest-first order add() relies on when it drops samples.
                if theirs:
                    ordered = sorted(ring.items())
                    ring.clear()
                    ring.update(ordered)


def add_span(side: FlowSide, name: str, t0: int, t1: int, rate: float) -> None:
    """Add `rate` per tick over ticks [t0, t1) to a statistics side, spread over the samples it covers (only the
    300 a read can still reach, per precision). Flows that are constant between events (fluids, electricity) are
    recorded this way when their rate changes instead of every tick."""
    if t1 <= t0 or not rate:
        return
    total = side.totals.get(name, 0) + rate * (t1 - t0)
    side.totals[name] = total
    per = side.samples.get(name)
    if per is None:
        per = side.samples[name] = [{} for _ in _LENGTHS]
    for ring, length in zip(per, _LENGTHS):
        last = (t1 - 1) // length
        first = max(t0 // length, last - SAMPLES)
        get = ring.get
        # Only the first and last samples can be partly covered; those between take a whole sample each (a long
        # stretch covers all 300 of the finest precision, so this loop is the cost of a record).
        for n in (first,) if first == last else (first, *range(first + 1, last), last):
            part = length if first < n < last else min(t1, (n + 1) * length) - max(t0, n * length)
            if part > 0:
                ring[n] = get(n, 0) + rate * part
        # Samples no read can reach any more (a read sees the 300 before its tick's): dropped once they are as many
        # as those kept, so the scan is rare.
        if len(ring) > 2 * SAMPLES + 2:
            for old in [k for k in ring if k < last - SAMPLES]:
                del ring[old]


class ItemFlowStatistics:
    """One force's item flow on one surface.

    `input` is what was produced (the game's "input" side of production statistics), `output` what was consumed.
    """

    __slots__ = ("input", "output")

    def __init__(self) -> None:
        self.input = FlowSide()
        self.output = FlowSide()

    @property
    def input_counts(self) -> dict[str, float]:
        return self.input.totals

    @property
    def output_counts(self) -> dict[str, float]:
        return self.output.totals

    def produced(self, tick: int, name: str, count: float) -> None:
        self.input.add(tick, name, count)

    def consumed(self, tick: int, name: str, count: float) -> None:
        self.output.add(tick, name, count)

    def clear(self) -> None:
        self.input.clear()
        self.output.clear()


def sample_length(precision: int) -> int:
    """Ticks per sample of a precision (0-based index into PRECISIONS)."""
    return _LENGTHS[precision]
