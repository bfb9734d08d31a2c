-- Entity info: what the game says about an entity's outputs, fluid connections and footprint.

local world = require("scripts.world")

---@class FvHintsInfo
local M = {}

--- Where an entity facing `direction` at `position` connects to pipes, from its prototype's fluid box connection
--- definitions (PipeConnectionDefinition.positions holds the point for each of the four facings).
---@param prototype LuaEntityPrototype
---@param position MapPosition
---@param direction defines.direction
---@return table[]
function M.fluid_points(prototype, position, direction)
  local points = {}
  local facing = world.quarters(direction) + 1
  for _, box in ipairs(prototype.fluidbox_prototypes) do
    for _, connection in ipairs(box.pipe_connections) do
      local at = connection.positions[facing]
      local turned = world.turn(connection.direction, direction)
      local point = {
        fluidbox_index = box.index,
        production_type = box.production_type,
        connection_type = connection.connection_type,
        flow_direction = connection.flow_direction,
        direction = turned,
        position = { x = position.x + at.x, y = position.y + at.y },
        max_underground_distance = connection.max_underground_distance,
      }
      if connection.connection_type == "normal" then
        -- The tile a neighbour's matching connection must be on: one step out of the entity.
        local sx, sy = world.step(turned)
        point.target_position = { x = point.position.x + sx, y = point.position.y + sy }
      end
      points[#points + 1] = point
    end
  end
  return points
end

--- Drop, pickup and fluid outputs of a built entity, as the game reports them.
---@param entity_name string
---@param position MapPosition
---@return table
function M.get_entity_output_info(entity_name, position)
  local entity = world.entity(entity_name, position, "entity_name")
  local prototype = entity.prototype
  local out = {
    name = entity.name, type = entity.type, position = { x = entity.position.x, y = entity.position.y },
    direction = entity.direction,
  }
  if entity.type == "mining-drill" then
    if prototype.vector_to_place_result then out.drop_position = entity.drop_position end
    local radius = prototype.get_mining_drill_radius()
    out.mining_area = {
      left_top = { x = entity.position.x - radius, y = entity.position.y - radius },
      right_bottom = { x = entity.position.x + radius, y = entity.position.y + radius },
    }
    local target = entity.mining_target
    if target then out.mining_target = world.brief(target) end
  elseif entity.type == "inserter" then
    out.pickup_position = entity.pickup_position
    out.drop_position = entity.drop_position
    if entity.pickup_target then out.pickup_target = world.brief(entity.pickup_target) end
    if entity.drop_target then out.drop_target = world.brief(entity.drop_target) end
  end
  if out.drop_position then
    local at = world.surface().find_entities_filtered({ position = out.drop_position, limit = 8 })
    for _, other in pairs(at) do
      if other ~= entity and other.type ~= "resource" then
        out.drop_into = world.brief(other)
        break
      end
    end
  end
  local outputs = {}
  for _, point in ipairs(M.fluid_points(prototype, entity.position, entity.direction)) do
    if point.flow_direction ~= "input" then outputs[#outputs + 1] = point end
  end
  out.fluid_outputs = outputs
  return out
end

---@param entity_name string
---@param position MapPosition|nil
---@param direction defines.direction
---@return table
function M.get_fluid_connection_points(entity_name, position, direction)
  local prototype = world.prototype(entity_name, "entity_name")
  local relative = position == nil
  local points = M.fluid_points(prototype, position or { x = 0, y = 0 }, direction)
  return { entity_name = entity_name, direction = direction, relative = relative, position = position,
    points = points, count = #points }
end

---@param entity_name string
---@param position MapPosition|nil
---@param direction defines.direction
---@return table
function M.get_entity_footprint(entity_name, position, direction)
  local prototype = world.prototype(entity_name, "entity_name")
  local w, h = prototype.tile_width, prototype.tile_height
  if world.quarters(direction) % 2 == 1 then w, h = h, w end
  local out = {
    entity_name = entity_name, type = prototype.type, direction = direction, tile_width = w, tile_height = h,
    collision_box = world.place_box(prototype.collision_box, position or { x = 0, y = 0 }, direction),
    selection_box = world.place_box(prototype.selection_box, position or { x = 0, y = 0 }, direction),
    collision_layers = prototype.collision_mask.layers,
  }
  if position then
    out.position = position
    -- The tiles the grid-aligned entity covers: its box rounded out to tile edges.
    local box = out.collision_box
    local tiles = {}
    for ty = math.floor(box.left_top.y + 1e-6), math.ceil(box.right_bottom.y - 1e-6) - 1 do
      for tx = math.floor(box.left_top.x + 1e-6), math.ceil(box.right_bottom.x - 1e-6) - 1 do
        tiles[#tiles + 1] = { x = tx, y = ty }
      end
    end
    out.tiles = tiles
  end
  return out
end

return M
