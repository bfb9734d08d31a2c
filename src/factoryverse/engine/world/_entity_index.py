"""Entities of a surface by name and by type, bucketed by chunk, so a search costs what it finds.

A full scan of a surface visits chunks in (cx, cy) order and each chunk's entities in the order they arrived there;
an area scan visits the chunks round the area in (cy, cx) order. The index gives the same entities in the same
order, but only those with the wanted names or types: each bucket is one chunk's entities of one key, in arrival
order, and entities of several keys in one chunk are merged by their arrival number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["EntityIndex", "ChunkKey"]

ChunkKey = tuple[int, int]


class EntityIndex:
    """key (a name or a type) -> chunk -> {oid: entity}, each bucket in arrival order."""

    __slots__ = ("_buckets", "_sorted", "_counts")

    def __init__(self) -> None:
        self._buckets: dict[str, dict[ChunkKey, dict[int, Entity]]] = {}
        # The chunks of a key in (cx, cy) order, made when first asked and dropped when its chunks change.
        self._sorted: dict[str, list[ChunkKey]] = {}
        self._counts: dict[str, int] = {}

    def add(self, key: str, chunk: ChunkKey, entity: Entity) -> None:
        per_chunk = self._buckets.get(key)
        if per_chunk is None:
            per_chunk = self._buckets[key] = {}
        bucket = per_chunk.get(chunk)
        if bucket is None:
            bucket = per_chunk[chunk] = {}
            self._sorted.pop(key, None)
        bucket[entity.oid] = entity
        self._counts[key] = self._counts.get(key, 0) + 1

    def insert(self, key: str, chunk: ChunkKey, entity: Entity, arrival: dict[int, int]) -> None:
        """Add an entity that arrived in its chunk before others of `key` there (one marked for deconstruction now):
        its bucket is put back in arrival order, which walks rely on."""
        self.add(key, chunk, entity)
        bucket = self._buckets[key][chunk]
        if len(bucket) > 1:
            ordered = sorted(bucket.values(), key=lambda e: arrival[e.oid])
            bucket.clear()
            bucket.update((e.oid, e) for e in ordered)

    def remove(self, key: str, chunk: ChunkKey, entity: Entity) -> None:
        per_chunk = self._buckets.get(key)
        bucket = per_chunk.get(chunk) if per_chunk is not None else None
        if bucket is None or bucket.pop(entity.oid, None) is None:
            return
        self._counts[key] -= 1
        if not bucket:
            del per_chunk[chunk]  # type: ignore[union-attr]
            self._sorted.pop(key, None)
            if not per_chunk:
                del self._buckets[key]
                del self._counts[key]

    def count(self, keys: Iterable[str]) -> int:
        """How many entities the keys hold together (the cost of walking them)."""
        return sum(self._counts.get(k, 0) for k in keys)

    def chunks(self, key: str) -> list[ChunkKey]:
        """The chunks holding entities of `key`, in (cx, cy) order."""
        found = self._sorted.get(key)
        if found is None:
            found = self._sorted[key] = sorted(self._buckets.get(key, ()))
        return found

    def buckets(self, keys: Iterable[str], chunk: ChunkKey) -> list[dict[int, Entity]]:
        out = []
        for k in keys:
            per_chunk = self._buckets.get(k)
            if per_chunk is not None:
                bucket = per_chunk.get(chunk)
                if bucket:
                    out.append(bucket)
        return out

    def walk(self, keys: list[str], chunks: Iterable[ChunkKey], arrival: dict[int, int]) -> Iterator[Entity]:
        """The entities of `keys` in `chunks`, chunk by chunk in the order given, each chunk's in arrival order."""
        for chunk in chunks:
            buckets = self.buckets(keys, chunk)
            if not buckets:
                continue
            if len(buckets) == 1:
                yield from list(buckets[0].values())
            else:
                yield from sorted((e for b in buckets for e in b.values()), key=lambda e: arrival[e.oid])

    def all_chunks(self, keys: list[str]) -> list[ChunkKey]:
        """The chunks holding entities of any of `keys`, in (cx, cy) order."""
        if len(keys) == 1:
            return self.chunks(keys[0])
        return sorted({c for k in keys for c in self.chunks(k)})
