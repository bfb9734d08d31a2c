"""Console helpers for the API tests: `p(...)` prints its arguments joined by tabs (rcon.print takes one)."""

from __future__ import annotations

from factoryverse.engine.engine import Engine

from .test_surface_api import clear_land

__all__ = ["PRINT", "run", "fails", "chest_and_character", "INVENTORIES"]

PRINT = ("local function p(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end "
         "rcon.print(table.concat(t, '\\t')) end ")


def run(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + PRINT + code)
    assert not reply.startswith("Cannot execute"), reply
    return reply


def fails(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + PRINT + code)
    assert reply.startswith("Cannot execute"), reply
    return reply


# A Lua prefix binding the two inventories `chest_and_character` stores: the chest's (`inv`) and the character's
# main one (`main`).
INVENTORIES = "local inv, main = storage.inv, storage.main "


def chest_and_character() -> Engine:
    """A small cleared map with a wooden chest and a character, their inventories kept in `storage`."""
    e = Engine(seed=1, mods=[], starting_chunks=1)
    clear_land(e, -8, -8, 8, 8)
    run(e, "local s = game.surfaces.nauvis "
           "storage.chest = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'} "
           "storage.c = s.create_entity{name = 'character', position = {3.5, 3.5}, force = 'player'} "
           "storage.inv = storage.chest.get_inventory(defines.inventory.chest) "
           "storage.main = storage.c.get_main_inventory()")
    return e
