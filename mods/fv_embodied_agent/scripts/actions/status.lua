-- get_action_result: the state of any of the agent's asynchronous actions, running or finished.
local crafting = require("scripts.actions.crafting")
local mining = require("scripts.actions.mining")
local notify = require("scripts.notify")
local research = require("scripts.actions.research")
local walking = require("scripts.actions.walking")

---@class FvActionStatus
local M = {}

local _KINDS = { walking, mining, crafting, research }

--- Completed (with its record), running (with its progress) or unknown.
---@param agent FvAgent
---@param p {action_id: integer}
---@return {status: "completed"|"running"|"unknown", record: table|nil, progress: table|nil}
function M.result(agent, p)
  local record = notify.record(agent, p.action_id)
  if record then return { status = "completed", record = record } end
  for _, kind in ipairs(_KINDS) do
    local progress = kind.progress(agent, p.action_id)
    if progress then return { status = "running", progress = progress } end
  end
  return { status = "unknown" }
end

--- Every running action of the agent with its progress.
---@param agent FvAgent
---@return table[]
function M.running(agent)
  local out = {}
  local ids = {}
  if agent.walking then ids[#ids + 1] = agent.walking.action_id end
  if agent.mining then ids[#ids + 1] = agent.mining.action_id end
  for _, action in ipairs(agent.crafts or {}) do ids[#ids + 1] = action.action_id end
  for _, action in ipairs(agent.research or {}) do ids[#ids + 1] = action.action_id end
  table.sort(ids)
  for _, id in ipairs(ids) do
    local found = M.result(agent, { action_id = id })
    if found.progress then
      found.progress.action_id = id
      out[#out + 1] = found.progress
    end
  end
  return out
end

---@type FvMethod[]
M.methods = {
  {
    name = "get_action_result",
    doc = "An async action's outcome (the agent keeps its last 64 completions) or its progress while it runs.",
    params = { { name = "action_id", type = "integer", min = 1, doc = "the id the action's call returned" } },
    returns = "{status: 'completed'|'running'|'unknown', record?: action_completed, progress?}",
    errors = {}, run = M.result,
  },
  {
    name = "get_actions", doc = "The agent's running async actions with their progress.",
    params = {}, returns = "[{action_id, action, ...progress}]", errors = {}, run = M.running,
  },
}

return M
