"""Deterministic chunk generation: same seed same map, and Factorio's starting-area promises hold."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import pytest

from factoryverse.engine.prototypes import load_prototypes
from factoryverse.engine.world.mapgen import (
    CHUNK_SIZE, LAND_TILES, RESOURCES, ROCKS, TREES, WATER_TILES, ChunkData, MapGenError, MapGenerator,
    MapGenSettings,
)

START_CHUNKS = range(-2, 2)  # tiles -64..63: starting patches lie within 45 tiles and reach < 15 beyond
SEEDS = range(10)


def _generate(gen: MapGenerator, chunks) -> dict[tuple[int, int], ChunkData]:
    return {(cx, cy): gen.generate_chunk(cx, cy) for cx, cy in chunks}


class _Map:
    """Chunks flattened to tile, ore and decorative lookups."""

    def __init__(self, chunks: dict[tuple[int, int], ChunkData]):
        self.tiles: dict[tuple[int, int], str] = {}
        self.ores: dict[tuple[int, int], tuple[str, int]] = {}
        self.decoratives: list[tuple[str, float, float]] = []
        for (cx, cy), chunk in chunks.items():
            for k, name in enumerate(chunk.tiles):
                self.tiles[(cx * CHUNK_SIZE + k % CHUNK_SIZE, cy * CHUNK_SIZE + k // CHUNK_SIZE)] = name
            for name, x, y, amount in chunk.resources:
                assert (x, y) not in self.ores, f"two resources on tile {(x, y)}"
                self.ores[(x, y)] = (name, amount)
            self.decoratives.extend(chunk.decoratives)


@pytest.fixture(scope="module")
def start_maps() -> dict[int, _Map]:
    return {seed: _Map(_generate(MapGenerator(seed), [(cx, cy) for cx in START_CHUNKS for cy in START_CHUNKS]))
            for seed in SEEDS}


def _collision_box(name: str) -> tuple[float, float, float, float]:
    raw = load_prototypes().raw
    proto = raw["tree"].get(name) or raw["simple-entity"][name]
    (l, t), (r, b) = proto["collision_box"]
    return l, t, r, b


def _components(tiles: set[tuple[int, int]]) -> list[set[tuple[int, int]]]:
    seen: set[tuple[int, int]] = set()
    out = []
    for tile in sorted(tiles):
        if tile in seen:
            continue
        comp, stack = set(), [tile]
        seen.add(tile)
        while stack:
            x, y = stack.pop()
            comp.add((x, y))
            for n in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if n in tiles and n not in seen:
                    seen.add(n)
                    stack.append(n)
        out.append(comp)
    return out


# -- determinism --------------------------------------------------------------------------------------------

def test_same_seed_same_chunks_in_any_generation_order():
    coords = [(cx, cy) for cx in range(-2, 2) for cy in range(-2, 2)]
    in_order = _generate(MapGenerator(7), coords)
    shuffled = coords[:]
    random.Random(3).shuffle(shuffled)
    gen = MapGenerator(7)
    out_of_order = {c: gen.generate_chunk(*c) for c in shuffled}
    assert out_of_order == in_order
    # A chunk made alone, with none of its neighbours, is the same chunk too.
    assert MapGenerator(7).generate_chunk(1, -2) == in_order[(1, -2)]


def test_different_seeds_make_different_maps():
    coords = [(cx, cy) for cx in range(-1, 1) for cy in range(-1, 1)]
    a, b = _generate(MapGenerator(1), coords), _generate(MapGenerator(2), coords)
    assert [a[c].tiles for c in coords] != [b[c].tiles for c in coords]
    assert [a[c].decoratives for c in coords] != [b[c].decoratives for c in coords]
    assert MapGenerator(1).starting_patches != MapGenerator(2).starting_patches


def test_chunk_layout_is_row_major():
    chunk = MapGenerator(4).generate_chunk(-3, 2)
    assert (chunk.cx, chunk.cy) == (-3, 2)
    assert len(chunk.tiles) == CHUNK_SIZE * CHUNK_SIZE
    for name, x, y, amount in chunk.resources:
        assert -3 * CHUNK_SIZE <= x < -2 * CHUNK_SIZE and 2 * CHUNK_SIZE <= y < 3 * CHUNK_SIZE
        assert chunk.tiles[(y - 2 * CHUNK_SIZE) * CHUNK_SIZE + (x + 3 * CHUNK_SIZE)] not in WATER_TILES
    for name, x, y in chunk.decoratives:
        assert -3 * CHUNK_SIZE <= x < -2 * CHUNK_SIZE and 2 * CHUNK_SIZE <= y < 3 * CHUNK_SIZE


# -- prototype names ----------------------------------------------------------------------------------------

def test_tile_names_are_nauvis_tiles_in_data_raw_tile():
    tiles = load_prototypes().tiles
    for name in LAND_TILES + WATER_TILES:
        assert tiles[name]["subgroup"] == "nauvis-tiles", name


def test_resource_names_are_in_data_raw_resource():
    resources = load_prototypes().raw["resource"]
    for name in RESOURCES:
        assert resources[name]["type"] == "resource"


def test_tree_names_are_nauvis_trees_in_data_raw_tree():
    trees = load_prototypes().raw["tree"]
    for name in TREES:
        assert trees[name]["order"].startswith("a[tree]-a[nauvis]"), name


def test_rock_names_are_nauvis_rocks_in_data_raw_simple_entity():
    rocks = load_prototypes().raw["simple-entity"]
    for name in ROCKS:
        assert "a[nauvis]" in rocks[name]["order"], name


def test_generated_names_are_the_declared_prototypes(start_maps):
    for m in start_maps.values():
        assert set(m.tiles.values()) <= set(LAND_TILES + WATER_TILES)
        assert {name for name, _ in m.ores.values()} <= set(RESOURCES)
        assert {name for name, _, _ in m.decoratives} <= set(TREES + ROCKS)


# -- starting area ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_starting_area_has_each_resource_nearby(seed, start_maps):
    """One patch of iron-ore, copper-ore, coal and stone, centred 15..60 tiles out, of at least 50 tiles."""
    m = start_maps[seed]
    for resource in RESOURCES:
        near = {t for t, (name, _) in m.ores.items() if name == resource and math.hypot(t[0] + 0.5, t[1] + 0.5) < 64}
        biggest = max(_components(near), key=len, default=set())
        assert len(biggest) >= 50, f"seed {seed}: {resource} patch has {len(biggest)} tiles"
        cx = sum(x + 0.5 for x, _ in biggest) / len(biggest)
        cy = sum(y + 0.5 for _, y in biggest) / len(biggest)
        assert 15 <= math.hypot(cx, cy) <= 60, f"seed {seed}: {resource} centred at {(cx, cy)}"
        amounts = [m.ores[t][1] for t in biggest]
        assert 100 <= min(amounts) and max(amounts) <= 5000
        assert max(amounts) >= 3 * min(amounts), "patch centres should be richer than their edges"


@pytest.mark.parametrize("seed", SEEDS)
def test_no_water_near_spawn(seed, start_maps):
    m = start_maps[seed]
    wet = [t for t, name in m.tiles.items() if name in WATER_TILES and math.hypot(t[0] + 0.5, t[1] + 0.5) < 20]
    assert wet == []


def test_no_water_near_spawn_even_on_a_flooded_map():
    """water=50 floods the map right up to the water-free radius (24 tiles), and not a tile further."""
    closest = math.inf
    for seed in (3, 5, 7):
        gen = MapGenerator(seed, settings=MapGenSettings(water=50.0))
        m = _Map(_generate(gen, [(cx, cy) for cx in START_CHUNKS for cy in START_CHUNKS]))
        closest = min([closest] + [math.hypot(x + 0.5, y + 0.5) for (x, y), name in m.tiles.items()
                                   if name in WATER_TILES])
    assert 24 <= closest < 26


@pytest.mark.parametrize("seed", SEEDS)
def test_no_ore_on_water(seed, start_maps):
    m = start_maps[seed]
    assert all(m.tiles[t] not in WATER_TILES for t in m.ores)


@pytest.mark.parametrize("seed", SEEDS)
def test_decoratives_sit_on_free_land_apart_from_each_other(seed, start_maps):
    """collision_box of every tree/rock: off water and ore tiles, clear of spawn, overlapping no other."""
    m = start_maps[seed]
    assert m.decoratives, "the starting area should have some trees or rocks"
    boxes = []
    for name, x, y in m.decoratives:
        assert math.hypot(x, y) >= 10, f"{name} at {(x, y)} is inside the spawn clearing"
        l, t, r, b = _collision_box(name)
        box = (x + l, y + t, x + r, y + b)
        for ty in range(math.floor(box[1]), math.ceil(box[3])):
            for tx in range(math.floor(box[0]), math.ceil(box[2])):
                # Tiles beyond the generated square (an edge tree's box) are checked by the test's neighbours.
                assert m.tiles.get((tx, ty)) not in WATER_TILES, f"{name} at {(x, y)} stands in water"
                assert (tx, ty) not in m.ores, f"{name} at {(x, y)} stands on ore"
        boxes.append((name, box))
    # Bucket by tile so the pair check stays cheap; boxes are at most 3 tiles wide.
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (_, box) in enumerate(boxes):
        buckets[(math.floor(box[0]), math.floor(box[1]))].append(i)
    for i, (name, (l1, t1, r1, b1)) in enumerate(boxes):
        bx, by = math.floor(l1), math.floor(t1)
        for dx in range(-4, 5):
            for dy in range(-4, 5):
                for j in buckets.get((bx + dx, by + dy), ()):
                    if j <= i:
                        continue
                    other, (l2, t2, r2, b2) = boxes[j]
                    assert not (l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1), f"{name} overlaps {other}"


def test_trees_and_rocks_both_occur():
    m = _Map(_generate(MapGenerator(2), [(cx, cy) for cx in range(-6, 6) for cy in range(-2, 2)]))
    names = {name for name, _, _ in m.decoratives}
    assert names & set(TREES) and names & set(ROCKS)


# -- beyond the starting area -------------------------------------------------------------------------------

def test_patches_beyond_the_starting_area_grow_richer():
    gen = MapGenerator(11, settings=MapGenSettings(resource_frequency=10))  # every 128x128 cell has a patch
    far = _Map(_generate(gen, [(cx, cy) for cx in range(28, 32) for cy in range(28, 32)]))  # tiles 896..1023
    start = _Map(_generate(gen, [(cx, cy) for cx in START_CHUNKS for cy in START_CHUNKS]))
    assert far.ores, "a cell whose patch chance is 1 must hold a patch"
    assert max(a for _, a in far.ores.values()) > max(a for _, a in start.ores.values())


# -- settings -----------------------------------------------------------------------------------------------

def test_settings_switch_features_off():
    gen = MapGenerator(3, settings=MapGenSettings(water=0, tree_density=0, rock_density=0))
    m = _Map(_generate(gen, [(cx, cy) for cx in range(-4, 4) for cy in range(-2, 2)]))
    assert not any(name in WATER_TILES for name in m.tiles.values())
    assert m.decoratives == []


def test_more_water_setting_gives_more_water():
    coords = [(cx, cy) for cx in range(4, 8) for cy in range(4, 8)]

    def water_tiles(water):
        m = _Map(_generate(MapGenerator(5, settings=MapGenSettings(water=water)), coords))
        return sum(name in WATER_TILES for name in m.tiles.values())

    assert water_tiles(3.0) > water_tiles(1.0) > water_tiles(0.3)


@pytest.mark.parametrize("field, value", [
    ("water", -1.0), ("tree_density", float("nan")), ("water_scale", 0.0), ("starting_area_radius", 20.0),
    ("rock_density", "lots"),
])
def test_bad_settings_raise_typed_error(field, value):
    with pytest.raises(MapGenError, match=field):
        MapGenSettings(**{field: value})


@pytest.mark.parametrize("seed", ["1", 1.5, None, True])
def test_bad_seed_raises_typed_error(seed):
    with pytest.raises(MapGenError, match="seed"):
        MapGenerator(seed)


def test_bad_chunk_coordinates_raise_typed_error():
    with pytest.raises(MapGenError, match="cx"):
        MapGenerator(0).generate_chunk(1.0, 0)
