"""Charting: which chunks each force has on its map, and the requests that add them.

Nothing is charted until something charts it, as on a headless server: `LuaForce.chart` asks for an area (a
request, carried out over the next ticks, as the game's `is_chunk_requested_for_charting` and `cancel_charting`
show), and radars chart around themselves when a scan completes (kinds/radar.py). A character without a player
charts nothing (the game charts around players, and the engine has none). Every chart, first or again, raises
`on_chunk_charted` at the start of the next tick (events.py reads `world.pending_chart_events`).

Requests are kept in arrival order, one per (force, surface, chunk); each tick charts up to `CHARTED_PER_TICK` of
them, of which at most `GENERATED_PER_TICK` may need their chunk generated first, so a script charting a huge area
costs a bounded amount per tick and the same chunks are charted at the same tick in every run.
"""

from __future__ import annotations

import math
from itertools import islice
from typing import TYPE_CHECKING

from factoryverse.engine.world.mapgen import CHUNK_SIZE

if TYPE_CHECKING:
    from factoryverse.engine.world.force import Force
    from factoryverse.engine.world.surface import Surface
    from factoryverse.engine.world.world import World

__all__ = ["Charting", "CHARTED_PER_TICK", "GENERATED_PER_TICK", "chunks_in_area", "chart_now"]

CHARTED_PER_TICK = 32
GENERATED_PER_TICK = 4


def chunks_in_area(left: float, top: float, right: float, bottom: float) -> list[tuple[int, int]]:
    """The chunks an area touches, row by row; an area's right and bottom edges belong to the chunks before them."""
    cx0, cy0 = math.floor(left) // CHUNK_SIZE, math.floor(top) // CHUNK_SIZE
    cx1, cy1 = math.floor(right - 1e-9) // CHUNK_SIZE, math.floor(bottom - 1e-9) // CHUNK_SIZE
    return [(cx, cy) for cy in range(cy0, cy1 + 1) for cx in range(cx0, cx1 + 1)]


def chart_now(world: World, force: Force, surface: Surface, cx: int, cy: int) -> None:
    """Chart one chunk for `force` (generating it if needed): on its map from now, and on_chunk_charted next tick."""
    surface.ensure_chunk(cx, cy)
    force.charted.setdefault(surface.index, set()).add((cx, cy))
    world.pending_chart_events.append((force, surface, cx, cy))


class Charting:
    """The world's pending chart requests: (force name, surface index, cx, cy) in arrival order."""

    __slots__ = ("requests",)

    def __init__(self) -> None:
        self.requests: dict[tuple[str, int, int, int], None] = {}

    def request(self, force: Force, surface: Surface, chunks: list[tuple[int, int]]) -> None:
        for cx, cy in chunks:
            self.requests[(force.name, surface.index, cx, cy)] = None

    def is_requested(self, force: Force, surface: Surface, cx: int, cy: int) -> bool:
        return (force.name, surface.index, cx, cy) in self.requests

    def cancel(self, force: Force, surface: Surface | None) -> None:
        """Drop `force`'s requests on `surface` (every surface with None)."""
        for key in [k for k in self.requests if k[0] == force.name and (surface is None or k[1] == surface.index)]:
            del self.requests[key]

    def update(self, world: World) -> None:
        """This tick's share of the requests, oldest first; one past the tick's budget waits, keeping the order."""
        charted = generated = 0
        # Only the head of the queue is looked at: a huge request costs per tick what is charted, not what waits.
        for key in list(islice(self.requests, 2 * CHARTED_PER_TICK)):
            if charted >= CHARTED_PER_TICK:
                return
            name, index, cx, cy = key
            force = world.forces.get(name)
            surface = world.surface_by_index(index)
            if force is None or surface is None or not surface.valid:
                del self.requests[key]  # its force was merged away or its surface deleted
                continue
            if (cx, cy) not in surface.chunks:
                if generated >= GENERATED_PER_TICK:
                    return
                generated += 1
            del self.requests[key]
            chart_now(world, force, surface, cx, cy)
            charted += 1
