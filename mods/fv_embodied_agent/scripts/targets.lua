-- Finding the entity an action is aimed at and checking the character can reach it, as the game decides.
local args = require("scripts.args")
local geometry = require("scripts.geometry")

---@class FvTargets
local M = {}

--- The entity of that name at that position on the agent's surface.
---@param character LuaEntity
---@param entity_name any
---@param position MapPosition
---@param where string|nil the parameter naming the entity, for messages (default entity_name)
---@return LuaEntity
function M.find(character, entity_name, position, where)
  local prototype = args.entity_prototype(entity_name, where)
  local entity = character.surface.find_entity(prototype.name, position)
  if not entity then
    args.fail("entity_not_found", "there is no " .. prototype.name .. " at " .. geometry.format(position)
      .. "; pass the entity's own position (its center), e.g. from get_reachable or the map snapshot")
  end
  return entity
end

--- The ghost of an entity of that name at that position.
---@param character LuaEntity
---@param entity_name any
---@param position MapPosition
---@return LuaEntity
function M.find_ghost(character, entity_name, position)
  local prototype = args.entity_prototype(entity_name)
  local ghost = character.surface.find_entity("entity-ghost", position)
  if not ghost or ghost.ghost_name ~= prototype.name then
    args.fail("entity_not_found", "there is no ghost of " .. prototype.name .. " at " .. geometry.format(position)
      .. "; pass the ghost's own position, as place_entity returned it")
  end
  return ghost
end

--- Raise out_of_reach unless the game lets the character reach the entity (LuaControl.can_reach_entity, which
--- measures reach_distance to the entity's box; resources use resource_reach_distance, as hand mining does).
---@param character LuaEntity
---@param entity LuaEntity
function M.require_reach(character, entity)
  local reachable, reach, reach_name
  if entity.type == "resource" then
    reach, reach_name = character.resource_reach_distance, "resource_reach_distance"
    reachable = geometry.distance_to_box(character.position, entity.bounding_box) <= reach
  else
    reach, reach_name = character.reach_distance, "reach_distance"
    reachable = character.can_reach_entity(entity)
  end
  if not reachable then
    args.fail("out_of_reach", string.format("%s at %s is %.2f tiles away but the character's %s is %.2f; "
      .. "walk_to it first", entity.name, geometry.format(entity.position),
      geometry.distance_to_box(character.position, entity.bounding_box), reach_name, reach))
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
