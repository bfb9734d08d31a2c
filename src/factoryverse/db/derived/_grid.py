"""Patches of tiles on the integer grid: connected components, rebuilt whole or around a few changed tiles.

Tiles are merged into horizontal runs first (a run is always connected), so union-find works on runs
instead of tiles and a patch's outline is the union of run rectangles rather than of unit squares.

A local update finds the patches a change can touch by closing over bounding boxes: starting from the
changed tiles (grown by one tile, the reach of adjacency), every stored patch whose bbox meets the region
joins it, with its bbox, until nothing new joins. Then every tile inside the region belongs to a patch that
is recomputed, and no tile outside it can be adjacent to one that changed, so recomputing the region's
tiles gives exactly what a full rebuild gives there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["CHUNK_SIZE", "Rect", "find", "components", "merge_rects", "close_region"]

# Factorio's chunk side in tiles. Kept here rather than imported from the loader's modules: the schema module
# imports this package while it is itself being imported.
CHUNK_SIZE = 32

# Inclusive tile ranges (x0, y0, x1, y1).
Rect = tuple[int, int, int, int]


def find(parent: list[int], i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression keeps later finds O(1)
        parent[i], i = root, parent[i]
    return root


def components(runs: Sequence[tuple], *, diagonal: bool) -> list[int]:
    """Component index (0..) per run; runs are (group, y, x0, x1, ...) sorted by (group, y, x0).

    `diagonal`: 8-connected (tiles touching at a corner join) rather than 4-connected.
    """
    reach = 1 if diagonal else 0
    parent = list(range(len(runs)))
    prev_start = prev_end = 0  # the previous row's runs of the same group: runs[prev_start:prev_end]
    row_start = 0
    for i, run in enumerate(runs):
        group, y, x0, x1 = run[0], run[1], run[2], run[3]
        if i == 0 or runs[i - 1][0] != group or runs[i - 1][1] != y:
            before = runs[row_start] if i else None
            if before is not None and before[0] == group and before[1] == y - 1:
                prev_start, prev_end = row_start, i
            else:
                prev_start = prev_end = i
            row_start = i
        # Both rows are sorted by x, so runs left of this one can be skipped for good.
        while prev_start < prev_end and runs[prev_start][3] < x0 - reach:
            prev_start += 1
        j = prev_start
        while j < prev_end and runs[j][2] <= x1 + reach:
            a, b = find(parent, i), find(parent, j)
            if a != b:
                parent[max(a, b)] = min(a, b)
            j += 1
    roots: dict[int, int] = {}
    return [roots.setdefault(find(parent, i), len(roots)) for i in range(len(runs))]


def _meets(a: Rect, b: Rect) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def merge_rects(rects: Iterable[Rect]) -> list[Rect]:
    """Overlapping rectangles replaced by their bounding box until none overlap (covers at least the input)."""
    out: list[Rect] = []
    for r in rects:
        merged = True
        while merged:
            merged = False
            for i, o in enumerate(out):
                if _meets(r, o):
                    r = (min(r[0], o[0]), min(r[1], o[1]), max(r[2], o[2]), max(r[3], o[3]))
                    out.pop(i)
                    merged = True
                    break
        out.append(r)
    return out


def close_region(seeds: Iterable[Rect], patches: Sequence[tuple[int, Rect]]) -> tuple[list[Rect], set[int]]:
    """The region (disjoint rects) and the ids of the patches whose bbox meets it, closed under that rule.

    `patches` are (patch_id, bbox as an inclusive tile Rect) of one group.
    """
    region = merge_rects(seeds)
    touched: set[int] = set()
    while True:
        new = [(pid, box) for pid, box in patches if pid not in touched and any(_meets(box, r) for r in region)]
        if not new:
            return region, touched
        touched.update(pid for pid, _ in new)
        region = merge_rects([*region, *(box for _, box in new)])
