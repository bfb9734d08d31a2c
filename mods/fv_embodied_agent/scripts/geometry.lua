-- Plane geometry on map positions and bounding boxes (y grows southward, as on Factorio's map).

---@class FvGeometry
local M = {}

---@param position MapPosition
---@return MapPosition
function M.copy(position)
  return { x = position.x, y = position.y }
end

---@param a MapPosition
---@param b MapPosition
---@return number
function M.distance(a, b)
  local dx, dy = a.x - b.x, a.y - b.y
  return math.sqrt(dx * dx + dy * dy)
end

--- Reach is measured to the nearest point of the target's box, so large entities are reachable from their edge.
---@param position MapPosition
---@param box BoundingBox
---@return number
function M.distance_to_box(position, box)
  local x = math.max(box.left_top.x, math.min(position.x, box.right_bottom.x))
  local y = math.max(box.left_top.y, math.min(position.y, box.right_bottom.y))
  return M.distance(position, { x = x, y = y })
end

--- The area a prototype's collision box covers when placed at `position` facing `direction`.
--- Only the four cardinal directions rotate the box; other directions are used by rails, which we do not place.
---@param box BoundingBox a prototype's collision_box, centered on (0, 0)
---@param position MapPosition
---@param direction defines.direction
---@return BoundingBox
function M.footprint(box, position, direction)
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

-- Index = octant + 1, octant 0 pointing east and counting clockwise, because math.atan2 measures from +x and y
-- grows southward on the map.
local _OCTANT_DIRECTIONS = {
  "east", "southeast", "south", "southwest", "west", "northwest", "north", "northeast",
}

--- The 8-way walking direction closest to the bearing from `from` to `to`.
---@param from MapPosition
---@param to MapPosition
---@return defines.direction
function M.direction_toward(from, to)
  local angle = math.atan2(to.y - from.y, to.x - from.x)
  local octant = math.floor(angle / (math.pi / 4) + 0.5) % 8
  return defines.direction[_OCTANT_DIRECTIONS[octant + 1]]
end

---@param position MapPosition
---@return string
function M.format(position)
  return string.format("(%.2f, %.2f)", position.x, position.y)
end

return M
