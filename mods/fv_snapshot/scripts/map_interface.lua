-- The `map` remote interface: snapshot status, configuration and re-snapshots.
local declare = require("scripts.declare")
local meta = require("scripts.meta")
local snapshot = require("scripts.snapshot")
local writer = require("scripts.writer")

---@class FvMapInterface
local M = {}

---@return {phase: string, run_id: string|nil, seq: integer, chunks: integer, udp_port: integer, output_dir: string}
local function _get_snapshot_status()
  local state = storage.snapshot
  return { phase = state.phase, run_id = state.run_id, seq = state.seq, chunks = state.chunks,
    udp_port = state.udp_port, output_dir = writer.ROOT }
end

local _RUN_ID_MAX = 64

--- Called with the checked config (scripts/declare.lua checks every field before this runs, so a bad call changes
--- nothing).
---@param config {udp_port?: integer, run_id?: string}
---@return {udp_port: integer, run_id: string|nil, new_run: boolean}
local function _set_snapshot_config(config)
  if config.udp_port ~= nil then storage.snapshot.udp_port = config.udp_port end
  local new_run = config.run_id ~= nil and snapshot.start_run(config.run_id)
  return { udp_port = storage.snapshot.udp_port, run_id = storage.snapshot.run_id, new_run = new_run }
end

--- Rewrite the init files of every charted chunk; a bootstrap already running is simply reported.
---@return {phase: string, chunks: integer, seq: integer}
local function _take_snapshot()
  local state = storage.snapshot
  if state.phase == "waiting" then
    declare.fail("invalid_state", "no run id yet, so nothing can be written; call "
      .. "map.set_snapshot_config{run_id = ...} first (fv server start does)")
  end
  if state.phase ~= "bootstrap" then snapshot.begin() end
  return { phase = state.phase, chunks = #state.queue - state.queue_head + 1 + state.chunks, seq = state.start_seq }
end

-- Each method declared once, as the other mods declare theirs: scripts/declare.lua checks every call against its
-- declaration, describe() hands it out, and src/factoryverse/schemas/remote_interfaces.json mirrors it
-- (tests/mods/test_snapshot_runs.py compares them).
M.DECLARATIONS = {
  { name = "version", params = {}, returns = "{interface, schema_version, mod_version}", errors = {},
    doc = "the interface's contract version and the mod's version", fn = function() return meta.version("map") end },
  { name = "describe", params = {}, returns = "{interface, mod_version, methods: [declaration]}", errors = {},
    doc = "every method's declaration: parameters with types and bounds, returns, errors",
    fn = function() return M.describe() end },
  { name = "get_snapshot_status", params = {},
    returns = "{phase: 'waiting'|'bootstrap'|'complete', run_id?, seq, chunks, udp_port, output_dir}", errors = {},
    doc = "where the snapshot stands: its phase, run id, last seq and chunks written", fn = _get_snapshot_status },
  { name = "set_snapshot_config",
    params = { { name = "config", type = "object", doc = "the settings to change; the others stay as they are",
      fields = {
        { name = "udp_port", type = "integer", min = 1, max = 65535, optional = true,
          doc = "where deltas go over UDP (default 34400)" },
        { name = "run_id", type = "string", optional = true, max = _RUN_ID_MAX, pattern = "^[%w_%-]+$",
          doc = "1 to " .. _RUN_ID_MAX .. " letters, digits, '_' or '-'; a new one removes the previous run's files "
            .. "and starts a new snapshot, seq counting from 1" },
      } } },
    returns = "{udp_port, run_id?, new_run}", errors = { "invalid_argument" },
    doc = "set the UDP port and the game run's id (whoever starts the server gives a fresh one)",
    fn = _set_snapshot_config },
  { name = "take_snapshot", params = {}, returns = "{phase, chunks, seq}", errors = { "invalid_state" },
    doc = "(re)write the init files of every charted chunk; invalid_state before a run id is set",
    fn = _take_snapshot },
}

---@return table
function M.describe()
  local methods = {}
  for _, declaration in ipairs(M.DECLARATIONS) do methods[#methods + 1] = declare.describe(declaration) end
  return { interface = "map", mod = "fv_snapshot", mod_version = meta.MOD_VERSION, methods = methods }
end

function M.add_remote_interface()
  local functions = {}
  for _, declaration in ipairs(M.DECLARATIONS) do
    functions[declaration.name] = declare.wrap(declaration, declaration.fn)
  end
  remote.add_interface("map", functions)
end

return M
