-- inspect and inspect_entity: read-only views of the agent and of one entity.
local geometry = require("scripts.geometry")
local inventory = require("scripts.actions.inventory")
local targets = require("scripts.targets")

---@class FvInspect
local M = {}

-- defines.entity_status maps names to numbers; the SDK wants the name. Built on first use: defines are constant,
-- so this cache is not game state and needs no storage.
---@type table<integer, string>|nil
local _status_names = nil

---@param status defines.entity_status|nil
---@return string|nil
local function _status_name(status)
  if status == nil then return nil end
  if not _status_names then
    _status_names = {}
    for name, value in pairs(defines.entity_status) do
      _status_names[value] = name
    end
  end
  return _status_names[status]
end

---@param agent FvAgent
---@return table
function M.agent(agent)
  local character = agent.character
  return {
    agent_id = agent.id,
    position = geometry.copy(character.position),
    force = agent.force_name,
    reach_distance = character.reach_distance,
    walking = agent.walking ~= nil,
    mining = agent.mining ~= nil,
    inventory = inventory.items(agent),
  }
end

---@param agent FvAgent
---@param entity_name any
---@param position any
---@return table
function M.entity(agent, entity_name, position)
  -- Looking needs no reach: the snapshot already shows every charted entity to the SDK.
  local entity = targets.find(agent.character, entity_name, position)
  local inventories = {}
  for _, kind in ipairs(inventory.KINDS) do
    local found = inventory.of_kind(entity, kind)
    if found then inventories[kind] = targets.contents(found) end
  end
  local view = {
    unit_number = entity.unit_number,
    name = entity.name,
    type = entity.type,
    position = geometry.copy(entity.position),
    direction = entity.direction,
    status = _status_name(entity.status),
    inventories = inventories,
  }
  -- Where a drill puts what it mines (the engine's own value, so no prototype offsets are recomputed here).
  if entity.type == "mining-drill" then
    view.drop_position = geometry.copy(entity.drop_position)
  end
  local burner = entity.burner
  if burner then
    local burning = burner.currently_burning
    view.burner = {
      remaining_burning_fuel = burner.remaining_burning_fuel,
      -- Since Factorio 2.0 this is {name = LuaItemPrototype, quality = LuaQualityPrototype}.
      currently_burning = burning and burning.name.name or nil,
    }
  end
  return view
end

return M
