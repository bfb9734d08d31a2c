-- walk_to: ask Factorio's pathfinder for a path, then steer the character along it tick by tick.
local args = require("scripts.args")
local geometry = require("scripts.geometry")
local notify = require("scripts.notify")
local registry = require("scripts.registry")
local ticker = require("scripts.ticker")

---@class FvWalking
local M = {}

-- The pathfinder answers try_again_later when it is saturated; a few re-requests ride that out.
local _MAX_RETRIES = 3
-- Standing still this long while walking means something now blocks the path (e.g. an entity built on it).
local _STUCK_TICKS = 120
-- How far around the character its force charts after arriving, so the map snapshot learns the new area.
local _SIGHT_RADIUS = 64

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
    local radius = _SIGHT_RADIUS
    agent.character.force.chart(agent.character.surface, {
      left_top = { x = position.x - radius, y = position.y - radius },
      right_bottom = { x = position.x + radius, y = position.y + radius },
    })
  end
  notify.action_completed(agent, walk.action_id, "walk_to", success, { position = position }, err)
end

--- Start walking; completion arrives as an action_completed UDP message with result {position}.
---@param agent FvAgent
---@param position any
---@param options any {radius?: number}
---@return {action_id: integer, action: string, goal: MapPosition}
function M.start(agent, position, options)
  local goal = args.position(position, "position")
  local opts = args.options(options, "options")
  local radius = opts.radius == nil and 1 or args.positive_number(opts.radius, "options.radius")
  if agent.walking then
    args.fail("busy", "agent " .. agent.id .. " is already walking (action " .. agent.walking.action_id
      .. "); wait for its action_completed message")
  end
  agent.walking = {
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
