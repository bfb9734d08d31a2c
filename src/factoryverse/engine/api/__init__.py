"""Factorio's runtime API as the engine exposes it: one module per class family, registered on import."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api import entity as _entity  # noqa: F401  (registers LuaEntity, LuaBurner)
from factoryverse.engine.api import game as _game
from factoryverse.engine.api import inventory as _inventory  # noqa: F401
from factoryverse.engine.api import prototypes as _prototypes
from factoryverse.engine.api import script as _script
from factoryverse.engine.api import surface as _surface  # noqa: F401
from factoryverse.engine.api.defines import defines_table
from factoryverse.engine.api.localised import localised_to_text
from factoryverse.engine.api.registry import REGISTRY
from factoryverse.engine.world.ids import next_oid

__all__ = ["REGISTRY", "global_objects", "defines_table", "localised_to_text"]


def global_objects(engine: Any, state: Any, script: Any) -> dict[str, Any]:
    """The API objects a state sees as globals (game, script, remote, commands, rcon, helpers, prototypes)."""
    state.engine = engine
    handles = engine.__dict__.get("_api_handles")
    if handles is None:
        handles = {
            "game": _game.GameHandle(engine, "LuaGameScript", next_oid()),
            "rcon": _game.GameHandle(engine, "LuaRCON", next_oid()),
            "helpers": _game.GameHandle(engine, "LuaHelpers", next_oid()),
            "prototypes": _prototypes.PrototypeHandles(engine.prototypes, next_oid()),
        }
        engine._api_handles = handles
    state.engine_prototypes = handles["prototypes"]
    return {
        **handles,
        "script": script,
        "remote": _script.RemoteHandle(script, next_oid()),
        "commands": _script.CommandsHandle(script, next_oid()),
    }
