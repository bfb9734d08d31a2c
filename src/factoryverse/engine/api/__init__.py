"""Factorio's runtime API as the engine exposes it: one module per class family, registered on import."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api import charting as _charting  # noqa: F401  (LuaForce's chart members)
from factoryverse.engine.api import deconstruction as _deconstruction  # noqa: F401
from factoryverse.engine.api import entity as _entity  # noqa: F401  (registers LuaEntity, LuaBurner)
from factoryverse.engine.api import entity_looks as _entity_looks  # noqa: F401  (color, name_tag, orientation)
from factoryverse.engine.api import force_relations as _force_relations  # noqa: F401  (is_friend, is_enemy, counts)
from factoryverse.engine.api import game as _game
from factoryverse.engine.api import inventory as _inventory  # noqa: F401
from factoryverse.engine.api import item_stack as _item_stack  # noqa: F401
from factoryverse.engine.api import flow_statistics as _flow_statistics  # noqa: F401
from factoryverse.engine.api import fluidbox as _fluidbox  # noqa: F401  (fluid members, fluid statistics)
from factoryverse.engine.api import fluid_connections as _fluid_connections  # noqa: F401  (box prototypes, filters)
from factoryverse.engine.api import power as _power  # noqa: F401  (wires, electric members, daytime)
from factoryverse.engine.api import prototypes as _prototypes
from factoryverse.engine.api import recipe as _recipe  # noqa: F401
from factoryverse.engine.api import rendering as _rendering  # LuaRendering, LuaRenderObject
from factoryverse.engine.api import script as _script
from factoryverse.engine.api import settings as _settings  # noqa: F401  (LuaSettings)
from factoryverse.engine.api import surface as _surface  # noqa: F401
from factoryverse.engine.api import technology as _technology  # noqa: F401  (LuaTechnology, LuaForce research)
from factoryverse.engine.api import transport_line as _transport_line  # noqa: F401
from factoryverse.engine.api.defines import defines_table
from factoryverse.engine.api.localised import localised_to_text
from factoryverse.engine.api.registry import REGISTRY

__all__ = ["REGISTRY", "global_objects", "defines_table", "localised_to_text"]


def global_objects(engine: Any, state: Any, script: Any) -> dict[str, Any]:
    """The API objects a state sees as globals (game, script, remote, commands, rcon, helpers, prototypes)."""
    state.engine = engine
    handles = engine.__dict__.get("_api_handles")
    if handles is None:
        handles = {
            # Named, not numbered: making a state never moves the game's id counter (world/ids.py).
            "game": _game.GameHandle(engine, "LuaGameScript", "game"),
            "rcon": _game.GameHandle(engine, "LuaRCON", "rcon"),
            "helpers": _game.GameHandle(engine, "LuaHelpers", "helpers"),
            "prototypes": _prototypes.PrototypeHandles(engine.prototypes, "prototypes"),
            "rendering": _rendering.RenderingHandle(engine),
        }
        engine._api_handles = handles
    state.engine_prototypes = handles["prototypes"]
    return {
        **handles,
        "script": script,
        "remote": _script.RemoteHandle(script, f"remote:{script.name}"),
        "commands": _script.CommandsHandle(script, f"commands:{script.name}"),
    }
