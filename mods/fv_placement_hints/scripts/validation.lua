-- Placement validation with Factorio's own collision check, plus the names of what is in the way.

local world = require("scripts.world")

---@class FvValidation
local M = {}

--- Entities and tiles inside the footprint that collide with the prototype.
---@param surface LuaSurface
---@param prototype LuaEntityPrototype
---@param position MapPosition
---@param direction defines.direction
---@return {name: string, position: MapPosition}[]
local function _blockers(surface, prototype, position, direction)
  local area = world.place_box(prototype.collision_box, position, direction)
  local found = {}
  for _, entity in pairs(surface.find_entities_filtered({ area = area })) do
    -- Ore under a building does not block it (mining drills stand on it).
    if entity.type ~= "resource" then found[#found + 1] = world.brief(entity) end
  end
  -- Tiles block through their collision layers (water, for most buildings), the same rule the engine applies.
  for _, tile in pairs(surface.find_tiles_filtered({ area = area, collision_mask = prototype.collision_mask.layers })) do
    found[#found + 1] = { name = tile.name, position = { x = tile.position.x, y = tile.position.y } }
  end
  return found
end

--- One placement's answer; an unknown name is an invalid placement here, not an error, since validating is the
--- question asked.
---@param entity_name string
---@param position MapPosition
---@param direction defines.direction
---@return table
function M.check(entity_name, position, direction)
  local prototype = prototypes.entity[entity_name]
  if not prototype then
    return { valid = false, entity_name = entity_name, position = position, reason = "unknown_entity" }
  end
  if world.can_place(entity_name, position, direction) then
    return { valid = true, entity_name = entity_name, position = position }
  end
  return {
    valid = false, entity_name = entity_name, position = position, reason = "blocked",
    blockers = _blockers(world.surface(), prototype, position, direction),
  }
end

---@param entity_name string
---@param position MapPosition
---@param direction defines.direction
---@return table
function M.validate_placement(entity_name, position, direction)
  return M.check(entity_name, position, direction)
end

---@param entity_name string
---@param positions MapPosition[]
---@param direction defines.direction
---@return {entity_name: string, direction: defines.direction, results: table[], valid_count: integer}
function M.validate_positions(entity_name, positions, direction)
  local results, valid = {}, 0
  for i, position in ipairs(positions) do
    results[i] = M.check(entity_name, position, direction)
    if results[i].valid then valid = valid + 1 end
  end
  return { entity_name = entity_name, direction = direction, results = results, valid_count = valid }
end

return M
