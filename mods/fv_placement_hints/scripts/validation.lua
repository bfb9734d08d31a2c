-- Placement validation with Factorio's own collision check, plus the names of what is in the way.

---@class FvValidation
local M = {}

---@param message string
local function _invalid(message)
  error("[fv:invalid_argument] " .. message, 0)
end

---@param value any
---@return boolean
local function _is_finite(value)
  return type(value) == "number" and value == value and value ~= math.huge and value ~= -math.huge
end

--- Accept both position spellings Factorio accepts ({x=, y=} and {x, y}).
---@param value any
---@return MapPosition
local function _position(value)
  if type(value) == "table" then
    local x, y = value.x, value.y
    if x == nil and y == nil then x, y = value[1], value[2] end
    if _is_finite(x) and _is_finite(y) then return { x = x, y = y } end
  end
  _invalid("position must be a position {x=number, y=number}, got " .. type(value))
end

---@param value any
---@return defines.direction
local function _direction(value)
  if value == nil then return defines.direction.north end
  if not _is_finite(value) or value % 1 ~= 0 or value < 0 or value > 15 then
    _invalid("direction must be a defines.direction value (an integer 0..15) or nil, got " .. tostring(value))
  end
  return value
end

--- The area the collision box covers at `position` facing `direction`; only cardinal directions rotate it.
---@param box BoundingBox
---@param position MapPosition
---@param direction defines.direction
---@return BoundingBox
local function _footprint(box, position, direction)
  local l, t, r, b = box.left_top.x, box.left_top.y, box.right_bottom.x, box.right_bottom.y
  if direction == defines.direction.east then
    l, t, r, b = -b, l, -t, r
  elseif direction == defines.direction.south then
    l, t, r, b = -r, -b, -l, -t
  elseif direction == defines.direction.west then
    l, t, r, b = t, -r, b, -l
  end
  return {
    left_top = { x = position.x + l, y = position.y + t },
    right_bottom = { x = position.x + r, y = position.y + b },
  }
end

--- Entities and tiles inside the footprint that collide with the prototype.
---@param surface LuaSurface
---@param prototype LuaEntityPrototype
---@param position MapPosition
---@param direction defines.direction
---@return {name: string, position: MapPosition}[]
local function _blockers(surface, prototype, position, direction)
  local area = _footprint(prototype.collision_box, position, direction)
  local found = {}
  for _, entity in pairs(surface.find_entities_filtered({ area = area })) do
    -- Ore under a building does not block it (mining drills stand on it).
    if entity.type ~= "resource" then
      found[#found + 1] = { name = entity.name, position = { x = entity.position.x, y = entity.position.y } }
    end
  end
  -- Tiles block through their collision layers (water, for most buildings), the same rule the engine applies.
  for _, tile in pairs(surface.find_tiles_filtered({ area = area, collision_mask = prototype.collision_mask.layers })) do
    found[#found + 1] = { name = tile.name, position = { x = tile.position.x, y = tile.position.y } }
  end
  return found
end

--- Can `entity_name` be placed there by the player force on nauvis?
---@param entity_name any
---@param position any
---@param direction any
---@return {valid: boolean, entity_name: string, position: MapPosition, reason: string|nil, blockers: table[]|nil}
function M.validate_placement(entity_name, position, direction)
  if type(entity_name) ~= "string" or entity_name == "" then
    _invalid("entity_name must be a non-empty string, got " .. type(entity_name))
  end
  local at = _position(position)
  local facing = _direction(direction)
  local prototype = prototypes.entity[entity_name]
  if not prototype then
    return { valid = false, entity_name = entity_name, position = at, reason = "unknown_entity" }
  end
  local surface = game.surfaces["nauvis"]
  if surface.can_place_entity({ name = entity_name, position = at, direction = facing, force = "player" }) then
    return { valid = true, entity_name = entity_name, position = at }
  end
  return {
    valid = false, entity_name = entity_name, position = at, reason = "blocked",
    blockers = _blockers(surface, prototype, at, facing),
  }
end

return M
