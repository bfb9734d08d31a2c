"""Read-only facts the agent interface does not return, read from the running game's own API over RCON.

Prototype geometry (collision box, a drill's mining radius, a pole's wire reach) and an inserter's pickup and drop
positions are the game's numbers: the SDK never recomputes them from offsets of its own. Looking needs no reach,
so these reads bypass the agent's interface, as the map snapshot does.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from factoryverse.sdk.errors import InvalidArgumentError, UnexpectedReplyError
from factoryverse.sdk.remote import long_bracket
from factoryverse.sdk.types import BoundingBox, Position, PositionLike

__all__ = ["EntityPrototypeFacts", "entity_prototype", "item_place_result", "inserter_positions", "lua_string",
           "decode_reply"]


class _Rcon(Protocol):
    async def lua(self, code: str, *, timeout: float | None = None) -> str: ...


class EntityPrototypeFacts(BaseModel):
    """What an entity prototype says about its geometry and reach; None where the type has no such value.

    Example: `facts = await drill.prototype(); facts.mining_drill_radius, facts.tile_width`
    """

    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    collision_box: BoundingBox
    tile_width: int
    tile_height: int
    mining_drill_radius: float | None = None
    max_wire_distance: float | None = None
    supply_area_distance: float | None = None


# Methods are called only for the types that have them: real Factorio raises for other types.
_PROTOTYPE_LUA = """local p = prototypes.entity[{name}]
if not p then rcon.print("null") return end
local out = {{name = p.name, type = p.type, tile_width = p.tile_width, tile_height = p.tile_height,
  collision_box = p.collision_box}}
if p.type == "mining-drill" then out.mining_drill_radius = p.get_mining_drill_radius() end
if p.type == "electric-pole" then
  out.max_wire_distance = p.get_max_wire_distance()
  out.supply_area_distance = p.get_supply_area_distance()
end
rcon.print(helpers.table_to_json(out))"""

_PLACE_RESULT_LUA = """local i = prototypes.item[{name}]
if not i then rcon.print("null") return end
local r = i.place_result
rcon.print(helpers.table_to_json({{name = r and r.name or "", type = r and r.type or ""}}))"""

_INSERTER_LUA = """local e = game.surfaces[{surface}].find_entity({name}, {{{x}, {y}}})
if not e then rcon.print("null") return end
rcon.print(helpers.table_to_json({{pickup = e.pickup_position, drop = e.drop_position}}))"""


def lua_string(text: str) -> str:
    """`text` as a Lua string literal that is safe to put anywhere in generated Lua."""
    # Parenthesised: `t[[[name]]]` would not parse as an index by a long string.
    return "(" + long_bracket(text) + ")"


def decode_reply(reply: str, what: str) -> Any:
    """The JSON a `/sc` printed; UnexpectedReplyError naming `what` was read when it is not JSON."""
    try:
        return json.loads(reply)
    except json.JSONDecodeError as exc:
        raise UnexpectedReplyError(f"reading {what} from the game gave {reply[:200]!r}", reply=reply) from exc


async def entity_prototype(rcon: _Rcon, name: str) -> EntityPrototypeFacts:
    """The game's prototype facts of the entity `name`; InvalidArgumentError for a name the game lacks."""
    raw = decode_reply(await rcon.lua(_PROTOTYPE_LUA.format(name=lua_string(name))), f"the prototype {name!r}")
    if raw is None:
        raise InvalidArgumentError(f"the game has no entity prototype {name!r}; use a name like 'stone-furnace'")
    return EntityPrototypeFacts.model_validate(raw)


async def item_place_result(rcon: _Rcon, name: str) -> tuple[str, str] | None:
    """(entity name, entity type) the item places; None when it places nothing (e.g. coal)."""
    raw = decode_reply(await rcon.lua(_PLACE_RESULT_LUA.format(name=lua_string(name))), f"the item {name!r}")
    if raw is None:
        raise InvalidArgumentError(f"the game has no item {name!r}; use a name like 'iron-plate'")
    return (raw["name"], raw["type"]) if raw["name"] else None


async def inserter_positions(
    rcon: _Rcon, name: str, position: PositionLike, surface: str = "nauvis"
) -> tuple[Position, Position]:
    """(pickup_position, drop_position) of the inserter `name` at `position`, as LuaEntity has them."""
    at = Position.of(position)
    code = _INSERTER_LUA.format(surface=lua_string(surface), name=lua_string(name), x=repr(at.x), y=repr(at.y))
    raw = decode_reply(await rcon.lua(code), f"the inserter at {at}")
    if raw is None:
        raise InvalidArgumentError(f"no {name} at {at} any more; it was picked up or destroyed")
    return Position.of(raw["pickup"]), Position.of(raw["drop"])
