"""Shared set-up for mechanics tests: a seeded world, the prototype data the rates come from, and cleared land."""

from __future__ import annotations

from typing import Callable

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import PrototypeData, load_prototypes
from factoryverse.engine.world.geometry import BBox

from .power import power_surface


@pytest.fixture(scope="session")
def protos() -> PrototypeData:
    return load_prototypes()


@pytest.fixture
def engine() -> Engine:
    # Two chunks each way hold the starting ore patches (within ~45 tiles of the spawn). Electric machines get
    # full power from the surface's global electric network (power.py); tests of power build their own.
    game = Engine(seed=1, mods=[], starting_chunks=2)
    power_surface(game)
    return game


@pytest.fixture
def unpowered() -> Engine:
    """The same world without any electric network."""
    return Engine(seed=1, mods=[], starting_chunks=2)


def clear_land(engine: Engine, x0: int, y0: int, x1: int, y1: int, tile: str = "grass-1") -> None:
    """`tile` and no entities on [x0, x1) x [y0, y1), so a test controls everything its entities touch."""
    world = engine.world
    surface = world.surfaces["nauvis"]
    for y in range(y0, y1):
        for x in range(x0, x1):
            surface.set_tile(x, y, tile)
    area = BBox(x0, y0, x1, y1)
    for e in list(surface.entities_near(area)):
        if e.bbox().overlaps(area) or area.contains(e.x, e.y):
            world.destroy_entity(e)


def lua(engine: Engine, code: str) -> str:
    """Run console Lua with `s` bound to nauvis; fail loudly on a Lua error instead of comparing error text."""
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    assert not reply.startswith("Cannot execute command"), reply
    return reply


def ticks_of_changes(engine: Engine, read: Callable[[], float], changes: int, max_ticks: int) -> list[int]:
    """Step the engine and return the ticks (after the step) at which `read()` changed, up to `changes` of them."""
    seen: list[int] = []
    last = read()
    for _ in range(max_ticks):
        engine.step()
        value = read()
        if value != last:
            seen.append(engine.tick)
            last = value
            if len(seen) == changes:
                return seen
    raise AssertionError(f"only {len(seen)} of {changes} changes within {max_ticks} ticks: {seen}")
