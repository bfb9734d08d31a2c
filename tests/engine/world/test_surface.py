"""Surfaces: tiles by position, entities indexed by chunk, and the collision queries placement and walking use."""

from __future__ import annotations

import math

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.world.entity import collision_layers
from factoryverse.engine.world.geometry import BBox
from factoryverse.engine.world.mapgen import CHUNK_SIZE


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


@pytest.fixture
def surface(engine):
    return engine.world.surfaces["nauvis"]


def _clear(surface, x0: int, y0: int, x1: int, y1: int) -> None:
    """Dry grass and no entities on the tiles [x0, x1) x [y0, y1), so a test sets up only what it means to."""
    for y in range(y0, y1):
        for x in range(x0, x1):
            surface.set_tile(x, y, "grass-1")
    for e in list(surface.entities_near(BBox(x0, y0, x1, y1))):
        if e.bbox().overlaps(BBox(x0, y0, x1, y1)):
            surface.remove(e)
            e.valid = False


def test_set_tile_and_tile_name_across_chunk_borders(surface):
    for x, y in [(0, 0), (-1, -1), (31, 31), (32, 0), (-33, 5)]:
        surface.set_tile(x, y, "water")
        assert surface.tile_name(x, y) == "water"
    assert surface.is_chunk_generated(1, 0)
    assert surface.is_chunk_generated(-2, 0)


def test_entities_are_indexed_by_their_chunk_and_move_with_it(engine, surface):
    _clear(surface, 28, 0, 36, 4)
    chest = engine.world.create_entity(surface, "wooden-chest", 30.5, 1.5)
    assert chest in surface.chunks[(0, 0)].entities
    surface.move(chest, 33.5, 1.5)
    assert chest not in surface.chunks[(0, 0)].entities
    assert chest in surface.chunks[(1, 0)].entities
    assert chest in list(surface.entities_near(BBox(33, 1, 34, 2)))


def test_colliding_honours_collision_masks(engine, surface):
    _clear(surface, 0, 0, 6, 6)
    chest = engine.world.create_entity(surface, "wooden-chest", 2.5, 2.5)
    chest_layers = collision_layers(chest.proto)
    assert surface.colliding(BBox(2.2, 2.2, 2.8, 2.8), chest_layers) == [chest]
    # Touching edges do not collide.
    assert surface.colliding(BBox(3.0, 2.0, 4.0, 3.0), chest_layers) == []
    # A mask sharing no layer with the chest's ignores it.
    assert surface.colliding(BBox(2.2, 2.2, 2.8, 2.8), frozenset({"no_such_layer"})) == []
    assert surface.colliding(BBox(2.2, 2.2, 2.8, 2.8), chest_layers, ignore=(chest,)) == []


def test_blocking_tiles_reports_water_for_a_building_mask(engine, surface):
    _clear(surface, 0, 0, 4, 4)
    surface.set_tile(1, 1, "water")
    mask = collision_layers(engine.prototypes.entities["stone-furnace"])
    assert surface.blocking_tiles(BBox(0.3, 0.3, 1.7, 1.7), mask) == [(1, 1, "water")]
    assert surface.blocking_tiles(BBox(2.3, 2.3, 3.7, 3.7), mask) == []


def test_tile_oracle_for_the_pathfinder(engine, surface):
    _clear(surface, 0, 0, 6, 6)
    surface.set_tile(4, 4, "water")
    engine.world.create_entity(surface, "wooden-chest", 1.5, 1.5)
    mask = collision_layers(engine.prototypes.raw["character"]["character"])
    blocked = surface.tile_blocked_for(mask)
    assert blocked(1, 1) and blocked(4, 4)
    assert not blocked(2, 2)


def test_resources_are_indexed_by_tile_and_unindexed_on_removal(engine, surface):
    _clear(surface, 0, 0, 4, 4)
    ore = engine.world.create_entity(surface, "iron-ore", 2.5, 2.5, amount=10)
    assert surface.resources_at[(2, 2)] is ore
    engine.world.destroy_entity(ore)
    assert (2, 2) not in surface.resources_at
    assert not ore.valid


def test_all_entities_walks_chunks_in_a_stable_order(surface):
    first = [e.oid for e in surface.all_entities()]
    assert first == [e.oid for e in surface.all_entities()]
    assert len(first) == sum(len(c.entities) for c in surface.chunks.values())


def test_chunk_of_negative_positions(engine, surface):
    chest = engine.world.create_entity(surface, "wooden-chest", -0.5, -0.5)
    assert chest in surface.chunks[(math.floor(-0.5) // CHUNK_SIZE, math.floor(-0.5) // CHUNK_SIZE)].entities
    assert chest in surface.chunks[(-1, -1)].entities


def test_tile_name_if_generated_reports_out_of_map_without_generating(surface):
    """Regression: reading a tile in an ungenerated chunk generated it; queries now see "out-of-map" there, as in
    Factorio, and the map stays as it was."""
    chunks = set(surface.chunks)
    assert surface.tile_name_if_generated(5000, -5000) == "out-of-map"
    assert set(surface.chunks) == chunks
    surface.set_tile(3, 3, "water")
    assert surface.tile_name_if_generated(3, 3) == "water"


def test_blocking_tiles_treats_ungenerated_land_as_out_of_map(engine, surface):
    """Regression: a placement check on ungenerated land generated the chunk; now the "out-of-map" tile, whose
    data.raw collision mask has the object layer, blocks a building there and nothing is generated."""
    chunks = set(surface.chunks)
    mask = collision_layers(engine.prototypes.entities["stone-furnace"])
    assert "object" in engine.prototypes.tiles["out-of-map"]["collision_mask"]["layers"]
    assert surface.blocking_tiles(BBox(1000.3, 1000.3, 1001.7, 1001.7), mask) == [
        (1000, 1000, "out-of-map"), (1001, 1000, "out-of-map"), (1000, 1001, "out-of-map"), (1001, 1001, "out-of-map"),
    ]
    assert set(surface.chunks) == chunks


def test_generated_tiles_covers_generated_chunks_only_in_row_order(surface):
    # Starting chunks span tiles [-32, 32); a box reaching far past them costs only the generated part.
    tiles = list(surface.generated_tiles(-1_000_000, 30, 1_000_000, 33))
    assert [(x, y) for x, y, _ in tiles] == [(x, y) for y in (30, 31) for x in range(-32, 32)]
    assert all(name == surface.tile_name_if_generated(x, y) for x, y, name in tiles)
    assert surface.generated_bounds() == (-32, -32, 32, 32)


def test_tile_oracle_ignores_the_given_entity(engine, surface):
    _clear(surface, 0, 0, 6, 6)
    chest = engine.world.create_entity(surface, "wooden-chest", 1.5, 1.5)
    mask = collision_layers(engine.prototypes.raw["character"]["character"])
    assert surface.tile_blocked_for(mask)(1, 1)
    assert not surface.tile_blocked_for(mask, (chest,))(1, 1)
