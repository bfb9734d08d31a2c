-- Agent lifecycle and the `agent` remote interface (create_agent, destroy_agents, list_agents).
local agent_interface = require("scripts.agent_interface")
local args = require("scripts.args")
local geometry = require("scripts.geometry")
local chart = require("scripts.chart")
local declared = require("scripts.declared")
local registry = require("scripts.registry")

---@class FvAgents
local M = {}

M.DOC = "Agent lifecycle: create, destroy and list agents."

-- Search radius and step for a free spot for a new character; a design choice, not a game mechanic.
local _SPAWN_SEARCH_RADIUS = 32
local _SPAWN_SEARCH_PRECISION = 0.5
-- Forces whose turrets must never shoot agents, besides the other agents' forces.
local _FRIENDLY_FORCE = "player"

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

---@param p {udp_port: integer, options: {position: MapPosition|nil, name: string|nil, force: string, research: string}}
---@return table
local function _create_agent(p)
  local opts = p.options
  local wanted = opts.position or { x = 0, y = 0 }
  local own = opts.force == "own"
  if not own and not game.forces[opts.force] then
    args.fail("invalid_argument", "options.force: there is no force " .. args.describe(opts.force)
      .. "; pass \"own\" or an existing force such as \"player\"")
  end
  if not own and opts.research == "shared" then
    args.fail("invalid_argument", "options.research = \"shared\" needs options.force = \"own\": an agent on a "
      .. "shared force already shares that force's research")
  end
  local surface = game.surfaces["nauvis"]
  surface.request_to_generate_chunks(wanted, 1)
  surface.force_generate_chunk_requests()
  local spot = surface.find_non_colliding_position("character", wanted, _SPAWN_SEARCH_RADIUS, _SPAWN_SEARCH_PRECISION)
  if not spot then
    args.fail("placement_blocked", "no free spot for a character within " .. _SPAWN_SEARCH_RADIUS .. " tiles of "
      .. geometry.format(wanted) .. "; pass another options.position")
  end
  local id = storage.next_agent_id
  local force_name = own and registry.force_name(id) or opts.force
  local force = game.forces[force_name] or game.create_force(force_name)
  local character = surface.create_entity({ name = "character", position = spot, force = force })
  if not character then
    args.fail("placement_blocked", "Factorio refused to create a character at " .. geometry.format(spot))
  end
  storage.next_agent_id = id + 1
  if own then _befriend(force) end
  storage.agents[id] = {
    id = id, name = opts.name, character = character, force_name = force_name, own_force = own,
    research_shared = opts.research == "shared", udp_port = p.udp_port,
  }
  if opts.research == "shared" then
    -- Start from what the shared research has reached; later finishes are copied as they happen (research.lua).
    for name, technology in pairs(game.forces[_FRIENDLY_FORCE].technologies) do
      if technology.researched then force.technologies[name].researched = true end
    end
  end
  chart.around(character)
  agent_interface.register(id)
  return {
    agent_id = id,
    interface_name = registry.interface_name(id),
    force = force_name,
    unit_number = character.unit_number,
    position = geometry.copy(character.position),
  }
end

---@param p {agent_ids: integer[]|nil}
---@return {destroyed: integer[]}
local function _destroy_agents(p)
  local ids = {}
  if p.agent_ids == nil then
    for id in pairs(storage.agents) do ids[#ids + 1] = id end
    table.sort(ids)
  else
    -- Check every id before destroying any, so a bad list changes nothing.
    for index, id in ipairs(p.agent_ids) do
      if not storage.agents[id] then
        args.fail("unknown_agent", "agent_ids[" .. index .. "]: there is no agent " .. id .. "; nothing was destroyed")
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
      if agent.own_force ~= false and game.forces[agent.force_name] then
        game.merge_forces(agent.force_name, _FRIENDLY_FORCE)
      end
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
      name = agent.name,
      interface_name = registry.interface_name(id),
      force = agent.force_name,
      position = agent.character.valid and geometry.copy(agent.character.position) or nil,
      udp_port = agent.udp_port,
    }
  end
  table.sort(list, function(a, b) return a.agent_id < b.agent_id end)
  return list
end

---@type FvMethod[]
M.METHODS = {
  {
    name = "create_agent", mutates = true,
    doc = "Create an agent: a character on its own or a shared force, with its own agent_<id> interface.",
    params = {
      { name = "udp_port", type = "integer", min = 1, max = 65535,
        doc = "where this agent's action_completed messages go (localhost)" },
      { name = "options", type = "object", default = {}, doc = "where and how", fields = {
        { name = "position", type = "position", optional = true, doc = "spawn at the free spot nearest this (default 0,0)" },
        { name = "name", type = "string", optional = true, doc = "a label for the agent" },
        { name = "force", type = "string", default = "own",
          doc = "\"own\" (a new force fv_embodied_agent.agent_<id>) or an existing force to share" },
        { name = "research", type = "string", enum = { "independent", "shared" }, default = "independent",
          doc = "with an own force: research on its own, or share what player and other sharing agents research" },
      } },
    },
    returns = "{agent_id, interface_name, force, unit_number, position}",
    errors = { "placement_blocked" },
    run = function(_, p) return _create_agent(p) end,
  },
  {
    name = "destroy_agents", mutates = true,
    doc = "Destroy agents (all when agent_ids is omitted); an own force is merged into player.",
    params = { { name = "agent_ids", type = "array", optional = true, doc = "the agents; omitted: all",
      items = { name = "agent_id", type = "integer", min = 1, doc = "an agent id" } } },
    returns = "{destroyed: [agent_id]}", errors = { "unknown_agent" },
    run = function(_, p) return _destroy_agents(p) end,
  },
  {
    name = "list_agents", doc = "The live agents.", params = {},
    returns = "[{agent_id, name?, interface_name, force, position, udp_port}]", errors = {},
    run = function() return _list_agents() end,
  },
}

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
  remote.add_interface("agent", declared.interface("agent", M.DOC, M.METHODS, function() return nil end))
end

return M
