-- Agent lifecycle and the `agent` remote interface (create_agent, destroy_agents, list_agents).
local agent_interface = require("scripts.agent_interface")
local args = require("scripts.args")
local geometry = require("scripts.geometry")
local meta = require("scripts.meta")
local registry = require("scripts.registry")

---@class FvAgents
local M = {}

-- Search radius and step for a free spot for a new character; a design choice, not a game mechanic.
local _SPAWN_SEARCH_RADIUS = 32
local _SPAWN_SEARCH_PRECISION = 0.5
-- Forces whose turrets must never shoot agents, besides the other agents' forces.
local _FRIENDLY_FORCE = "player"
-- How far around a new character its force charts, so the map snapshot covers where the agent starts.
local _SIGHT_RADIUS = 64

--- Agents are friends with the player force and with each other so their turrets never fire on one another.
---@param force LuaForce
local function _befriend(force)
  local others = { _FRIENDLY_FORCE }
  for _, agent in pairs(storage.agents) do
    others[#others + 1] = agent.force_name
  end
  for _, name in ipairs(others) do
    local other = game.forces[name]
    if other and other.name ~= force.name then
      force.set_friend(other, true)
      other.set_friend(force, true)
    end
  end
end

---@param udp_port any
---@param options any {position?: MapPosition, name?: string}
---@return table
local function _create_agent(udp_port, options)
  local port = args.integer(udp_port, "udp_port", 1, 65535)
  local opts = args.options(options, "options")
  local wanted = opts.position ~= nil and args.position(opts.position, "options.position") or { x = 0, y = 0 }
  local label = opts.name ~= nil and args.string(opts.name, "options.name") or nil
  local surface = game.surfaces["nauvis"]
  local spot = surface.find_non_colliding_position("character", wanted, _SPAWN_SEARCH_RADIUS, _SPAWN_SEARCH_PRECISION)
  if not spot then
    args.fail("placement_blocked", "no free spot for a character within " .. _SPAWN_SEARCH_RADIUS .. " tiles of "
      .. geometry.format(wanted) .. "; pass another options.position")
  end
  local id = storage.next_agent_id
  storage.next_agent_id = id + 1
  local force_name = registry.force_name(id)
  local force = game.forces[force_name] or game.create_force(force_name)
  _befriend(force)
  local character = surface.create_entity({ name = "character", position = spot, force = force })
  if not character then
    args.fail("placement_blocked", "Factorio refused to create a character at " .. geometry.format(spot))
  end
  force.chart(surface, {
    left_top = { x = spot.x - _SIGHT_RADIUS, y = spot.y - _SIGHT_RADIUS },
    right_bottom = { x = spot.x + _SIGHT_RADIUS, y = spot.y + _SIGHT_RADIUS },
  })
  storage.agents[id] = {
    id = id, name = label, character = character, force_name = force_name, udp_port = port,
  }
  agent_interface.register(id)
  return {
    agent_id = id,
    interface_name = registry.interface_name(id),
    force = force_name,
    unit_number = character.unit_number,
    position = geometry.copy(character.position),
  }
end

---@param agent_ids any array of agent ids, or nil for all
---@return {destroyed: integer[]}
local function _destroy_agents(agent_ids)
  local ids = {}
  if agent_ids == nil then
    for id in pairs(storage.agents) do ids[#ids + 1] = id end
    table.sort(ids)
  else
    if type(agent_ids) ~= "table" then
      args.fail("invalid_argument", "agent_ids must be an array of agent ids or nil, got " .. args.describe(agent_ids))
    end
    -- Check every id before destroying any, so a bad list changes nothing.
    for index, id in ipairs(agent_ids) do
      args.integer(id, "agent_ids[" .. index .. "]")
      if not storage.agents[id] then
        args.fail("unknown_agent", "there is no agent " .. id .. "; nothing was destroyed")
      end
      ids[#ids + 1] = id
    end
  end
  for _, id in ipairs(ids) do
    local agent = storage.agents[id]
    if agent then
      storage.agents[id] = nil
      if agent.character.valid then agent.character.destroy() end
      agent_interface.unregister(id)
      -- Factorio cannot delete a force, only merge it; what the agent built then belongs to the player force.
      if game.forces[agent.force_name] then game.merge_forces(agent.force_name, _FRIENDLY_FORCE) end
    end
  end
  return { destroyed = ids }
end

---@return table[]
local function _list_agents()
  local list = {}
  for id, agent in pairs(storage.agents) do
    list[#list + 1] = {
      agent_id = id,
      interface_name = registry.interface_name(id),
      force = agent.force_name,
      position = agent.character.valid and geometry.copy(agent.character.position) or nil,
      udp_port = agent.udp_port,
    }
  end
  table.sort(list, function(a, b) return a.agent_id < b.agent_id end)
  return list
end

function M.on_init()
  storage.agents = {}
  storage.next_agent_id = 1
  storage.next_action_id = 1
end

function M.on_load()
  for id in pairs(storage.agents or {}) do
    agent_interface.register(id)
  end
end

function M.add_remote_interface()
  remote.add_interface("agent", {
    version = function() return meta.version("agent") end,
    create_agent = _create_agent,
    destroy_agents = _destroy_agents,
    list_agents = _list_agents,
  })
end

return M
