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

---@return {phase: string, seq: integer, chunks: integer, udp_port: integer, output_dir: string}
local function _get_snapshot_status()
  local state = storage.snapshot
  return { phase = state.phase, seq = state.seq, chunks = state.chunks, udp_port = state.udp_port,
    output_dir = writer.ROOT }
end

---@param config any {udp_port?: integer}
---@return {udp_port: integer}
local function _set_snapshot_config(config)
  if type(config) ~= "table" then
    _invalid("config must be a table like {udp_port = 34400}, got " .. type(config))
  end
  for key in pairs(config) do
    if key ~= "udp_port" then _invalid("config has no setting " .. tostring(key) .. "; the only one is udp_port") end
  end
  local port = config.udp_port
  if port ~= nil then
    if type(port) ~= "number" or port % 1 ~= 0 or port < 1 or port > 65535 then
      _invalid("config.udp_port must be an integer between 1 and 65535, got " .. tostring(port))
    end
    storage.snapshot.udp_port = port
  end
  return { udp_port = storage.snapshot.udp_port }
end

--- Rewrite the init files of every charted chunk; a bootstrap already running is simply reported.
---@return {phase: string, chunks: integer, seq: integer}
local function _take_snapshot()
  local state = storage.snapshot
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
