"""Boxes, directions and grid snapping, in Factorio's coordinates (x east, y south, 16 directions)."""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["BBox", "rotate_box", "rotate_vector", "snap_to_grid", "footprint_tiles", "DIRECTION_VECTORS"]


class BBox(NamedTuple):
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: "BBox") -> bool:
        # Touching edges do not collide: a 2x2 machine fits exactly between two others.
        eps = 1e-6
        return (
            self.left < other.right - eps
            and other.left < self.right - eps
            and self.top < other.bottom - eps
            and other.top < self.bottom - eps
        )

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


def rotate_vector(vec: tuple[float, float], direction: int) -> tuple[float, float]:
    """Rotate a north-facing vector to one of the four cardinal directions (0 north, 4 east, 8 south, 12 west)."""
    x, y = vec
    quarter = (direction // 4) % 4
    for _ in range(quarter):
        x, y = -y, x
    return (x, y)


def rotate_box(box: BBox, direction: int) -> BBox:
    a = rotate_vector((box.left, box.top), direction)
    b = rotate_vector((box.right, box.bottom), direction)
    return BBox(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def footprint_tiles(box: BBox) -> tuple[int, int]:
    """Tiles an entity covers along x and y (a ±0.7 box covers 2)."""
    return (max(1, math.ceil(box.right - box.left - 1e-6)), max(1, math.ceil(box.bottom - box.top - 1e-6)))


def snap_to_grid(x: float, y: float, box: BBox) -> tuple[float, float]:
    """Where the game puts a grid-aligned entity asked for at (x, y): odd sizes on tile centres, even on corners."""
    w, h = footprint_tiles(box)
    # Halves round up (towards +inf) on both axes; Python's round() is half-to-even and would send 30.5 and 31.5
    # the opposite ways.
    sx = math.floor(x) + 0.5 if w % 2 else float(math.floor(x + 0.5))
    sy = math.floor(y) + 0.5 if h % 2 else float(math.floor(y + 0.5))
    return (sx, sy)


# Unit vectors for defines.direction values 0..15 (north = 0, clockwise).
DIRECTION_VECTORS = tuple(
    (round(math.sin(i * math.pi / 8), 12), round(-math.cos(i * math.pi / 8), 12)) for i in range(16)
)
