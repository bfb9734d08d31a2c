-- Research through the agent's force: LuaForce.add_research, research_queue, cancel_current_research and the
-- technologies table. Research belongs to a force, so agents sharing a force share it; agents created with
-- research = "shared" also get every technology the other sharing forces (and `player`) finish.
local args = require("scripts.args")
local notify = require("scripts.notify")
local registry = require("scripts.registry")

---@class FvResearchAction
---@field action_id integer
---@field technology string
---@field force string

---@class FvResearch
local M = {}

-- The force whose research agents created with research = "shared" follow.
local _SHARED_WITH = "player"

---@param agent FvAgent
---@param action FvResearchAction
---@param success boolean
---@param err string|nil
local function _report(agent, action, success, err)
  notify.action_completed(agent, action.action_id, "enqueue_research", success, { technology = action.technology }, err)
end

--- End every pending research action of `force_name` for `technology` with the given outcome.
---@param force_name string
---@param technology string
---@param success boolean
---@param err string|nil
local function _settle(force_name, technology, success, err)
  for _, agent in pairs(storage.agents) do
    local kept = {}
    for _, action in ipairs(agent.research or {}) do
      if action.force == force_name and action.technology == technology then
        _report(agent, action, success, err)
      else
        kept[#kept + 1] = action
      end
    end
    agent.research = kept
  end
end

---@param force LuaForce
---@param name string
---@return LuaTechnology
local function _technology(force, name)
  args.technology_prototype(name)
  return force.technologies[name]
end

--- Queue a technology for the agent's force; completion arrives when the game finishes researching it.
---@param agent FvAgent
---@param p {technology_name: string}
---@return {action_id: integer, action: string, technology: string, queue: string[]}
function M.enqueue(agent, p)
  local force = agent.character.force
  local technology = _technology(force, p.technology_name)
  if technology.researched then
    args.fail("invalid_state", "technology_name: " .. technology.name .. " is already researched")
  end
  if not technology.enabled then
    args.fail("invalid_state", "technology_name: " .. technology.name .. " is not enabled for the agent's force")
  end
  local ok, added = pcall(force.add_research, technology.name)
  if not ok or added == false then
    local trigger = M.trigger(technology)
    local why = trigger and ("; it is researched by its trigger (" .. trigger.type .. "), not with science packs")
      or "; its prerequisites may be missing (get_technologies lists them)"
    args.fail("game_refused", "the game did not queue " .. technology.name .. (ok and "" or (": " .. tostring(added)))
      .. why)
  end
  local action = { action_id = registry.next_action_id(), technology = technology.name, force = force.name }
  agent.research = agent.research or {}
  agent.research[#agent.research + 1] = action
  return { action_id = action.action_id, action = "enqueue_research", technology = technology.name,
    queue = M.queue(agent).queue }
end

--- Stop the force's current research; its enqueue_research action reports cancelled.
---@param agent FvAgent
---@return {cancelled: string|nil}
function M.cancel_current(agent)
  local force = agent.character.force
  local current = force.current_research
  if not current then
    args.fail("invalid_state", "the agent's force is researching nothing")
  end
  local name = current.name
  force.cancel_current_research()
  _settle(force.name, name, false, "[fv:cancelled] cancel_current_research was called")
  return { cancelled = name }
end

---@param agent FvAgent
---@return {current: string|nil, progress: number, queue: string[]}
function M.queue(agent)
  local force = agent.character.force
  local names = {}
  for _, technology in pairs(force.research_queue or {}) do names[#names + 1] = technology.name end
  local current = force.current_research
  return { current = current and current.name or nil, progress = force.research_progress, queue = names }
end

--- A trigger technology's trigger as plain values (its type and what it counts), or nil for one researched with
--- science packs. The game refuses to queue a trigger technology: it is researched when the trigger happens.
---@param technology LuaTechnology
---@return table|nil
function M.trigger(technology)
  local trigger = technology.prototype.research_trigger
  if not trigger then return nil end
  local out = {}
  for key, value in pairs(trigger) do
    if type(value) == "string" or type(value) == "number" then out[key] = value end
  end
  return out
end

--- The force's technologies: researched or not, enabled, prerequisites and cost (science packs or a trigger).
---@param agent FvAgent
---@param p {researchable_only: boolean}
---@return table[]
function M.technologies(agent, p)
  local out = {}
  for name, technology in pairs(agent.character.force.technologies) do
    local prerequisites = {}
    local ready = true
    for prerequisite_name, prerequisite in pairs(technology.prerequisites) do
      prerequisites[#prerequisites + 1] = prerequisite_name
      if not prerequisite.researched then ready = false end
    end
    local trigger = M.trigger(technology)
    -- Researchable means enqueue_research takes it, as add_research does: never a trigger technology.
    local researchable = technology.enabled and not technology.researched and ready and trigger == nil
    if researchable or not p.researchable_only then
      local ingredients = {}
      for _, ingredient in pairs(technology.research_unit_ingredients) do
        ingredients[#ingredients + 1] = { name = ingredient.name, amount = ingredient.amount }
      end
      table.sort(prerequisites)
      out[#out + 1] = {
        name = name, researched = technology.researched, enabled = technology.enabled, researchable = researchable,
        prerequisites = prerequisites, research_unit_count = technology.research_unit_count,
        research_unit_ingredients = ingredients, research_trigger = trigger,
      }
    end
  end
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

--- Forces that share research: `player` and the forces of agents created with research = "shared".
---@return table<string, boolean>
local function _sharing_forces()
  local forces = { [_SHARED_WITH] = true }
  for _, agent in pairs(storage.agents) do
    if agent.research_shared then forces[agent.force_name] = true end
  end
  return forces
end

---@param event EventData.on_research_finished
local function _on_finished(event)
  local technology = event.research
  local force_name = technology.force.name
  _settle(force_name, technology.name, true, nil)
  local sharing = _sharing_forces()
  if not sharing[force_name] then return end
  for name in pairs(sharing) do
    local force = game.forces[name]
    local other = force and force.technologies[technology.name]
    -- Already researched there means this event came from the share itself; stop instead of echoing it back.
    if other and not other.researched then other.researched = true end
  end
end

---@param event EventData.on_research_cancelled
local function _on_cancelled(event)
  for name in pairs(event.research) do
    _settle(event.force.name, name, false, "[fv:cancelled] the research was taken out of the force's queue")
  end
end

M.events = {
  [defines.events.on_research_finished] = _on_finished,
  [defines.events.on_research_cancelled] = _on_cancelled,
}

---@param agent FvAgent
---@param action_id integer
---@return table|nil
function M.progress(agent, action_id)
  for _, action in ipairs(agent.research or {}) do
    if action.action_id == action_id then
      local force = agent.character.force
      local current = force.current_research
      local is_current = current ~= nil and current.name == action.technology
      return { action = "enqueue_research", technology = action.technology, current = is_current,
        progress = is_current and force.research_progress or nil }
    end
  end
  return nil
end

---@type FvMethod[]
M.methods = {
  {
    name = "enqueue_research", async = true, mutates = true,
    doc = "Add a technology to the back of the agent's force's research queue.",
    params = { { name = "technology_name", type = "string", doc = "the technology, e.g. automation" } },
    returns = "{action_id, action = 'enqueue_research', technology, queue}; completion over UDP: result {technology}",
    errors = { "unknown_technology", "invalid_state", "game_refused", "cancelled" },
    run = M.enqueue,
  },
  {
    name = "cancel_current_research", mutates = true,
    doc = "Stop the force's current research; its enqueue_research action reports cancelled.",
    params = {}, returns = "{cancelled}", errors = { "invalid_state" },
    run = M.cancel_current,
  },
  {
    name = "get_research_queue", doc = "The force's current research, its progress and the queue.",
    params = {}, returns = "{current?, progress, queue: [technology]}", errors = {},
    run = M.queue,
  },
  {
    name = "get_technologies", doc = "The force's technologies with their state, prerequisites and cost.",
    params = { { name = "researchable_only", type = "boolean", default = false,
      doc = "only technologies enqueue_research takes now (enabled, not done, prerequisites done, no trigger)" } },
    returns = "[{name, researched, enabled, researchable, prerequisites, research_unit_count, "
      .. "research_unit_ingredients, research_trigger? ({type, ...}: researched by that trigger, not with packs)}]",
    errors = {},
    run = M.technologies,
  },
}

return M
