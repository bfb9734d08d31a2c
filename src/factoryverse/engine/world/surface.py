"""A surface: generated chunks of tiles, and the entities on them indexed by chunk for area and collision queries."""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Iterator

from factoryverse.engine.world._entity_index import ChunkKey, EntityIndex
from factoryverse.engine.world.entity import Entity, collision_layers
from factoryverse.engine.world.geometry import BBox
from factoryverse.engine.world.ids import Oids
from factoryverse.engine.world.lab_tiles import lab_chunk
from factoryverse.engine.world.mapgen import CHUNK_SIZE, ChunkData, MapGenerator

__all__ = ["Surface", "Chunk", "CHUNK_SIZE", "OUT_OF_MAP", "MAX_REQUESTED_CHUNKS", "MARKED"]

# What the game reports for a tile in a chunk that is not generated; its collision mask blocks nearly everything.
OUT_OF_MAP = "out-of-map"

# Largest half-extent of any entity we place; area queries look this far into neighbouring chunks.
_MAX_HALF_EXTENT = 5.0

# Chunks waiting for generation per surface: a radius-63 request's worth, over four minutes of game time at one
# chunk a tick. A request that would queue more is refused rather than holding millions of positions.
MAX_REQUESTED_CHUNKS = 128 * 128

# The key of `Surface.by_mark`.
MARKED = "marked"


class Chunk:
    __slots__ = ("cx", "cy", "tiles", "entities", "generated_tick")

    def __init__(self, data: ChunkData, tick: int):
        self.cx = data.cx
        self.cy = data.cy
        self.tiles: list[str] = list(data.tiles)
        self.entities: list[Entity] = []
        self.generated_tick = tick


class Surface:
    lua_class = "LuaSurface"

    # LuaSurface.generate_with_lab_tiles: new chunks are lab floor (world/lab_tiles.py), not the map generator's.
    # A class default, so a save from before the member loads with it off.
    generate_with_lab_tiles = False

    def __init__(self, name: str, index: int, mapgen: MapGenerator, tiles: dict[str, dict[str, Any]], oids: Oids):
        # The game's id counter: the surface's entities take their ids from it (world/ids.py).
        self.oids = oids
        self.oid = oids()
        self.name = name
        self.index = index
        self.valid = True
        self.mapgen = mapgen
        self.tile_protos = tiles
        self.chunks: dict[tuple[int, int], Chunk] = {}
        self.resources_at: dict[tuple[int, int], Entity] = {}
        self._tile_layers: dict[str, frozenset[str]] = {}
        # Called with each new chunk so the engine can populate it (resources, trees) and raise events.
        self.on_chunk_generated: Callable[[Surface, Chunk, ChunkData], None] | None = None
        # Called with each entity move: Lua states keep the positions their mods read until the entity moves.
        self.on_entity_moved: Callable[[Entity], None] | None = None
        self.tick_source: Callable[[], int] = _no_tick
        # Chunks asked for by request_to_generate_chunks, in the order they will be generated (ordered dict as set).
        self.requested: dict[tuple[int, int], None] = {}
        # Entities by name and by type (world/_entity_index.py), kept by add/remove/move: searches by name or type
        # cost what they find. `_arrival` numbers each entity's arrival in its chunk, which is its place in the
        # chunk's list.
        self.by_name = EntityIndex()
        self.by_type = EntityIndex()
        # Entities marked for deconstruction, under the one key MARKED, for the `to_be_deconstructed` filter.
        self.by_mark = EntityIndex()
        self._arrival: dict[int, int] = {}
        self._arrivals = 0

    # -- chunks and tiles -----------------------------------------------------------------------------------

    def ensure_chunk(self, cx: int, cy: int) -> Chunk:
        chunk = self.chunks.get((cx, cy))
        if chunk is None:
            data = lab_chunk(cx, cy) if self.generate_with_lab_tiles else self.mapgen.generate_chunk(cx, cy)
            chunk = Chunk(data, self.tick_source())
            self.chunks[(cx, cy)] = chunk
            if self.on_chunk_generated is not None:
                self.on_chunk_generated(self, chunk, data)
        return chunk

    def is_chunk_generated(self, cx: int, cy: int) -> bool:
        return (cx, cy) in self.chunks

    def request_chunks(self, cx: int, cy: int, radius: int) -> int:
        """Queue the ungenerated chunks within `radius` chunks of (cx, cy), nearest first; returns how many were
        added. Raises ValueError, queueing nothing, when the queue would grow past MAX_REQUESTED_CHUNKS."""
        wanted = [
            (cx + dx, cy + dy)
            for dx in range(-radius, radius + 1)
            for dy in range(-radius, radius + 1)
            if (cx + dx, cy + dy) not in self.chunks and (cx + dx, cy + dy) not in self.requested
        ] if (2 * radius + 1) ** 2 <= MAX_REQUESTED_CHUNKS else None
        if wanted is None or len(self.requested) + len(wanted) > MAX_REQUESTED_CHUNKS:
            raise ValueError(
                f"radius {radius} would queue {(2 * radius + 1) ** 2} chunks on top of the {len(self.requested)} "
                f"waiting; the engine queues at most {MAX_REQUESTED_CHUNKS} (see docs/known-differences.md)"
            )
        wanted.sort(key=lambda k: (max(abs(k[0] - cx), abs(k[1] - cy)), k[1], k[0]))
        for key in wanted:
            self.requested[key] = None
        return len(wanted)

    def generate_requested(self, limit: int | None, between: Callable[[], None] | None = None) -> int:
        """Generate up to `limit` queued chunks (all of them for None), in queue order; `between` runs before each
        one and may raise to stop, leaving the rest queued. Returns how many were generated."""
        done = 0
        while self.requested and (limit is None or done < limit):
            key = next(iter(self.requested))
            if key in self.chunks:  # generated meanwhile by other means (an entity placed there, chart)
                del self.requested[key]
                continue
            if between is not None:
                between()
            del self.requested[key]
            self.ensure_chunk(*key)
            done += 1
        return done

    def tile_name(self, x: int, y: int) -> str:
        """The tile at (x, y), generating its chunk first; only for callers that may grow the map."""
        chunk = self.ensure_chunk(x // CHUNK_SIZE, y // CHUNK_SIZE)
        return chunk.tiles[(y - chunk.cy * CHUNK_SIZE) * CHUNK_SIZE + (x - chunk.cx * CHUNK_SIZE)]

    def tile_name_if_generated(self, x: int, y: int) -> str:
        """The tile at (x, y), or "out-of-map" where no chunk is generated, as the game reports it there.

        Queries must use this one: reading the world must not generate it.
        """
        chunk = self.chunks.get((x // CHUNK_SIZE, y // CHUNK_SIZE))
        if chunk is None:
            return OUT_OF_MAP
        return chunk.tiles[(y - chunk.cy * CHUNK_SIZE) * CHUNK_SIZE + (x - chunk.cx * CHUNK_SIZE)]

    def generated_tiles(self, left: int, top: int, right: int, bottom: int) -> Iterator[tuple[int, int, str]]:
        """(x, y, name) of the generated tiles in [left, right) x [top, bottom), row by row (y, then x).

        The work is bounded by the generated chunks the box touches, however large the box.
        """
        if right <= left or bottom <= top:
            return
        cx0, cx1 = left // CHUNK_SIZE, (right - 1) // CHUNK_SIZE
        cy0, cy1 = top // CHUNK_SIZE, (bottom - 1) // CHUNK_SIZE
        if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) <= len(self.chunks):
            keys = [(cx, cy) for cy in range(cy0, cy1 + 1) for cx in range(cx0, cx1 + 1) if (cx, cy) in self.chunks]
        else:
            keys = sorted((k for k in self.chunks if cx0 <= k[0] <= cx1 and cy0 <= k[1] <= cy1), key=lambda k: (k[1], k[0]))
        rows: dict[int, list[Chunk]] = {}
        for key in keys:
            rows.setdefault(key[1], []).append(self.chunks[key])
        for cy, chunks in rows.items():
            by = cy * CHUNK_SIZE
            for y in range(max(top, by), min(bottom, by + CHUNK_SIZE)):
                for chunk in chunks:
                    bx = chunk.cx * CHUNK_SIZE
                    row = (y - by) * CHUNK_SIZE - bx
                    tiles = chunk.tiles
                    for x in range(max(left, bx), min(right, bx + CHUNK_SIZE)):
                        yield (x, y, tiles[row + x])

    def generated_bounds(self) -> tuple[int, int, int, int] | None:
        """The tile box [left, right) x [top, bottom) round every generated chunk, or None before any."""
        if not self.chunks:
            return None
        xs = [k[0] for k in self.chunks]
        ys = [k[1] for k in self.chunks]
        return (min(xs) * CHUNK_SIZE, min(ys) * CHUNK_SIZE, (max(xs) + 1) * CHUNK_SIZE, (max(ys) + 1) * CHUNK_SIZE)

    def set_tile(self, x: int, y: int, name: str) -> None:
        chunk = self.ensure_chunk(x // CHUNK_SIZE, y // CHUNK_SIZE)
        chunk.tiles[(y - chunk.cy * CHUNK_SIZE) * CHUNK_SIZE + (x - chunk.cx * CHUNK_SIZE)] = name

    def tile_layers(self, name: str) -> frozenset[str]:
        layers = self._tile_layers.get(name)
        if layers is None:
            layers = collision_layers(self.tile_protos[name])
            self._tile_layers[name] = layers
        return layers

    # -- entities -------------------------------------------------------------------------------------------

    def add(self, entity: Entity) -> None:
        key = (math.floor(entity.x) // CHUNK_SIZE, math.floor(entity.y) // CHUNK_SIZE)
        chunk = self.ensure_chunk(*key)
        chunk.entities.append(entity)
        self._arrivals += 1
        self._arrival[entity.oid] = self._arrivals
        self.by_name.add(entity.name, key, entity)
        self.by_type.add(entity.type, key, entity)
        if entity.deconstruction is not None:
            self.by_mark.add(MARKED, key, entity)
        if entity.kind.tile_indexed:
            self.resources_at[(math.floor(entity.x), math.floor(entity.y))] = entity

    def remove(self, entity: Entity) -> None:
        key = (math.floor(entity.x) // CHUNK_SIZE, math.floor(entity.y) // CHUNK_SIZE)
        chunk = self.chunks.get(key)
        if chunk is not None and entity in chunk.entities:
            chunk.entities.remove(entity)
            self._arrival.pop(entity.oid, None)
            self.by_name.remove(entity.name, key, entity)
            self.by_type.remove(entity.type, key, entity)
            if entity.deconstruction is not None:
                self.by_mark.remove(MARKED, key, entity)
        if entity.kind.tile_indexed:
            key = (math.floor(entity.x), math.floor(entity.y))
            if self.resources_at.get(key) is entity:
                del self.resources_at[key]

    def move(self, entity: Entity, x: float, y: float) -> None:
        old = (math.floor(entity.x) // CHUNK_SIZE, math.floor(entity.y) // CHUNK_SIZE)
        new = (math.floor(x) // CHUNK_SIZE, math.floor(y) // CHUNK_SIZE)
        if old != new:
            self.remove(entity)
            entity.x, entity.y = x, y
            self.add(entity)
        else:
            entity.x, entity.y = x, y
        if self.on_entity_moved is not None:
            self.on_entity_moved(entity)

    def entities_near(self, area: BBox) -> Iterator[Entity]:
        """Every entity whose chunk could hold something touching `area`, in creation order per chunk."""
        for chunk in self._chunks_near(area):
            yield from list(chunk.entities)

    def entities_with(self, index: EntityIndex, keys: list[str], area: BBox | None) -> Iterator[Entity]:
        """The entities whose name (index=by_name) or type (by_type) is one of `keys`, in the order all_entities
        (area None) or entities_near(area) would give them, visiting only chunks that hold some."""
        if area is None:
            chunks: list[ChunkKey] = index.all_chunks(keys)
        else:
            cx0, cy0, cx1, cy1 = self._chunk_range(area)
            if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) <= len(index.all_chunks(keys)):
                chunks = [(cx, cy) for cy in range(cy0, cy1 + 1) for cx in range(cx0, cx1 + 1)]
            else:
                chunks = sorted(
                    (c for c in index.all_chunks(keys) if cx0 <= c[0] <= cx1 and cy0 <= c[1] <= cy1),
                    key=lambda c: (c[1], c[0]),
                )
        return index.walk(keys, chunks, self._arrival)

    @staticmethod
    def _chunk_range(area: BBox) -> tuple[int, int, int, int]:
        m = _MAX_HALF_EXTENT
        return (
            math.floor(area.left - m) // CHUNK_SIZE,
            math.floor(area.top - m) // CHUNK_SIZE,
            math.floor(area.right + m) // CHUNK_SIZE,
            math.floor(area.bottom + m) // CHUNK_SIZE,
        )

    def _chunks_near(self, area: BBox) -> list[Chunk]:
        """Generated chunks that can hold an entity touching `area`, in (cy, cx) order."""
        cx0, cy0, cx1, cy1 = self._chunk_range(area)
        out = []
        for cy in range(cy0, cy1 + 1):
            for cx in range(cx0, cx1 + 1):
                chunk = self.chunks.get((cx, cy))
                if chunk is not None:
                    out.append(chunk)
        return out

    def all_entities(self) -> Iterator[Entity]:
        for key in sorted(self.chunks):
            yield from list(self.chunks[key].entities)

    # -- collision ------------------------------------------------------------------------------------------

    def colliding(self, box: BBox, layers: frozenset[str], ignore: Iterable[Entity] = ()) -> list[Entity]:
        """Entities whose collision box overlaps `box` and whose mask shares a layer with `layers`."""
        ignored = {e.oid for e in ignore}
        out = []
        # The same test as BBox.overlaps, inlined: placement searches call this thousands of times per request.
        left, top, right, bottom = box.left + 1e-6, box.top + 1e-6, box.right - 1e-6, box.bottom - 1e-6
        for chunk in self._chunks_near(box):
            for e in chunk.entities:
                x, y, b = e.x, e.y, e.box
                if x + b.left >= right or left >= x + b.right or y + b.top >= bottom or top >= y + b.bottom:
                    continue
                if e.oid in ignored or not e.valid or not (e.layers & layers):
                    continue
                out.append(e)
        return out

    def blocking_tiles(self, box: BBox, layers: frozenset[str]) -> list[tuple[int, int, str]]:
        """Tiles under `box` whose collision mask shares a layer with `layers` (water for buildings).

        Ungenerated land counts as "out-of-map" tiles, which block what their mask collides with, and stays
        ungenerated: checking a placement must not grow the map.
        """
        out = []
        for ty in range(math.floor(box.top + 1e-6), math.ceil(box.bottom - 1e-6)):
            for tx in range(math.floor(box.left + 1e-6), math.ceil(box.right - 1e-6)):
                name = self.tile_name_if_generated(tx, ty)
                if self.tile_layers(name) & layers:
                    out.append((tx, ty, name))
        return out

    def tile_blocked_for(self, layers: frozenset[str], ignore: Iterable[Entity] = ()) -> Callable[[int, int], bool]:
        """A tile oracle for the pathfinder: blocked if its tile or any entity on it (but `ignore`) collides with
        `layers`."""
        cache: dict[tuple[int, int], bool] = {}
        ignored = tuple(ignore)

        def blocked(tx: int, ty: int) -> bool:
            key = (tx, ty)
            hit = cache.get(key)
            if hit is None:
                if (tx // CHUNK_SIZE, ty // CHUNK_SIZE) not in self.chunks:
                    # Paths stay on generated land: a search must not generate the world as it goes.
                    cache[key] = True
                    return True
                box = BBox(tx + 0.05, ty + 0.05, tx + 0.95, ty + 0.95)
                hit = bool(self.tile_layers(self.tile_name_if_generated(tx, ty)) & layers) or bool(
                    self.colliding(box, layers, ignored)
                )
                cache[key] = hit
            return hit

        return blocked

    def __repr__(self) -> str:
        return f"<Surface {self.name}>"


def _no_tick() -> int:
    return 0  # a surface outside a world (tests): chunks are generated at tick 0
