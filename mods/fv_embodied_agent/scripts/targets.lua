-- Finding the entity an action is aimed at and checking the character can reach it.
local args = require("scripts.args")
local geometry = require("scripts.geometry")

---@class FvTargets
local M = {}

--- The entity of that name at that position on the agent's surface.
---@param character LuaEntity
---@param entity_name any
---@param position any
---@return LuaEntity
function M.find(character, entity_name, position)
  local prototype = args.entity_prototype(entity_name)
  local at = args.position(position, "position")
  local entity = character.surface.find_entity(prototype.name, at)
  if not entity then
    args.fail("entity_not_found", "there is no " .. prototype.name .. " at " .. geometry.format(at)
      .. "; pass the entity's own position (its center), e.g. from inspect_entity or the map snapshot")
  end
  return entity
end

--- Raise out_of_reach unless the entity's box is within `reach` of the character.
---@param character LuaEntity
---@param entity LuaEntity
---@param reach number
---@param reach_name string which LuaControl distance applies, for the message
function M.require_reach(character, entity, reach, reach_name)
  local distance = geometry.distance_to_box(character.position, entity.bounding_box)
  if distance > reach then
    args.fail("out_of_reach", string.format("%s at %s is %.2f tiles away but the character's %s is %.2f; "
      .. "walk_to a closer position first", entity.name, geometry.format(entity.position), distance, reach_name, reach))
  end
end

--- Sum an inventory's stacks by item name (get_contents lists each quality separately since Factorio 2.0).
---@param inventory LuaInventory
---@return table<string, integer> empty when the inventory is empty (it then serializes as [])
function M.contents(inventory)
  local totals = {}
  for _, stack in pairs(inventory.get_contents()) do
    totals[stack.name] = (totals[stack.name] or 0) + stack.count
  end
  return totals
end

return M
