"""nearest(name) and get_resource_patch(resource, position): the game's own search, read over RCON.

Looking needs no reach, so these reads go through the game's API (LuaSurface.find_entities_filtered) as the map
snapshot and sdk/_game_facts.py do, not through the agent's interface; the agent only says where it stands and
which force it is. Distances and patch extents are computed in the game, on the entities it holds now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from factoryverse.sdk._args import position_arg
from factoryverse.sdk._game_facts import decode_reply, lua_string
from factoryverse.sdk.errors import EntityNotFoundError, InvalidArgumentError
from factoryverse.sdk.types import BoundingBox, Position, PositionLike

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["nearest", "get_resource_patch", "ResourcePatch", "NEAREST_MAX_RADIUS"]

# How far nearest() looks, in tiles: past this the answer is "none" (the search doubles its radius up to it).
NEAREST_MAX_RADIUS = 1024
# Half the side of the largest square get_resource_patch reads; a patch reaching past it is reported cut off.
_PATCH_MAX_HALF = 256

# Entities of these types belong to no player force (ore, trees, rocks, fish): searched on every force.
_NATURAL = "resource tree simple-entity fish cliff"

_NEAREST_LUA = """local name, fx, fy, force, maxr = {name}, {x}, {y}, {force}, {maxr}
local p = prototypes.entity[name]
if not p then rcon.print("null") return end
local natural = {{}}
for t in string.gmatch({natural}, "%S+") do natural[t] = true end
local s = game.surfaces["nauvis"]
local r = 16
while true do
  local filter = {{name = name, position = {{fx, fy}}, radius = r}}
  if not natural[p.type] then filter.force = force end
  local best, bd
  for _, e in pairs(s.find_entities_filtered(filter)) do
    local dx, dy = e.position.x - fx, e.position.y - fy
    local d = dx * dx + dy * dy
    if not best or d < bd or (d == bd and (e.position.y < best.position.y or
        (e.position.y == best.position.y and e.position.x < best.position.x))) then best, bd = e, d end
  end
  if best then
    rcon.print(helpers.table_to_json({{found = true, type = p.type, position = best.position,
      distance = math.sqrt(bd)}}))
    return
  end
  if r >= maxr then rcon.print(helpers.table_to_json({{found = false, type = p.type, radius = r}})) return end
  r = math.min(r * 2, maxr)
end"""

# Reads every tile of the resource in a square around the start, and grows the square while the patch (the
# 8-connected tiles reachable from the start tile) touches its edge.
_PATCH_LUA = """local name, px, py, maxhalf = {name}, {x}, {y}, {maxhalf}
local p = prototypes.entity[name]
if not p then rcon.print("null") return end
if p.type ~= "resource" then rcon.print(helpers.table_to_json({{error = "not_resource", type = p.type}})) return end
local s = game.surfaces["nauvis"]
local seeds = s.find_entities_filtered({{name = name, position = {{px, py}}, radius = 3}})
local seed, sd
for _, e in pairs(seeds) do
  local d = (e.position.x - px) ^ 2 + (e.position.y - py) ^ 2
  if not seed or d < sd then seed, sd = e, d end
end
if not seed then rcon.print(helpers.table_to_json({{error = "none"}})) return end
local cx, cy = math.floor(seed.position.x), math.floor(seed.position.y)
local half = 32
while true do
  local x0, y0, x1, y1 = cx - half, cy - half, cx + half, cy + half
  local amounts = {{}}
  for _, e in pairs(s.find_entities_filtered({{name = name, area = {{{{x0, y0}}, {{x1 + 1, y1 + 1}}}}}})) do
    amounts[math.floor(e.position.x) .. "," .. math.floor(e.position.y)] = e.amount
  end
  local seen, queue, head = {{[cx .. "," .. cy] = true}}, {{{{cx, cy}}}}, 1
  local count, total, edge = 0, 0, false
  local lx, ly, rx, ry = cx, cy, cx, cy
  while queue[head] do
    local t = queue[head]
    head = head + 1
    local x, y = t[1], t[2]
    count = count + 1
    total = total + amounts[x .. "," .. y]
    if x < lx then lx = x end
    if y < ly then ly = y end
    if x > rx then rx = x end
    if y > ry then ry = y end
    if x == x0 or x == x1 or y == y0 or y == y1 then edge = true end
    for dx = -1, 1 do
      for dy = -1, 1 do
        local k = (x + dx) .. "," .. (y + dy)
        if amounts[k] and not seen[k] then
          seen[k] = true
          queue[#queue + 1] = {{x + dx, y + dy}}
        end
      end
    end
  end
  if not edge or half >= maxhalf then
    rcon.print(helpers.table_to_json({{size = count, amount = total, cut_off = edge,
      left_top = {{x = lx, y = ly}}, right_bottom = {{x = rx + 1, y = ry + 1}},
      start = {{x = seed.position.x, y = seed.position.y}}}}))
    return
  end
  half = math.min(half * 4, maxhalf)
end"""


class ResourcePatch(BaseModel):
    """One connected patch of a resource: its tiles' count, their total amount and the box they span.

    Example: patch = await get_resource_patch(agent, "iron-ore", pos); print(patch.size, patch.amount)
    """

    model_config = ConfigDict(frozen=True)

    name: str
    size: int
    amount: int
    bounding_box: BoundingBox
    start: Position
    # True when the patch reaches past the largest square read: size and amount then count only that square.
    cut_off: bool = False


def _name(method: str, value: Any) -> str:
    name = getattr(value, "name", value)
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"{method} takes a name like 'iron-ore' or 'stone-furnace', not {value!r}")
    return name


async def nearest(agent: Agent, name: Any, from_: PositionLike | None = None) -> Position:
    """Where the nearest `name` (a resource, tree, rock, or an entity of the agent's force) is, measured from the
    character (or from `from_`); EntityNotFoundError when none is within NEAREST_MAX_RADIUS tiles.

    Example: await walking.to(await nearest(agent, "iron-ore"))
    """
    what = _name("nearest", name)
    if from_ is not None:
        origin = position_arg(from_, "nearest", "from_")
    else:
        origin = Position.of(await agent.call("get_position"))
    code = _NEAREST_LUA.format(name=lua_string(what), x=repr(origin.x), y=repr(origin.y),
                               force=lua_string(agent.info.force), maxr=NEAREST_MAX_RADIUS,
                               natural=lua_string(_NATURAL))
    raw = decode_reply(await agent.rcon.lua(code), f"nearest({what!r})")
    if raw is None:
        raise InvalidArgumentError(f"nearest: the game has no entity {what!r}; use a name like 'iron-ore'")
    if not raw.get("found"):
        whose = "" if raw.get("type") in _NATURAL.split() else f" of force {agent.info.force}"
        raise EntityNotFoundError(
            f"nearest: no {what}{whose} within {NEAREST_MAX_RADIUS} tiles of {origin}; explore further "
            "(walking.to) or place one", code="entity_not_found", interface=agent.interface_name, method="nearest")
    return Position.of(raw["position"])


async def get_resource_patch(agent: Agent, resource: Any, position: PositionLike) -> ResourcePatch:
    """The patch of `resource` whose tile is at (or within 3 tiles of) `position`: tile count, total amount and
    bounding box, as the game holds them now.

    Example: patch = await get_resource_patch(agent, "iron-ore", await nearest(agent, "iron-ore"))
    """
    what = _name("get_resource_patch", resource)
    at = position_arg(position, "get_resource_patch")
    code = _PATCH_LUA.format(name=lua_string(what), x=repr(at.x), y=repr(at.y), maxhalf=_PATCH_MAX_HALF)
    raw = decode_reply(await agent.rcon.lua(code), f"get_resource_patch({what!r})")
    if raw is None:
        raise InvalidArgumentError(f"get_resource_patch: the game has no entity {what!r}; use e.g. 'iron-ore'")
    if raw.get("error") == "not_resource":
        raise InvalidArgumentError(f"get_resource_patch: {what!r} is a {raw.get('type')}, not a resource")
    if raw.get("error") == "none":
        raise EntityNotFoundError(
            f"get_resource_patch: no {what} within 3 tiles of {at}; pass a position on the patch "
            f"(await nearest({what!r}) gives one)", code="entity_not_found", interface=agent.interface_name,
            method="get_resource_patch")
    box = BoundingBox(left_top=Position.of(raw["left_top"]), right_bottom=Position.of(raw["right_bottom"]))
    return ResourcePatch(name=what, size=int(raw["size"]), amount=int(raw["amount"]), bounding_box=box,
                         start=Position.of(raw["start"]), cut_off=bool(raw.get("cut_off")))
