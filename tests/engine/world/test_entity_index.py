"""Searches by name and type through the surface's indexes give exactly what a scan of every entity gives, in the
same order, while entities are created, moved and destroyed (seeded randomized comparison)."""

from __future__ import annotations

import random

import pytest

from factoryverse.engine.api import _search
from factoryverse.engine.engine import Engine
from factoryverse.engine.mechanics import deconstruction as mechanics_deconstruction

_NAMES = ["iron-ore", "copper-ore", "coal", "stone", "wooden-chest", "stone-furnace", "iron-chest", "character"]
_TYPES = ["resource", "tree", "simple-entity", "container", "furnace", "character"]


def _scan(surface, options, region):
    # The search before the indexes: every entity of the region (or the surface), tested one by one.
    return surface.entities_near(region) if region is not None else surface.all_entities()


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine(seed=7, mods=[], starting_chunks=2)
    rng = random.Random(7)
    world = engine.world
    surface = world.surfaces["nauvis"]
    made = []
    for _ in range(400):
        name = rng.choice(["wooden-chest", "stone-furnace", "iron-chest", "character", "iron-ore", "coal"])
        x, y = rng.uniform(-64, 63), rng.uniform(-64, 63)
        made.append(world.create_entity(surface, name, x, y, force=world.forces["player"]))
    for e in rng.sample(made, 80):  # moves, across chunks or not
        surface.move(e, e.x + rng.uniform(-40, 40), e.y + rng.uniform(-40, 40))
    # Ghosts and deconstruction marks, which the ghost and to_be_deconstructed filters find through indexes too.
    for _ in range(60):
        inner = rng.choice(["wooden-chest", "stone-furnace", "iron-chest"])
        engine.execute_command(f"/sc game.surfaces[1].create_entity{{name = 'entity-ghost', inner_name = '{inner}', "
                               f"position = {{{rng.uniform(-64, 63)}, {rng.uniform(-64, 63)}}}, force = 'player'}}")
    for e in rng.sample(made, 60):
        world.destroy_entity(e)
    for e in rng.sample([e for e in made if e.valid and e.name != "character"], 60):
        mechanics_deconstruction.order_deconstruction(world, e, world.forces["player"])
    for e in rng.sample([e for e in made if e.deconstruction is not None], 10):  # marked, then moved or gone
        if rng.random() < 0.5:
            surface.move(e, e.x + rng.uniform(-40, 40), e.y + rng.uniform(-40, 40))
        else:
            world.destroy_entity(e)
    return engine


def _filters(rng: random.Random) -> dict:
    p: dict = {}
    if rng.random() < 0.6:
        p["name"] = rng.choice(_NAMES) if rng.random() < 0.6 else rng.sample(_NAMES, rng.randint(0, 3))
    if rng.random() < 0.4:
        p["type"] = rng.choice(_TYPES) if rng.random() < 0.6 else rng.sample(_TYPES, rng.randint(1, 3))
    region = rng.random()
    if region < 0.3:
        x, y = rng.uniform(-70, 70), rng.uniform(-70, 70)
        p["area"] = [[x, y], [x + rng.uniform(0, 50), y + rng.uniform(0, 50)]]
    elif region < 0.55:
        p["position"] = [rng.uniform(-70, 70), rng.uniform(-70, 70)]
        p["radius"] = rng.uniform(0, 30)
    elif region < 0.6:
        p["area"] = [[-1000, -1000], [1000, 1000]]  # larger than the map: the index's chunks, not the range
    if rng.random() < 0.3:
        p["limit"] = rng.randint(0, 12)
    if rng.random() < 0.15:
        p["invert"] = True
    if rng.random() < 0.2:
        p["force"] = rng.choice(["player", "neutral"])
    if rng.random() < 0.15:
        p["ghost_name"] = rng.choice(["wooden-chest", "stone-furnace", "iron-chest"])
    if rng.random() < 0.1:
        p["ghost_type"] = rng.choice(["container", "furnace"])
    if rng.random() < 0.15:
        p["to_be_deconstructed"] = rng.random() < 0.7
    return p


def test_indexed_searches_match_a_scan_of_every_entity(engine, monkeypatch):
    surface = engine.world.surfaces["nauvis"]
    rng = random.Random(11)
    cases = [_filters(rng) for _ in range(600)]
    indexed = [[e.oid for e in _search.find_entities(surface, dict(p), "t")] for p in cases]
    monkeypatch.setattr(_search, "_candidates", _scan)
    scanned = [[e.oid for e in _search.find_entities(surface, dict(p), "t")] for p in cases]
    for p, got, want in zip(cases, indexed, scanned):
        assert got == want, p
    # The comparison covered real work: empty answers only would prove nothing.
    assert sum(1 for r in scanned if len(r) >= 5) > 100


def test_a_limited_name_search_stops_after_the_limit(engine, monkeypatch):
    surface = engine.world.surfaces["nauvis"]
    seen = []
    walk = type(surface.by_name).walk

    def counting(self, keys, chunks, arrival):
        for e in walk(self, keys, chunks, arrival):
            seen.append(e)
            yield e

    monkeypatch.setattr(type(surface.by_name), "walk", counting)
    reply = engine.execute_command("/sc rcon.print(game.surfaces[1].count_entities_filtered{name = 'iron-ore', limit = 10})")
    assert reply == "10"
    assert len(seen) == 10 and all(e.name == "iron-ore" for e in seen)


def test_the_indexes_forget_destroyed_entities_and_follow_moved_ones():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    world = engine.world
    surface = world.surfaces["nauvis"]
    chest = world.create_entity(surface, "wooden-chest", 0.5, 0.5, force=world.forces["player"])
    surface.move(chest, 40.5, 0.5)  # into an ungenerated chunk, which is generated for it
    found = _search.find_entities(surface, {"name": "wooden-chest", "area": [[40, 0], [41, 1]]}, "t")
    assert found == [chest]
    assert _search.find_entities(surface, {"name": "wooden-chest", "area": [[0, 0], [1, 1]]}, "t") == []
    world.destroy_entity(chest)
    assert _search.find_entities(surface, {"name": "wooden-chest"}, "t") == []
    assert surface.by_name.count(["wooden-chest"]) == 0 and surface.by_type.count(["container"]) == 0
