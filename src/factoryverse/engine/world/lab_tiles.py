"""Chunks of lab tiles, what a surface with `generate_with_lab_tiles` makes instead of running its map generator.

The game's lab floor alternates its two tiles like a checkerboard and holds nothing else: no resources, trees, rocks
or enemies. Which tile sits where is the engine's choice (docs/known-differences.md); both are plain floor.
"""

from __future__ import annotations

from factoryverse.engine.world.mapgen import CHUNK_SIZE, ChunkData

__all__ = ["LAB_TILES", "lab_chunk"]

LAB_TILES = ("lab-dark-1", "lab-dark-2")

# A chunk's tiles depend only on the parity of its corner (CHUNK_SIZE is even), so two tuples serve every chunk.
_ROWS = {
    parity: tuple(LAB_TILES[(x + y + parity) % 2] for y in range(CHUNK_SIZE) for x in range(CHUNK_SIZE))
    for parity in (0, 1)
}


def lab_chunk(cx: int, cy: int) -> ChunkData:
    """The chunk at (cx, cy) as lab floor: tile (x, y) is lab-dark-1 where x + y is even, lab-dark-2 elsewhere."""
    return ChunkData(cx, cy, _ROWS[(cx + cy) * CHUNK_SIZE % 2], (), ())
