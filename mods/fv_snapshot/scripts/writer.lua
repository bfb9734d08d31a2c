-- Output of the snapshot: JSONL files under script-output/fv_snapshot/ and UDP deltas. Every record is checked
-- against the wire schema first; the disk is the source of truth, so a delta is written before it is sent.
local wire_schema = require("scripts.wire_schema")

---@class FvWriter
local M = {}

M.ROOT = "fv_snapshot"
M.DEFAULT_UDP_PORT = 34400

-- for_player of helpers.write_file / send_udp: 0 means the server only. Without it every client of a multiplayer
-- game would write the same files into its own script-output and send the same packets.
local _SERVER_ONLY = 0

-- Logging-only flag, never part of game state, so it may differ between peers without a desync.
local _udp_failure_logged = false

---@param record table
---@return string
local function _render(record)
  local ok, text = pcall(helpers.table_to_json, record)
  return ok and text or "<record not serializable>"
end

--- The record as JSON, or nil (logged) when it breaks the schema: sending it would be a bug.
---@param record table its `type` names the schema definition
---@return string|nil
local function _json(record)
  local valid, problem = wire_schema.validate(record.type, record)
  if not valid then
    log("fv_snapshot: bug: dropping an invalid " .. tostring(record.type) .. " record (" .. problem .. "): "
      .. _render(record))
    return nil
  end
  return helpers.table_to_json(record)
end

---@param surface_name string
---@param cx integer
---@param cy integer
---@param kind "resources"|"entities"|"water"|"chunk"
---@return string
function M.chunk_file(surface_name, cx, cy, kind)
  return M.ROOT .. "/" .. surface_name .. "/chunks/" .. cx .. "/" .. cy .. "/" .. kind .. "-init.jsonl"
end

---@param surface_name string
---@return string
function M.updates_file(surface_name)
  return M.ROOT .. "/" .. surface_name .. "/updates.jsonl"
end

M.STATUS_FILE = M.ROOT .. "/status.jsonl"
M.RESEARCH_FILE = M.ROOT .. "/research.jsonl"

---@param surface_name string
---@return string
function M.power_file(surface_name)
  return M.ROOT .. "/" .. surface_name .. "/power.jsonl"
end

--- (Re)write a whole file of records.
---@param path string
---@param records table[]
function M.write_file(path, records)
  local lines = {}
  for _, record in ipairs(records) do
    local json = _json(record)
    if json then lines[#lines + 1] = json .. "\n" end
  end
  helpers.write_file(path, table.concat(lines), false, _SERVER_ONLY)
end

--- Write records to one init file of a chunk: a new file (an empty list still creates it), or appended to it when
--- a chunk is written over several ticks.
---@param surface_name string
---@param cx integer
---@param cy integer
---@param kind "resources"|"entities"|"water"|"chunk"
---@param records table[]
---@param append boolean
function M.write_chunk_records(surface_name, cx, cy, kind, records, append)
  local lines = {}
  for _, record in ipairs(records) do
    local json = _json(record)
    if json then lines[#lines + 1] = json .. "\n" end
  end
  helpers.write_file(M.chunk_file(surface_name, cx, cy, kind), table.concat(lines), append, _SERVER_ONLY)
end

---@param record table a snapshot_status record
function M.append_status(record)
  local json = _json(record)
  if json then helpers.write_file(M.STATUS_FILE, json .. "\n", true, _SERVER_ONLY) end
end

--- Number a delta, append it to the surface's update log, then send it over UDP.
---@param surface_name string
---@param record table a delta record without seq
---@return boolean written
function M.emit_delta(surface_name, record)
  local state = storage.snapshot
  -- The counter only advances for records that pass the schema, so the log never has gaps.
  record.seq = state.seq + 1
  local json = _json(record)
  if not json then return false end
  state.seq = record.seq
  helpers.write_file(M.updates_file(surface_name), json .. "\n", true, _SERVER_ONLY)
  -- A disabled UDP (no --enable-lua-udp) must not take the game down; the file already holds the delta.
  local sent, failure = pcall(helpers.send_udp, state.udp_port, json, _SERVER_ONLY)
  if not sent and not _udp_failure_logged then
    _udp_failure_logged = true
    log("fv_snapshot: helpers.send_udp failed (" .. tostring(failure) .. "); deltas are only in "
      .. M.updates_file(surface_name) .. " until the game runs with --enable-lua-udp")
  end
  return true
end

return M
