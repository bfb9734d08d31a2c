-- Movement: walk_to (Factorio's pathfinder plans, the character is steered along the path tick by tick),
-- stop_walking, teleport and get_position.
local args = require("scripts.args")
local chart = require("scripts.chart")
local geometry = require("scripts.geometry")
local notify = require("scripts.notify")
local registry = require("scripts.registry")
local targets = require("scripts.targets")
local ticker = require("scripts.ticker")

---@class FvWalking
local M = {}

-- The pathfinder answers try_again_later when it is saturated; a few re-requests ride that out.
local _MAX_RETRIES = 3
-- Standing still this long while walking means something now blocks the path (e.g. an entity built on it).
local _STUCK_TICKS = 120
-- Farthest goal walk_to accepts: the chunks along the way are generated at once (force_generate_chunk_requests),
-- which must stay a bounded amount of work for one call.
local _MAX_WALK_DISTANCE = 2048
-- Chunks generated on each side of the straight line to the goal, so the pathfinder has room to go around lakes;
-- when it finds no path the corridor widens by a step, up to the widest, before the walk fails.
local _CORRIDOR_CHUNKS = 2
local _CORRIDOR_STEP = 2
local _CORRIDOR_WIDEST = 6
local _CHUNK_SIZE = 32

---@param agent FvAgent
local function _request_path(agent)
  local walk = agent.walking --[[@as FvWalkState]]
  local character = agent.character
  local prototype = character.prototype
  walk.request_id = character.surface.request_path({
    bounding_box = prototype.collision_box,
    collision_mask = prototype.collision_mask,
    start = character.position,
    goal = walk.goal,
    force = character.force,
    radius = walk.radius,
    entity_to_ignore = character,
    -- A cached path may predate entities the agents just built.
    pathfind_flags = { cache = false, no_break = true },
  })
  storage.path_requests[walk.request_id] = { agent_id = agent.id, action_id = walk.action_id }
end

---@param agent FvAgent
---@param success boolean
---@param err string|nil
local function _finish(agent, success, err)
  local walk = agent.walking --[[@as FvWalkState]]
  agent.walking = nil
  local position = walk.goal
  if agent.character.valid then
    agent.character.walking_state = { walking = false, direction = walk.direction }
    position = geometry.copy(agent.character.position)
    chart.around(agent.character)
  end
  notify.action_completed(agent, walk.action_id, "walk_to", success, { position = position }, err)
end

--- Generate the chunks between `from` and `to` (and a margin), so the path can leave the generated start area.
---@param surface LuaSurface
---@param from MapPosition
---@param to MapPosition
---@param corridor integer chunks on each side of the line
local function _extend_map(surface, from, to, corridor)
  local distance = geometry.distance(from, to)
  local steps = math.max(1, math.ceil(distance / _CHUNK_SIZE))
  for step = 0, steps do
    local t = step / steps
    surface.request_to_generate_chunks({ x = from.x + (to.x - from.x) * t, y = from.y + (to.y - from.y) * t },
      corridor)
  end
  surface.force_generate_chunk_requests()
end

---@param agent FvAgent
---@param what string
local function _refuse_if_mining(agent, what)
  if agent.mining then
    args.fail("busy", "agent " .. agent.id .. " is mining (action " .. agent.mining.action_id .. "); "
      .. "stop_mining first or wait for it, then " .. what)
  end
end

--- Start walking; completion arrives as an action_completed UDP message with result {position}.
---@param agent FvAgent
---@param p {position: MapPosition, options: {radius: number|nil, entity_name: string|nil}}
---@return {action_id: integer, action: string, goal: MapPosition}
function M.start(agent, p)
  local goal = p.position
  local radius = p.options.radius or 1
  if agent.walking then
    args.fail("busy", "agent " .. agent.id .. " is already walking (action " .. agent.walking.action_id
      .. "); stop_walking or wait for its action_completed message")
  end
  _refuse_if_mining(agent, "walk")
  local character = agent.character
  if p.options.entity_name then
    -- Walking to an entity ends beside its box: the pathfinder stops at the first free spot within the radius.
    local entity = targets.find(character, p.options.entity_name, goal, "options.entity_name")
    local box = entity.bounding_box
    local half = math.max(box.right_bottom.x - box.left_top.x, box.right_bottom.y - box.left_top.y) / 2
    goal = geometry.copy(entity.position)
    radius = half + (p.options.radius or 1)
  end
  local distance = geometry.distance(character.position, goal)
  if distance > _MAX_WALK_DISTANCE then
    args.fail("invalid_argument", string.format("position %s is %.0f tiles away; walk_to goes at most %d tiles at a "
      .. "time, walk in legs", geometry.format(goal), distance, _MAX_WALK_DISTANCE))
  end
  _extend_map(character.surface, character.position, goal, _CORRIDOR_CHUNKS)
  agent.walking = {
    corridor = _CORRIDOR_CHUNKS,
    action_id = registry.next_action_id(),
    goal = goal,
    radius = radius,
    retries = 0,
    index = 1,
    step = agent.character.prototype.running_speed,
    still_ticks = 0,
    direction = defines.direction.north,
  }
  _request_path(agent)
  return { action_id = agent.walking.action_id, action = "walk_to", goal = goal }
end

--- Stop a walk under way; its action_completed message reports the cancellation.
---@param agent FvAgent
---@return {stopped: boolean, action_id: integer|nil, position: MapPosition}
function M.stop(agent)
  local walk = agent.walking
  if not walk then
    return { stopped = false, position = geometry.copy(agent.character.position) }
  end
  _finish(agent, false, "[fv:cancelled] stop_walking was called")
  return { stopped = true, action_id = walk.action_id, position = geometry.copy(agent.character.position) }
end

--- Move the character at once to the free spot nearest `position` (generating the map there if needed).
---@param agent FvAgent
---@param p {position: MapPosition}
---@return {position: MapPosition}
function M.teleport(agent, p)
  if agent.walking then
    args.fail("busy", "agent " .. agent.id .. " is walking (action " .. agent.walking.action_id
      .. "); stop_walking first")
  end
  _refuse_if_mining(agent, "teleport")
  local character = agent.character
  local surface = character.surface
  surface.request_to_generate_chunks(p.position, 1)
  surface.force_generate_chunk_requests()
  local spot = surface.find_non_colliding_position("character", p.position, 8, 0.5)
  if not spot then
    args.fail("placement_blocked", "no free spot for the character within 8 tiles of " .. geometry.format(p.position))
  end
  if not character.teleport(spot) then
    args.fail("placement_blocked", "Factorio refused to teleport the character to " .. geometry.format(spot))
  end
  chart.around(character)
  return { position = geometry.copy(character.position) }
end

---@param agent FvAgent
---@param action_id integer
---@return table|nil
function M.progress(agent, action_id)
  local walk = agent.walking
  if not (walk and walk.action_id == action_id) then return nil end
  local remaining = nil
  if walk.waypoints then
    remaining = geometry.distance(agent.character.position, walk.waypoints[walk.index])
    for index = walk.index, #walk.waypoints - 1 do
      remaining = remaining + geometry.distance(walk.waypoints[index], walk.waypoints[index + 1])
    end
  end
  return { action = "walk_to", goal = walk.goal, planned = walk.waypoints ~= nil, remaining_distance = remaining }
end

local _ENTITY_FIELD = { name = "entity_name", type = "string", optional = true,
  doc = "walk to beside the entity of this name at `position` instead of onto the position" }

---@type FvMethod[]
M.methods = {
  {
    name = "walk_to", async = true, mutates = true,
    doc = "Walk along a path from Factorio's pathfinder to a position, or to beside an entity.",
    params = {
      { name = "position", type = "position", doc = "the goal (an entity's position with options.entity_name)" },
      { name = "options", type = "object", default = {}, doc = "how to walk", fields = {
        { name = "radius", type = "number", above = 0, optional = true,
          doc = "stop within this many tiles of the goal (default 1; beyond the entity's box with entity_name)" },
        _ENTITY_FIELD,
      } },
    },
    returns = "{action_id, action = 'walk_to', goal}; completion over UDP: result {position}",
    errors = { "busy", "no_path", "cancelled", "entity_not_found", "unknown_entity" },
    run = M.start,
  },
  {
    name = "stop_walking", mutates = true, doc = "Stop walking where the character stands; the walk reports cancelled.",
    params = {}, returns = "{stopped, action_id?, position}", errors = {},
    run = M.stop,
  },
  {
    name = "teleport", mutates = true, doc = "Move the character at once to the free spot nearest a position.",
    params = { { name = "position", type = "position", doc = "where to go" } },
    returns = "{position}", errors = { "busy", "placement_blocked" },
    run = M.teleport,
  },
  {
    name = "get_position", doc = "Where the character stands.", params = {}, returns = "{x, y}", errors = {},
    ---@param agent FvAgent
    run = function(agent) return geometry.copy(agent.character.position) end,
  },
}

---@param event EventData.on_script_path_request_finished
local function _on_path(event)
  local request = storage.path_requests[event.id]
  if not request then return end
  storage.path_requests[event.id] = nil
  local agent = storage.agents[request.agent_id]
  -- The agent may have been destroyed while the pathfinder worked.
  if not agent or not agent.walking or agent.walking.action_id ~= request.action_id then return end
  local walk = agent.walking --[[@as FvWalkState]]
  if not agent.character.valid then
    _finish(agent, false, "[fv:unknown_agent] agent " .. agent.id .. "'s character no longer exists")
    return
  end
  if event.try_again_later then
    if walk.retries < _MAX_RETRIES then
      walk.retries = walk.retries + 1
      _request_path(agent)
    else
      _finish(agent, false, "[fv:no_path] the pathfinder stayed too busy to plan a path; call walk_to again later")
    end
    return
  end
  if not event.path and walk.corridor < _CORRIDOR_WIDEST then
    walk.corridor = walk.corridor + _CORRIDOR_STEP
    _extend_map(agent.character.surface, agent.character.position, walk.goal, walk.corridor)
    _request_path(agent)
    return
  end
  if not event.path then
    _finish(agent, false, "[fv:no_path] no path from " .. geometry.format(agent.character.position) .. " to within "
      .. walk.radius .. " tiles of " .. geometry.format(walk.goal)
      .. "; the goal may be on water or enclosed, pick another goal or a larger options.radius")
    return
  end
  walk.waypoints = {}
  for index, waypoint in ipairs(event.path) do
    walk.waypoints[index] = geometry.copy(waypoint.position)
  end
  walk.last_position = geometry.copy(agent.character.position)
  if #walk.waypoints == 0 then
    _finish(agent, true, nil)
  else
    ticker.wake()
  end
end

---@param agent FvAgent
local function _steer(agent)
  local walk = agent.walking --[[@as FvWalkState]]
  local character = agent.character
  local position = character.position
  local moved = geometry.distance(position, walk.last_position)
  walk.last_position = geometry.copy(position)
  -- Tiles like concrete change the speed, so the acceptance distance follows the measured step, never below
  -- the prototype's running speed.
  walk.step = math.max(character.prototype.running_speed, moved)
  walk.still_ticks = moved < 1e-3 and walk.still_ticks + 1 or 0
  if walk.still_ticks >= _STUCK_TICKS then
    _finish(agent, false, "[fv:no_path] stuck at " .. geometry.format(position) .. " for " .. _STUCK_TICKS
      .. " ticks on the way to " .. geometry.format(walk.goal) .. "; something blocks the path, call walk_to again")
    return
  end
  -- 8-way steering toward a point that is off those 8 directions zig-zags around it, so a waypoint counts as
  -- reached once it is within one step.
  local target = walk.waypoints[walk.index]
  while walk.index < #walk.waypoints and geometry.distance(position, target) <= walk.step do
    walk.index = walk.index + 1
    target = walk.waypoints[walk.index]
  end
  if walk.index == #walk.waypoints and geometry.distance(position, target) <= walk.step then
    -- Less than one tick of movement remains; teleporting onto the pathfinder's last waypoint (a collision-free
    -- spot) ends the walk exactly there instead of oscillating around it.
    character.teleport(target)
    _finish(agent, true, nil)
    return
  end
  walk.direction = geometry.direction_toward(position, target)
  character.walking_state = { walking = true, direction = walk.direction }
end

---@param _ EventData.on_tick
local function _on_tick(_)
  for _, agent in pairs(storage.agents) do
    local walk = agent.walking
    if walk and walk.waypoints then
      if agent.character.valid then
        _steer(agent)
      else
        _finish(agent, false, "[fv:unknown_agent] agent " .. agent.id .. "'s character no longer exists")
      end
    end
  end
end

--- Whether some agent steers along a path (on_tick's work; an agent waiting for its path needs no tick).
---@return boolean
local function _has_work()
  for _, agent in pairs(storage.agents) do
    if agent.walking and agent.walking.waypoints then return true end
  end
  return false
end

ticker.add("walking", { has_work = _has_work, on_tick = _on_tick })

function M.on_init()
  storage.path_requests = {}
end

M.events = {
  [defines.events.on_script_path_request_finished] = _on_path,
}

return M
