-- Storage versioning: records which mod and storage-schema version wrote the save and upgrades older saves.
local meta = require("scripts.meta")

---@class FvAgentMigrations
local M = {}

-- _STEPS[n] upgrades storage from schema n-1 to schema n.
---@type table<integer, fun()>
local _STEPS = {
  -- Schema 2 (mod 0.2.0): hand mining became the character's own; a mining action of schema 1 carried its
  -- resource as `resource` and counted ticks itself. It goes on under the game's mining, counting from now.
  [2] = function()
    for _, agent in pairs(storage.agents or {}) do
      local mine = agent.mining
      if mine and mine.target == nil then
        local resource = mine.resource
        if resource and resource.valid and agent.character.valid then
          agent.mining = {
            action_id = mine.action_id, target = resource, resource = true, item = mine.item, products = mine.products,
            target_count = mine.target_count, count = mine.count, last_amount = resource.amount,
            position = { x = resource.position.x, y = resource.position.y },
          }
          agent.character.selected = resource
          agent.character.mining_state = { mining = true, position = resource.position }
        else
          agent.mining = nil
        end
      end
      if agent.own_force == nil then agent.own_force = true end
    end
  end,
}

function M.on_init()
  storage.mod_version = meta.MOD_VERSION
  storage.schema_version = meta.STORAGE_SCHEMA_VERSION
end

---@param _ ConfigurationChangedData
function M.on_configuration_changed(_)
  local from = storage.schema_version or 0
  if from > meta.STORAGE_SCHEMA_VERSION then
    -- A newer mod wrote this save; running older code on it could corrupt it silently, so say so loudly.
    log(meta.MOD_NAME .. ": save has storage schema " .. from .. " but this mod version only knows up to "
      .. meta.STORAGE_SCHEMA_VERSION .. "; update the mod")
    return
  end
  for version = from + 1, meta.STORAGE_SCHEMA_VERSION do
    local step = _STEPS[version]
    if step then step() end
  end
  storage.schema_version = meta.STORAGE_SCHEMA_VERSION
  storage.mod_version = meta.MOD_VERSION
end

return M
