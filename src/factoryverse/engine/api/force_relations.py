"""LuaForce's relations, counts and players: `is_friend`, `is_enemy`, `get_entity_count`, `players` (a headless
engine has none) and `print`, which goes to the server's log as `game.print` does. Friends and cease-fires
themselves are set in api/surface.py."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError

__all__: list[str] = []

Force = api_class("LuaForce")


def _other(state: Any, value: Any, method: str) -> Any:
    """A ForceID (a LuaForce, a name or an index) -> the force; an unknown one is an error naming it."""
    forces = state.engine.world.forces
    if getattr(value, "lua_class", None) == "LuaForce":
        return value
    if isinstance(value, str):
        found = forces.get(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        found = next((f for f in forces.values() if f.index == value), None)
    else:
        raise ScriptError(f"Invalid argument #1 (other) to '{method}': expected ForceID, got {value!r}")
    if found is None:
        raise ScriptError(f"Given force doesn't exist: {value}")
    return found


@Force.method("is_friend")
def _is_friend(state, f, other):
    """The game's "friend" force condition: the force itself, or one it set as a friend."""
    o = _other(state, other, "is_friend")
    return o is f or o.name in f.friends


@Force.method("is_enemy")
def _is_enemy(state, f, other):
    """The game's "enemy" force condition: another force, not neutral, without a cease-fire."""
    o = _other(state, other, "is_enemy")
    return o is not f and o.name != "neutral" and f.name != "neutral" and o.name not in f.cease_fire


@Force.method("get_entity_count")
def _get_entity_count(state, f, name):
    name = getattr(name, "name", name)
    if not isinstance(name, str):
        raise ScriptError(f"Invalid argument #1 (entity) to 'get_entity_count': expected EntityID, got {name!r}")
    if name not in state.engine.prototypes.entities:
        raise ScriptError(f"Unknown entity name: {name}")
    count = 0
    for surface in state.engine.world.surfaces.values():
        count += sum(1 for e in surface.entities_with(surface.by_name, [name], None) if e.force is f and e.valid)
    return count


@Force.getter("players")
def _players(state, f):
    return []  # no players exist on the engine's headless server (docs/known-differences.md)


@Force.getter("connected_players")
def _connected_players(state, f):
    return []


@Force.method("print")
def _print(state, f, message, *rest):
    # Nobody is there to read it: the server's log keeps it, tagged with the force, as game.print's lines are.
    state.engine.log_line(f"[force.print {f.name}] " + state.engine.localised_to_text(message))
