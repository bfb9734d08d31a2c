"""LuaGameScript (`game`), LuaRCON (`rcon`) and LuaHelpers (`helpers`)."""

from __future__ import annotations

import json
from typing import Any

from factoryverse.engine.api._custom_table import custom_table
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.save.world_codec import SaveError

__all__ = ["GameHandle"]

Game = api_class("LuaGameScript")
Rcon = api_class("LuaRCON")
Helpers = api_class("LuaHelpers")


class GameHandle:
    """The one object behind `game`, `rcon` and `helpers` in every state."""

    def __init__(self, engine: Any, lua_class: str, oid: int):
        self.engine = engine
        self.lua_class = lua_class
        self.oid = oid
        self.valid = True


def _surface(engine: Any, key: Any):
    world = engine.world
    if isinstance(key, str):
        return world.surfaces.get(key)
    if isinstance(key, (int, float)):
        return world.surface_by_index(int(key))
    if getattr(key, "lua_class", None) == "LuaSurface":
        return key
    return None


@Game.getter("tick")
def _tick(state, g):
    return g.engine.tick


@Game.getter("ticks_played")
def _ticks_played(state, g):
    return g.engine.tick


# The clock's semantics and checks are in engine/clock.py; the server's loop honours them.
@Game.getter("tick_paused")
def _tick_paused(state, g):
    return g.engine.clock.tick_paused


@Game.setter("tick_paused")
def _set_tick_paused(state, g, value):
    g.engine.clock.set_tick_paused(value)


@Game.getter("ticks_to_run")
def _ticks_to_run(state, g):
    return g.engine.clock.ticks_to_run


@Game.setter("ticks_to_run")
def _set_ticks_to_run(state, g, value):
    g.engine.clock.set_ticks_to_run(value)


@Game.getter("speed")
def _speed(state, g):
    return g.engine.clock.speed


@Game.setter("speed")
def _set_speed(state, g, value):
    g.engine.clock.set_speed(value)


@Game.getter("surfaces")
def _surfaces(state, g):
    return custom_table(state, list(g.engine.world.surfaces.values()))


@Game.getter("forces")
def _forces(state, g):
    return custom_table(state, list(g.engine.world.forces.values()))


@Game.getter("players")
def _players(state, g):
    return {}


@Game.getter("connected_players")
def _connected_players(state, g):
    return []


@Game.method("get_surface")
def _get_surface(state, g, key):
    return _surface(g.engine, key)


@Game.method("create_force")
def _create_force(state, g, name):
    if not isinstance(name, str) or not name:
        raise ScriptError("game.create_force: the force name must be a non-empty string")
    force = g.engine.world.create_force(name)
    g.engine.events.raise_event("on_force_created", {"force": force})
    return force


def _force(world: Any, key: Any, what: str):
    """A ForceID (name, index or LuaForce) -> the live force, or a clear error naming the argument."""
    if isinstance(key, str):
        force = world.forces.get(key)
    elif isinstance(key, (int, float)) and not isinstance(key, bool):
        force = next((f for f in world.forces.values() if f.index == key), None)
    elif getattr(key, "lua_class", None) == "LuaForce":
        force = key if key.valid else None
    else:
        raise ScriptError(f"game.merge_forces: {what} must be a force name, index or LuaForce, got {key!r}")
    if force is None:
        raise ScriptError(f"game.merge_forces: {what} force {key!r} doesn't exist")
    return force


@Game.method("merge_forces")
def _merge_forces(state, g, source, destination):
    world = g.engine.world
    world.merge_forces(_force(world, source, "source"), _force(world, destination, "destination"))


@Game.method("server_save")
def _server_save(state, g, name=None):
    # Written once the command or tick has finished (engine/save/server_saves.py); a bad name or a game with no
    # saves folder fails here, so the script hears of it.
    if name is not None and not isinstance(name, str):
        raise ScriptError(f"game.server_save: name must be a string, got {name!r}")
    try:
        g.engine.saves.request(name)
    except SaveError as e:
        raise ScriptError(f"game.server_save: {e}") from e


@Game.getter("player")
def _player(state, g):
    # Only set for a player's own console commands; RCON and a dedicated server's console have no player.
    return None


@Game.method("get_entity_by_unit_number")
def _get_entity_by_unit_number(state, g, unit_number):
    # The world keeps live entities by unit_number: no scan of the map.
    if isinstance(unit_number, bool) or not isinstance(unit_number, (int, float)):
        return None
    e = g.engine.world.by_unit_number.get(int(unit_number))
    return e if e is not None and e.valid else None


@Game.method("print")
def _print(state, g, message, *rest):
    g.engine.log_line("[game.print] " + g.engine.localised_to_text(message))


# -- rcon -----------------------------------------------------------------------------------------------------


@Rcon.method("print")
def _rcon_print(state, r, message=None):
    r.engine.console.rcon_print(r.engine.localised_to_text(message))


# -- helpers --------------------------------------------------------------------------------------------------


# Encoded in Lua (engine/lua/json.lua): the snapshot mod encodes tens of thousands of records, and copying each
# table into Python first cost more than the encoding.
Helpers.lua_method("table_to_json", "json.lua")


@Helpers.method("json_to_table")
def _json_to_table(state, h, text):
    if not isinstance(text, str):
        raise ScriptError("helpers.json_to_table expects a string")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None  # the game returns nil for text that isn't JSON


@Helpers.method("write_file")
def _write_file(state, h, filename, data, append=False, for_player=None):
    text = h.engine.localised_to_text(data)
    h.engine.outputs.write_file(filename, text, bool(append))


@Helpers.method("remove_path")
def _remove_path(state, h, path):
    h.engine.outputs.remove_path(path)


@Helpers.method("send_udp")
def _send_udp(state, h, port, data, for_player=None):
    if not isinstance(port, (int, float)) or not 1 <= int(port) <= 65535:
        raise ScriptError(f"helpers.send_udp: port must be 1..65535, got {port!r}")
    h.engine.outputs.send_udp(int(port), h.engine.localised_to_text(data))
