"""A surface: generated chunks of tiles, and the entities on them indexed by chunk for area and collision queries."""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Iterator

from factoryverse.engine.world.entity import Entity, collision_layers
from factoryverse.engine.world.geometry import BBox
from factoryverse.engine.world.ids import next_oid
from factoryverse.engine.world.mapgen import CHUNK_SIZE, ChunkData, MapGenerator

__all__ = ["Surface", "Chunk", "CHUNK_SIZE"]

# Largest half-extent of any entity we place; area queries look this far into neighbouring chunks.
_MAX_HALF_EXTENT = 5.0


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

    def __init__(self, name: str, index: int, mapgen: MapGenerator, tiles: dict[str, dict[str, Any]]):
        self.oid = next_oid()
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
        self.tick_source: Callable[[], int] = lambda: 0

    # -- chunks and tiles -----------------------------------------------------------------------------------

    def ensure_chunk(self, cx: int, cy: int) -> Chunk:
        chunk = self.chunks.get((cx, cy))
        if chunk is None:
            data = self.mapgen.generate_chunk(cx, cy)
            chunk = Chunk(data, self.tick_source())
            self.chunks[(cx, cy)] = chunk
            if self.on_chunk_generated is not None:
                self.on_chunk_generated(self, chunk, data)
        return chunk

    def is_chunk_generated(self, cx: int, cy: int) -> bool:
        return (cx, cy) in self.chunks

    def tile_name(self, x: int, y: int) -> str:
        chunk = self.ensure_chunk(x // CHUNK_SIZE, y // CHUNK_SIZE)
        return chunk.tiles[(y - chunk.cy * CHUNK_SIZE) * CHUNK_SIZE + (x - chunk.cx * CHUNK_SIZE)]

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
        chunk = self.ensure_chunk(math.floor(entity.x) // CHUNK_SIZE, math.floor(entity.y) // CHUNK_SIZE)
        chunk.entities.append(entity)
        if entity.type == "resource":
            self.resources_at[(math.floor(entity.x), math.floor(entity.y))] = entity

    def remove(self, entity: Entity) -> None:
        chunk = self.chunks.get((math.floor(entity.x) // CHUNK_SIZE, math.floor(entity.y) // CHUNK_SIZE))
        if chunk is not None and entity in chunk.entities:
            chunk.entities.remove(entity)
        if entity.type == "resource":
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

    def entities_near(self, area: BBox) -> Iterator[Entity]:
        """Every entity whose chunk could hold something touching `area`, in creation order per chunk."""
        m = _MAX_HALF_EXTENT
        cx0 = math.floor(area.left - m) // CHUNK_SIZE
        cx1 = math.floor(area.right + m) // CHUNK_SIZE
        cy0 = math.floor(area.top - m) // CHUNK_SIZE
        cy1 = math.floor(area.bottom + m) // CHUNK_SIZE
        for cy in range(cy0, cy1 + 1):
            for cx in range(cx0, cx1 + 1):
                chunk = self.chunks.get((cx, cy))
                if chunk is not None:
                    yield from list(chunk.entities)

    def all_entities(self) -> Iterator[Entity]:
        for key in sorted(self.chunks):
            yield from list(self.chunks[key].entities)

    # -- collision ------------------------------------------------------------------------------------------

    def colliding(self, box: BBox, layers: frozenset[str], ignore: Iterable[Entity] = ()) -> list[Entity]:
        """Entities whose collision box overlaps `box` and whose mask shares a layer with `layers`."""
        ignored = {e.oid for e in ignore}
        out = []
        for e in self.entities_near(box):
            if e.oid in ignored or not e.valid or not (e.layers & layers):
                continue
            if e.bbox().overlaps(box):
                out.append(e)
        return out

    def blocking_tiles(self, box: BBox, layers: frozenset[str]) -> list[tuple[int, int, str]]:
        """Tiles under `box` whose collision mask shares a layer with `layers` (water for buildings)."""
        out = []
        for ty in range(math.floor(box.top + 1e-6), math.ceil(box.bottom - 1e-6)):
            for tx in range(math.floor(box.left + 1e-6), math.ceil(box.right - 1e-6)):
                name = self.tile_name(tx, ty)
                if self.tile_layers(name) & layers:
                    out.append((tx, ty, name))
        return out

    def tile_blocked_for(self, layers: frozenset[str]) -> Callable[[int, int], bool]:
        """A tile oracle for the pathfinder: blocked if its tile or any entity on it collides with `layers`."""
        cache: dict[tuple[int, int], bool] = {}

        def blocked(tx: int, ty: int) -> bool:
            key = (tx, ty)
            hit = cache.get(key)
            if hit is None:
                if (tx // CHUNK_SIZE, ty // CHUNK_SIZE) not in self.chunks:
                    # Paths stay on generated land: a search must not generate the world as it goes.
                    cache[key] = True
                    return True
                box = BBox(tx + 0.05, ty + 0.05, tx + 0.95, ty + 0.95)
                hit = bool(self.tile_layers(self.tile_name(tx, ty)) & layers) or bool(self.colliding(box, layers))
                cache[key] = hit
            return hit

        return blocked

    def __repr__(self) -> str:
        return f"<Surface {self.name}>"
