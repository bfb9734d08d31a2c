-- Identity of this mod as the SDK sees it through every interface's version().

---@class FvSnapshotMeta
local M = {}

M.MOD_NAME = "fv_snapshot"
-- Kept equal to info.json's version by tests/mods/test_lua_static.py; reading it from script.active_mods would
-- add an API member the embedded engine has to emulate for no gain.
M.MOD_VERSION = "0.3.3"
-- Version of the remote interfaces' contract (src/factoryverse/schemas/remote_interfaces.json).
M.INTERFACE_SCHEMA_VERSION = 1
-- Version of this mod's layout of `storage`; scripts/migrations.lua upgrades older saves to it.
M.STORAGE_SCHEMA_VERSION = 6

---@param interface string
---@return {interface: string, schema_version: integer, mod_version: string}
function M.version(interface)
  return { interface = interface, schema_version = M.INTERFACE_SCHEMA_VERSION, mod_version = M.MOD_VERSION }
end

return M
