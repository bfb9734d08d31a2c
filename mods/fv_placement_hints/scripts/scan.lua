-- Area scanning: every build-grid position in an area, asked of LuaSurface.can_place_entity.

local declare = require("scripts.declare")
local world = require("scripts.world")

---@class FvHintsScan
local M = {}

---@param entity_name string
---@param area BoundingBox
---@param options {direction: defines.direction, max_results: integer}
---@return {entity_name: string, direction: defines.direction, positions: MapPosition[], count: integer, truncated: boolean}
function M.get_valid_placements(entity_name, area, options)
  local prototype = world.prototype(entity_name, "entity_name")
  local found, truncated = {}, false
  for _, position in ipairs(world.grid_positions(prototype, area, options.direction)) do
    if world.can_place(entity_name, position, options.direction) then
      if #found == options.max_results then truncated = true break end
      found[#found + 1] = position
    end
  end
  return { entity_name = entity_name, direction = options.direction, positions = found, count = #found,
    truncated = truncated }
end

--- Resource entities of the area (one per tile), keyed by tile, for the drills' coverage test.
---@param area BoundingBox
---@return table<string, LuaEntity>
local function _resources_by_tile(area)
  local by_tile = {}
  for _, resource in pairs(world.surface().find_entities_filtered({ area = area, type = "resource" })) do
    by_tile[math.floor(resource.position.x) .. "," .. math.floor(resource.position.y)] = resource
  end
  return by_tile
end

---@param entity_name string
---@param area BoundingBox
---@param options {direction: defines.direction, max_results: integer, resource_name: string|nil}
---@return table
function M.get_resource_placements(entity_name, area, options)
  local prototype = world.prototype(entity_name, "entity_name")
  if prototype.type ~= "mining-drill" then
    declare.fail("invalid_argument", "entity_name must name a mining drill, got " .. declare.show(entity_name)
      .. " (type " .. prototype.type .. ")")
  end
  local categories = prototype.resource_categories or {}
  if options.resource_name then
    local resource = world.prototype(options.resource_name, "options.resource_name")
    if resource.type ~= "resource" then
      declare.fail("invalid_argument", "options.resource_name must name a resource, got "
        .. declare.show(options.resource_name) .. " (type " .. resource.type .. ")")
    end
    if not categories[resource.resource_category] then
      declare.fail("invalid_argument", entity_name .. " cannot mine " .. options.resource_name .. " (category "
        .. resource.resource_category .. ")")
    end
  end
  local radius = prototype.get_mining_drill_radius()
  local by_tile = _resources_by_tile({
    left_top = { x = area.left_top.x - radius - 1, y = area.left_top.y - radius - 1 },
    right_bottom = { x = area.right_bottom.x + radius + 1, y = area.right_bottom.y + radius + 1 },
  })
  local found, truncated = {}, false
  for _, position in ipairs(world.grid_positions(prototype, area, options.direction)) do
    -- Fully over ore: every tile whose centre lies in the mining area holds a resource this drill mines.
    local amounts, tiles, covered = {}, 0, true
    for ty = math.floor(position.y - radius), math.ceil(position.y + radius) do
      for tx = math.floor(position.x - radius), math.ceil(position.x + radius) do
        if math.abs(tx + 0.5 - position.x) <= radius and math.abs(ty + 0.5 - position.y) <= radius then
          tiles = tiles + 1
          local resource = by_tile[tx .. "," .. ty]
          if not resource or not categories[resource.prototype.resource_category]
              or (options.resource_name and resource.name ~= options.resource_name) then
            covered = false
          else
            amounts[resource.name] = (amounts[resource.name] or 0) + resource.amount
          end
        end
        if not covered then break end
      end
      if not covered then break end
    end
    if covered and tiles > 0 and world.can_place(entity_name, position, options.direction) then
      if #found == options.max_results then truncated = true break end
      found[#found + 1] = { position = position, direction = options.direction, tiles = tiles, resources = amounts }
    end
  end
  return { entity_name = entity_name, direction = options.direction, mining_radius = radius, placements = found,
    count = #found, truncated = truncated }
end

---@param entity_name string
---@param area BoundingBox
---@param options {max_results: integer}
---@return table
function M.get_water_placements(entity_name, area, options)
  local prototype = world.prototype(entity_name, "entity_name")
  local surface = world.surface()
  -- Only spots with water within two tiles are asked about: an entity that needs water stands at its edge.
  local wet = surface.find_tiles_filtered({
    area = {
      left_top = { x = area.left_top.x - 2, y = area.left_top.y - 2 },
      right_bottom = { x = area.right_bottom.x + 2, y = area.right_bottom.y + 2 },
    },
    collision_mask = "water_tile",
  })
  local near = {}
  for _, tile in pairs(wet) do
    for dy = -2, 2 do
      for dx = -2, 2 do near[(tile.position.x + dx) .. "," .. (tile.position.y + dy)] = true end
    end
  end
  local found, truncated = {}, false
  for _, direction in ipairs(world.cardinal_directions()) do
    for _, position in ipairs(world.grid_positions(prototype, area, direction)) do
      if near[math.floor(position.x) .. "," .. math.floor(position.y)]
          and world.can_place(entity_name, position, direction) then
        if #found == options.max_results then truncated = true break end
        found[#found + 1] = { position = position, direction = direction }
      end
    end
    if truncated then break end
  end
  return { entity_name = entity_name, placements = found, count = #found, truncated = truncated }
end

return M
