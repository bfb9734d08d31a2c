-- The `map` remote interface: snapshot status, configuration and re-snapshots.
local meta = require("scripts.meta")
local snapshot = require("scripts.snapshot")
local writer = require("scripts.writer")

---@class FvMapInterface
local M = {}

---@param message string
local function _invalid(message)
  error("[fv:invalid_argument] " .. message, 0)
end

---@return {phase: string, run_id: string|nil, seq: integer, chunks: integer, udp_port: integer, output_dir: string}
local function _get_snapshot_status()
  local state = storage.snapshot
  return { phase = state.phase, run_id = state.run_id, seq = state.seq, chunks = state.chunks,
    udp_port = state.udp_port, output_dir = writer.ROOT }
end

local _SETTINGS = { udp_port = true, run_id = true }
local _RUN_ID_MAX = 64

---@param config any {udp_port?: integer, run_id?: string}
---@return {udp_port: integer, run_id: string|nil, new_run: boolean}
local function _set_snapshot_config(config)
  if type(config) ~= "table" then
    _invalid("config must be a table like {udp_port = 34400, run_id = 'a1b2c3'}, got " .. type(config))
  end
  for key in pairs(config) do
    if not _SETTINGS[key] then
      _invalid("config has no setting " .. tostring(key) .. "; the settings are udp_port and run_id")
    end
  end
  local port, run_id = config.udp_port, config.run_id
  -- Both are checked before either is applied, so a bad call changes nothing.
  if port ~= nil and (type(port) ~= "number" or port % 1 ~= 0 or port < 1 or port > 65535) then
    _invalid("config.udp_port must be an integer between 1 and 65535, got " .. tostring(port))
  end
  if run_id ~= nil and (type(run_id) ~= "string" or #run_id > _RUN_ID_MAX or not run_id:match("^[%w_%-]+$")) then
    _invalid("config.run_id must be 1 to " .. _RUN_ID_MAX .. " letters, digits, '_' or '-' (e.g. a uuid4 hex), got "
      .. tostring(run_id))
  end
  if port ~= nil then storage.snapshot.udp_port = port end
  local new_run = run_id ~= nil and snapshot.start_run(run_id)
  return { udp_port = storage.snapshot.udp_port, run_id = storage.snapshot.run_id, new_run = new_run }
end

--- Rewrite the init files of every charted chunk; a bootstrap already running is simply reported.
---@return {phase: string, chunks: integer, seq: integer}
local function _take_snapshot()
  local state = storage.snapshot
  if state.phase == "waiting" then
    error("[fv:invalid_state] no run id yet, so nothing can be written; call "
      .. "map.set_snapshot_config{run_id = ...} first (fv server start does)", 0)
  end
  if state.phase ~= "bootstrap" then snapshot.begin() end
  return { phase = state.phase, chunks = #state.queue - state.queue_head + 1 + state.chunks, seq = state.start_seq }
end

function M.add_remote_interface()
  remote.add_interface("map", {
    version = function() return meta.version("map") end,
    get_snapshot_status = _get_snapshot_status,
    set_snapshot_config = _set_snapshot_config,
    take_snapshot = _take_snapshot,
  })
end

return M
