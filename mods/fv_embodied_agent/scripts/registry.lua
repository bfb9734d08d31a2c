-- The agents kept in storage, and the names derived from an agent id. Separate from scripts/agents.lua so the
-- action modules can look agents up without a require cycle through the interface factory.
local args = require("scripts.args")

---@class FvWalkState
---@field action_id integer
---@field goal MapPosition
---@field radius number
---@field request_id integer|nil pending LuaSurface.request_path id
---@field retries integer
---@field waypoints MapPosition[]|nil set once the pathfinder answered
---@field index integer next waypoint
---@field last_position MapPosition|nil
---@field step number distance the character covered on the last tick
---@field still_ticks integer ticks without movement while walking
---@field direction defines.direction
---@field corridor integer chunks generated on each side of the straight line to the goal

---@class FvMineState
---@field action_id integer
---@field target LuaEntity what the character mines (a resource, tree or rock)
---@field resource boolean whether the target is a resource (counted by its amount)
---@field item string
---@field products {name: string, count: integer}[]
---@field target_count integer|nil nil: until the target is depleted
---@field count integer cycles finished
---@field last_amount integer the target's amount when last counted
---@field position MapPosition

---@class FvAgent
---@field id integer
---@field name string|nil
---@field character LuaEntity
---@field force_name string
---@field own_force boolean|nil false when the agent shares an existing force
---@field research_shared boolean|nil
---@field udp_port integer
---@field walking FvWalkState|nil
---@field mining FvMineState|nil
---@field crafts FvCraftAction[]|nil
---@field research FvResearchAction[]|nil
---@field completions table|nil

---@class FvRegistry
local M = {}

---@param agent_id integer
---@return string
function M.interface_name(agent_id)
  return "agent_" .. agent_id
end

---@param agent_id integer
---@return string
function M.force_name(agent_id)
  return "fv_embodied_agent.agent_" .. agent_id
end

--- The agent with a live character; anything else is an unknown_agent error the caller can act on.
---@param agent_id integer
---@return FvAgent
function M.get(agent_id)
  local agent = storage.agents[agent_id]
  if not agent then
    args.fail("unknown_agent", "there is no agent " .. args.describe(agent_id)
      .. "; list_agents() on the `agent` interface shows the live ones")
  end
  if not agent.character.valid then
    args.fail("unknown_agent", "agent " .. agent_id .. "'s character no longer exists (it died or was destroyed); "
      .. "destroy the agent and create a new one")
  end
  return agent
end

--- Action ids are unique across agents so a completion can never be matched to the wrong request.
---@return integer
function M.next_action_id()
  local id = storage.next_action_id
  storage.next_action_id = id + 1
  return id
end

return M
