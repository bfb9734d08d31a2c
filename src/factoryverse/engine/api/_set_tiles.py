"""LuaSurface.set_tiles: tiles by name and position, with the collision rules the API documents.

The engine draws no tile transitions and keeps no decoratives or undo queues, so `correct_tiles`,
`remove_colliding_decoratives` and `undo_index` are checked and have nothing to act on.
"""

from __future__ import annotations

import math
from typing import Any

from factoryverse.engine.api import _args
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.world.geometry import BBox

__all__ = ["set_tiles"]

_ABORT = "abort_on_collision"


def _flag(value: Any, name: str) -> None:
    if value is not None and not isinstance(value, bool):
        raise ScriptError(f"set_tiles: {name} must be a boolean, got {value!r}")


def _parse(world: Any, tiles: Any) -> list[tuple[int, int, str]]:
    if isinstance(tiles, dict) and not tiles:
        return []  # an empty Lua table comes over as a dict
    if not isinstance(tiles, list):
        raise ScriptError(f"set_tiles: tiles must be an array of {{name = ..., position = ...}}, got {tiles!r}")
    out = []
    for i, tile in enumerate(tiles, 1):
        if not isinstance(tile, dict):
            raise ScriptError(f"set_tiles: tiles[{i}] must be a table with name and position, got {tile!r}")
        name = tile.get("name")
        if name is None:
            raise ScriptError("value for required field 'name' is missing")
        if tile.get("position") is None:
            raise ScriptError("value for required field 'position' is missing")
        if not isinstance(name, str) or name not in world.protos.tiles:
            raise ScriptError(f"Unknown tile name: {name}")
        x, y = _args.position(tile["position"], f"set_tiles tiles[{i}].position")
        out.append((math.floor(x), math.floor(y), name))
    return out


def set_tiles(state: Any, surface: Any, tiles: Any, correct_tiles: Any, remove_colliding_entities: Any,
              remove_colliding_decoratives: Any, raise_event: Any, player: Any, undo_index: Any) -> None:
    world = state.engine.world
    for value, name in ((correct_tiles, "correct_tiles"), (remove_colliding_decoratives, "remove_colliding_decoratives"),
                        (raise_event, "raise_event")):
        _flag(value, name)
    remove = True if remove_colliding_entities is None else remove_colliding_entities
    if remove != _ABORT and not isinstance(remove, bool):
        raise ScriptError(f"set_tiles: remove_colliding_entities must be a boolean or '{_ABORT}', got {remove!r}")
    if player is not None:
        raise ScriptError("set_tiles: this engine has no players, so no undo queue to give a player")
    if undo_index is not None and (isinstance(undo_index, bool) or not isinstance(undo_index, (int, float))
                                   or undo_index != int(undo_index) or undo_index < 0):
        raise ScriptError(f"set_tiles: undo_index must be an unsigned integer, got {undo_index!r}")
    wanted = _parse(world, tiles)
    # Entities in the way of a new tile's collision mask (a chest where water goes): checked for every tile first,
    # so an aborted call changes nothing.
    doomed: dict[Any, Any] = {}
    if remove is not False:
        for x, y, name in wanted:
            for e in surface.colliding(BBox(x, y, x + 1, y + 1), surface.tile_layers(name)):
                doomed.setdefault(e.oid, e)
        if doomed and remove == _ABORT:
            return
    for e in doomed.values():
        if e.valid:
            world.destroy_entity(e)
    for x, y, name in wanted:
        surface.set_tile(x, y, name)
    if raise_event and wanted:
        state.engine.events.raise_event("script_raised_set_tiles", {
            "surface_index": surface.index,
            "tiles": [{"name": name, "position": {"x": x, "y": y}} for x, y, name in wanted],
        })
