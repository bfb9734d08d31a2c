-- What every method reads from the game: the surface, prototypes by name, entities by name and position, and the
-- small amount of grid geometry that turns a prototype's north-facing vectors into world positions.

local declare = require("scripts.declare")

---@class FvHintsWorld
local M = {}

-- Every answer is for the player force on nauvis, where agents and players build.
M.FORCE = "player"

---@return LuaSurface
function M.surface()
  return game.surfaces["nauvis"]
end

--- The four directions an entity can face on the build grid, in rotation order.
---@return defines.direction[]
function M.cardinal_directions()
  local d = defines.direction
  return { d.north, d.east, d.south, d.west }
end

--- Quarter turns clockwise from north; only cardinal directions rotate the grid.
---@param direction defines.direction
---@return integer
function M.quarters(direction)
  local d = defines.direction
  if direction == d.east then return 1 end
  if direction == d.south then return 2 end
  if direction == d.west then return 3 end
  return 0
end

--- A north-facing offset turned to `direction`, as the game turns vectors of rotated entities.
---@param x number
---@param y number
---@param direction defines.direction
---@return number, number
function M.rotate(x, y, direction)
  for _ = 1, M.quarters(direction) do x, y = -y, x end
  return x, y
end

--- A direction turned by another one (a connection's direction on a rotated entity).
---@param direction defines.direction
---@param by defines.direction
---@return defines.direction
function M.turn(direction, by)
  local order = M.cardinal_directions()
  for i, value in ipairs(order) do
    if value == direction then return order[(i - 1 + M.quarters(by)) % 4 + 1] end
  end
  return direction
end

--- The unit step one tile towards a cardinal direction.
---@param direction defines.direction
---@return number, number
function M.step(direction)
  return M.rotate(0, -1, direction)
end

---@param direction defines.direction
---@return defines.direction
function M.opposite(direction)
  return M.turn(direction, defines.direction.south)
end

--- A prototype box turned to `direction` and moved to `position`.
---@param box BoundingBox
---@param position MapPosition
---@param direction defines.direction
---@return BoundingBox
function M.place_box(box, position, direction)
  local ax, ay = M.rotate(box.left_top.x, box.left_top.y, direction)
  local bx, by = M.rotate(box.right_bottom.x, box.right_bottom.y, direction)
  return {
    left_top = { x = position.x + math.min(ax, bx), y = position.y + math.min(ay, by) },
    right_bottom = { x = position.x + math.max(ax, bx), y = position.y + math.max(ay, by) },
  }
end

---@param box BoundingBox
---@param x number
---@param y number
---@return boolean
function M.box_contains(box, x, y)
  return x >= box.left_top.x and x <= box.right_bottom.x and y >= box.left_top.y and y <= box.right_bottom.y
end

---@param a BoundingBox
---@param b BoundingBox
---@return boolean
function M.boxes_overlap(a, b)
  return a.left_top.x < b.right_bottom.x and b.left_top.x < a.right_bottom.x
    and a.left_top.y < b.right_bottom.y and b.left_top.y < a.right_bottom.y
end

--- The entity prototype named by parameter `param`, or an unknown_entity error naming it.
---@param name string
---@param param string
---@return LuaEntityPrototype
function M.prototype(name, param)
  local prototype = prototypes.entity[name]
  if not prototype then
    declare.fail("unknown_entity", param .. ": there is no entity prototype named " .. declare.show(name)
      .. "; use a name from data.raw, e.g. \"stone-furnace\"")
  end
  return prototype
end

--- The entity of that name covering `position`, or an entity_not_found error naming both parameters.
---@param name string
---@param position MapPosition
---@param param string the name parameter's name
---@return LuaEntity
function M.entity(name, position, param)
  M.prototype(name, param)
  local found = M.surface().find_entities_filtered({ name = name, position = position, limit = 1 })
  if not found[1] then
    declare.fail("entity_not_found", param .. ": no " .. name .. " at (" .. position.x .. ", " .. position.y .. ")")
  end
  return found[1]
end

--- Positions where an entity of the prototype, facing `direction`, fits on the tiles `area` touches, row by row: the
--- grid the game builds on (odd sizes on tile centres, even on tile corners), from the prototype's tile size.
---@param prototype LuaEntityPrototype
---@param area BoundingBox
---@param direction defines.direction
---@return MapPosition[]
function M.grid_positions(prototype, area, direction)
  local w, h = prototype.tile_width, prototype.tile_height
  if M.quarters(direction) % 2 == 1 then w, h = h, w end
  local left, top = math.floor(area.left_top.x), math.floor(area.left_top.y)
  local right, bottom = math.ceil(area.right_bottom.x), math.ceil(area.right_bottom.y)
  local out = {}
  for ty = top, bottom - h do
    for tx = left, right - w do
      out[#out + 1] = { x = tx + w / 2, y = ty + h / 2 }
    end
  end
  return out
end

---@param entity_name string
---@param position MapPosition
---@param direction defines.direction
---@return boolean
function M.can_place(entity_name, position, direction)
  return M.surface().can_place_entity({ name = entity_name, position = position, direction = direction, force = M.FORCE })
end

---@param entity LuaEntity
---@return {name: string, position: MapPosition}
function M.brief(entity)
  return { name = entity.name, position = { x = entity.position.x, y = entity.position.y } }
end

return M
