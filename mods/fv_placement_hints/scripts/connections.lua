-- Connection solving: where to put a second entity so that it meets the first one (a chest under a drill's drop
-- position, a pipe on a machine's fluid connection, an inserter between two entities, a pole that reaches a
-- network and powers a machine). Positions come from the game's vectors and definitions; can_place_entity decides.

local declare = require("scripts.declare")
local info = require("scripts.info")
local world = require("scripts.world")

---@class FvHintsConnections
local M = {}

---@param name string
---@param position MapPosition
---@return LuaEntity|nil
local function _existing(name, position)
  return world.surface().find_entities_filtered({ name = name, position = position, limit = 1 })[1]
end

--- The first non-resource entity covering `position`, if any.
---@param position MapPosition
---@param except LuaEntity|nil
---@return {name: string, position: MapPosition}|nil
local function _occupant(position, except)
  for _, other in pairs(world.surface().find_entities_filtered({ position = position, limit = 8 })) do
    if other ~= except and other.type ~= "resource" then return world.brief(other) end
  end
  return nil
end

--- Grid positions of `prototype` facing `direction` whose collision box covers `point`.
---@param prototype LuaEntityPrototype
---@param point MapPosition
---@param direction defines.direction
---@return MapPosition[]
local function _covering(prototype, point, direction)
  local reach = math.max(prototype.tile_width, prototype.tile_height) + 1
  local area = {
    left_top = { x = point.x - reach, y = point.y - reach },
    right_bottom = { x = point.x + reach, y = point.y + reach },
  }
  local out = {}
  for _, position in ipairs(world.grid_positions(prototype, area, direction)) do
    if world.box_contains(world.place_box(prototype.collision_box, position, direction), point.x, point.y) then
      out[#out + 1] = position
    end
  end
  return out
end

---@param list table[]
---@param item table
---@param max integer
---@return boolean false once the list is full
local function _add(list, item, max)
  if #list >= max then return false end
  list[#list + 1] = item
  return true
end

---@param entity_name string
---@param position MapPosition
---@param target_name string
---@param options {direction: defines.direction|nil, max_results: integer}
---@return table
function M.get_item_drop_connections(entity_name, position, target_name, options)
  local prototype = world.prototype(entity_name, "entity_name")
  local target = world.prototype(target_name, "target_name")
  local built = _existing(entity_name, position)
  -- A built entity says where it drops; a planned one drops at its prototype's vector, turned to its facing.
  local drops = {}
  if built and built.type == "mining-drill" and prototype.vector_to_place_result then
    drops[1] = { direction = built.direction, drop_position = built.drop_position }
  elseif prototype.vector_to_place_result then
    local vector = prototype.vector_to_place_result
    local facings = options.direction and { options.direction } or world.cardinal_directions()
    for _, direction in ipairs(facings) do
      local dx, dy = world.rotate(vector[1], vector[2], direction)
      drops[#drops + 1] = { direction = direction, drop_position = { x = position.x + dx, y = position.y + dy } }
    end
  else
    declare.fail("invalid_argument", "entity_name: " .. entity_name .. " puts no items at a drop position (its "
      .. "prototype has no vector_to_place_result); for inserters use get_inserter_placements")
  end
  local connections, truncated = {}, false
  for _, drop in ipairs(drops) do
    for _, spot in ipairs(_covering(target, drop.drop_position, defines.direction.north)) do
      local valid = world.can_place(target_name, spot, defines.direction.north)
      if not _add(connections, {
        direction = drop.direction, drop_position = drop.drop_position, position = spot, valid = valid,
        occupied_by = (not valid) and _occupant(drop.drop_position, built) or nil,
      }, options.max_results) then truncated = true break end
    end
    if truncated then break end
  end
  return { entity_name = entity_name, position = position, built = built ~= nil, target_name = target_name,
    connections = connections, count = #connections, truncated = truncated }
end

-- Fluid flows between two connections unless both only take in or both only give out.
---@param a string flow_direction
---@param b string
---@return boolean
local function _flows(a, b)
  return not ((a == "input" and b == "input") or (a == "output" and b == "output"))
end

---@param entity_name string
---@param position MapPosition
---@param target_name string
---@param options {direction: defines.direction|nil, target_direction: defines.direction|nil, max_results: integer}
---@return table
function M.get_fluid_connections(entity_name, position, target_name, options)
  local prototype = world.prototype(entity_name, "entity_name")
  local target = world.prototype(target_name, "target_name")
  local built = _existing(entity_name, position)
  local direction = built and built.direction or options.direction or defines.direction.north
  local at = built and built.position or position
  local source_points = info.fluid_points(prototype, at, direction)
  if #source_points == 0 then
    declare.fail("invalid_argument", "entity_name: " .. entity_name .. " has no fluid box connections")
  end
  local facings = options.target_direction and { options.target_direction } or world.cardinal_directions()
  local connections, seen, truncated = {}, {}, false
  for _, source in ipairs(source_points) do
    if source.target_position then
      local wanted = world.opposite(source.direction)
      for _, facing in ipairs(facings) do
        for _, point in ipairs(info.fluid_points(target, { x = 0, y = 0 }, facing)) do
          if point.target_position and point.direction == wanted and _flows(source.flow_direction, point.flow_direction) then
            -- Put the target so that this connection's point lands on the source's target tile.
            local spot = { x = source.target_position.x - point.position.x, y = source.target_position.y - point.position.y }
            local key = spot.x .. "," .. spot.y .. "," .. facing
            if not seen[key] then
              seen[key] = true
              if not _add(connections, {
                position = spot, direction = facing, valid = world.can_place(target_name, spot, facing),
                source_connection = { fluidbox_index = source.fluidbox_index, position = source.position,
                  direction = source.direction },
                target_connection = { fluidbox_index = point.fluidbox_index, position = source.target_position,
                  direction = point.direction },
              }, options.max_results) then truncated = true break end
            end
          end
        end
        if truncated then break end
      end
    end
    if truncated then break end
  end
  return { entity_name = entity_name, position = at, direction = direction, built = built ~= nil,
    target_name = target_name, connections = connections, count = #connections, truncated = truncated }
end

---@param inserter_name string
---@param entity_name string
---@param position MapPosition
---@param options {role: string|nil, max_results: integer}
---@return table
function M.get_inserter_placements(inserter_name, entity_name, position, options)
  local prototype = world.prototype(inserter_name, "inserter_name")
  local pickup, drop = prototype.inserter_pickup_position, prototype.inserter_drop_position
  if not pickup or not drop then
    declare.fail("invalid_argument", "inserter_name must name an inserter, got " .. declare.show(inserter_name)
      .. " (type " .. prototype.type .. ")")
  end
  local entity = world.entity(entity_name, position, "entity_name")
  local box = entity.bounding_box
  local reach = math.ceil(math.max(math.abs(pickup[1]), math.abs(pickup[2]), math.abs(drop[1]), math.abs(drop[2]))) + 1
  local area = {
    left_top = { x = box.left_top.x - reach, y = box.left_top.y - reach },
    right_bottom = { x = box.right_bottom.x + reach, y = box.right_bottom.y + reach },
  }
  local placements, truncated = {}, false
  for _, facing in ipairs(world.cardinal_directions()) do
    for _, spot in ipairs(world.grid_positions(prototype, area, facing)) do
      local px, py = world.rotate(pickup[1], pickup[2], facing)
      local dx, dy = world.rotate(drop[1], drop[2], facing)
      local pick_at = { x = spot.x + px, y = spot.y + py }
      local drop_at = { x = spot.x + dx, y = spot.y + dy }
      local role = nil
      if options.role ~= "drop" and world.box_contains(box, pick_at.x, pick_at.y) then role = "pickup" end
      if not role and options.role ~= "pickup" and world.box_contains(box, drop_at.x, drop_at.y) then role = "drop" end
      if role and world.can_place(inserter_name, spot, facing) then
        local other = role == "pickup" and drop_at or pick_at
        if not _add(placements, {
          position = spot, direction = facing, role = role, pickup_position = pick_at, drop_position = drop_at,
          other_end = _occupant(other, entity),
        }, options.max_results) then truncated = true break end
      end
    end
    if truncated then break end
  end
  return { inserter_name = inserter_name, entity = world.brief(entity), placements = placements,
    count = #placements, truncated = truncated }
end

---@param pole_name string
---@param entity_name string
---@param position MapPosition
---@param options {max_results: integer, require_network: boolean|nil}
---@return table
function M.get_pole_connections(pole_name, entity_name, position, options)
  local pole = world.prototype(pole_name, "pole_name")
  local supply, wire = pole.get_supply_area_distance(), pole.get_max_wire_distance()
  if pole.type ~= "electric-pole" or not supply or not wire then
    declare.fail("invalid_argument", "pole_name must name an electric pole, got " .. declare.show(pole_name)
      .. " (type " .. pole.type .. ")")
  end
  local entity = world.entity(entity_name, position, "entity_name")
  local box = entity.bounding_box
  local area = {
    left_top = { x = box.left_top.x - supply, y = box.left_top.y - supply },
    right_bottom = { x = box.right_bottom.x + supply, y = box.right_bottom.y + supply },
  }
  local poles = world.surface().find_entities_filtered({
    type = "electric-pole", force = world.FORCE,
    area = {
      left_top = { x = area.left_top.x - wire, y = area.left_top.y - wire },
      right_bottom = { x = area.right_bottom.x + wire, y = area.right_bottom.y + wire },
    },
  })
  local require_network = options.require_network ~= false
  local placements, truncated = {}, false
  for _, spot in ipairs(world.grid_positions(pole, area, defines.direction.north)) do
    local covers = world.boxes_overlap(box, {
      left_top = { x = spot.x - supply, y = spot.y - supply },
      right_bottom = { x = spot.x + supply, y = spot.y + supply },
    })
    if covers then
      -- Two poles join when they are no farther apart than the shorter of their wire reaches.
      local joins = {}
      for _, other in pairs(poles) do
        local reach = math.min(wire, other.prototype.get_max_wire_distance())
        local distance = math.sqrt((other.position.x - spot.x) ^ 2 + (other.position.y - spot.y) ^ 2)
        if distance <= reach then
          joins[#joins + 1] = { name = other.name, position = { x = other.position.x, y = other.position.y },
            distance = distance }
        end
      end
      if (#joins > 0 or not require_network) and world.can_place(pole_name, spot, defines.direction.north) then
        if not _add(placements, { position = spot, connects_to = joins }, options.max_results) then
          truncated = true
          break
        end
      end
    end
  end
  return { pole_name = pole_name, entity = world.brief(entity), supply_area_distance = supply,
    max_wire_distance = wire, placements = placements, count = #placements, truncated = truncated }
end

return M
