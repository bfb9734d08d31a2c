"""Deconstruction orders through the API: LuaEntity.order_deconstruction / cancel_deconstruction /
to_be_deconstructed and LuaSurface.deconstruct_area / cancel_deconstruct_area (mechanics/deconstruction.py)."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api import _args, _search
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.mechanics import deconstruction

__all__: list[str] = []

Entity = api_class("LuaEntity")
Surface = api_class("LuaSurface")


def _force(state: Any, value: Any, what: str) -> Any:
    name = value if isinstance(value, str) else getattr(value, "name", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        name = next((f.name for f in state.engine.world.forces.values() if f.index == value), None)
    force = state.engine.world.forces.get(name) if isinstance(name, str) else None
    if force is None:
        raise ScriptError(f"{what}: unknown force {value!r}")
    return force


def _no_player(value: Any, what: str) -> None:
    if value is not None:
        # A headless game has no players (game.players is empty), so no PlayerIdentification names one.
        raise ScriptError(f"{what}: player {value!r} doesn't exist (this headless game has no players); leave it out")


@Entity.method("order_deconstruction")
def _order_deconstruction(state, e, force, player=None, undo_index=None):
    f = _force(state, force, "order_deconstruction")
    _no_player(player, "order_deconstruction")
    return deconstruction.order_deconstruction(state.engine.world, e, f)


@Entity.method("cancel_deconstruction")
def _cancel_deconstruction(state, e, force, player=None):
    f = _force(state, force, "cancel_deconstruction")
    _no_player(player, "cancel_deconstruction")
    deconstruction.cancel_deconstruction(state.engine.world, e, f)


@Entity.method("to_be_deconstructed")
def _to_be_deconstructed(state, e):
    return e.deconstruction is not None


def _area_targets(state: Any, s: Any, params: Any, what: str) -> tuple[list[Any], Any]:
    p = _args.require_table(params, what)
    if p.get("area") is None:
        raise ScriptError("value for required field 'area' is missing")
    if p.get("force") is None:
        raise ScriptError("value for required field 'force' is missing")
    force = _force(state, p["force"], what)
    _no_player(p.get("player"), what)
    if p.get("item") is not None:
        raise ScriptError(f"{what}: deconstruction planner filters ('item') are not implemented by this engine yet")
    neutral = state.engine.world.forces.get("neutral")
    # The planner's reach: the force's own entities and neutral ones (trees, rocks, items on the ground).
    found = _search.find_entities(s, {"area": p["area"]}, what)
    return [e for e in found if e.force is force or e.force is neutral], force


@Surface.method("deconstruct_area")
def _deconstruct_area(state, s, params):
    targets, force = _area_targets(state, s, params, "deconstruct_area")
    world = state.engine.world
    for e in targets:
        if e.valid:  # a handler of an earlier mark may have removed it
            deconstruction.order_deconstruction(world, e, force)


@Surface.method("cancel_deconstruct_area")
def _cancel_deconstruct_area(state, s, params):
    targets, force = _area_targets(state, s, params, "cancel_deconstruct_area")
    world = state.engine.world
    for e in targets:
        if e.valid:
            deconstruction.cancel_deconstruction(world, e, force)
