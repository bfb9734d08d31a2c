-- action_completed messages: how an async action (walk_to, mine_resource, craft_enqueue, enqueue_research) reports
-- its outcome, once the game state shows it; `seq` is the last snapshot delta by then, for read-your-writes.
local declared = require("scripts.declared")
local wire_schema = require("scripts.wire_schema")

---@class FvNotify
local M = {}

-- helpers.send_udp's for_player: 0 sends from the server only. Without it every client of a multiplayer game
-- would also send the packet to its own localhost.
local _SERVER_ONLY = 0

-- How many completions each agent keeps for get_action_result: enough to cover any UDP loss a client notices
-- within its timeout, small enough that storage does not grow with the game's length.
local _KEPT_COMPLETIONS = 64

-- Logging-only flag, never part of game state, so it may differ between peers without a desync.
local _udp_failure_logged = false

---@param record table
---@return string
local function _render(record)
  local ok, text = pcall(helpers.table_to_json, record)
  return ok and text or "<record not serializable>"
end

--- Build, check and send one completion record.
---@param agent FvAgent
---@param action_id integer
---@param action "walk_to"|"mine_resource"|"craft_enqueue"|"enqueue_research"
---@param success boolean
---@param result table must hold at least one key: an empty table would serialize as [] instead of an object
---@param err string|nil "[fv:<code>] <message>" when success is false
---@return boolean sent
function M.action_completed(agent, action_id, action, success, result, err)
  local record = {
    type = "action_completed",
    schema_version = wire_schema.schema_version,
    agent_id = agent.id,
    action_id = action_id,
    action = action,
    success = success,
    tick = game.tick,
    result = result,
    error = err,
    seq = declared.snapshot_seq(),
  }
  local valid, problem = wire_schema.validate("action_completed", record)
  if not valid then
    log("fv_embodied_agent: bug: dropping an invalid action_completed record (" .. problem .. "): " .. _render(record))
    return false
  end
  -- Kept before sending: UDP may drop the datagram, and get_action_result then still has the outcome.
  M.remember(agent, record)
  -- A disabled UDP (the game started without --enable-lua-udp) must not take the game down from inside on_tick.
  local sent, failure = pcall(helpers.send_udp, agent.udp_port, helpers.table_to_json(record), _SERVER_ONLY)
  if not sent and not _udp_failure_logged then
    _udp_failure_logged = true
    log("fv_embodied_agent: helpers.send_udp failed (" .. tostring(failure)
      .. "); start the game with --enable-lua-udp to receive action completions")
  end
  return sent
end

--- Keep the record in the agent's bounded completion log (oldest first out).
---@param agent FvAgent
---@param record table an action_completed record
function M.remember(agent, record)
  local log_ = agent.completions
  if not log_ then
    log_ = { order = {}, by_id = {} }
    agent.completions = log_
  end
  log_.by_id[record.action_id] = record
  log_.order[#log_.order + 1] = record.action_id
  while #log_.order > _KEPT_COMPLETIONS do
    log_.by_id[table.remove(log_.order, 1)] = nil
  end
end

--- The completion record of one of the agent's actions, if it is still in the log.
---@param agent FvAgent
---@param action_id integer
---@return table|nil
function M.record(agent, action_id)
  return agent.completions and agent.completions.by_id[action_id] or nil
end

return M
