-- What an agent sees: its force charts around the character, as a player's view charts the map. On a headless
-- server no player charts anything, so without this the map snapshot would never learn where agents go.
---@class FvChart
local M = {}

-- Half the side of the square a character charts around itself, in tiles.
M.SIGHT_RADIUS = 64
local _CHUNK_SIZE = 32

---@param position MapPosition
---@return BoundingBox
function M.view_area(position)
  local r = M.SIGHT_RADIUS
  return {
    left_top = { x = position.x - r, y = position.y - r },
    right_bottom = { x = position.x + r, y = position.y + r },
  }
end

--- Chart the area around the character for its force.
---@param character LuaEntity
function M.around(character)
  character.force.chart(character.surface, M.view_area(character.position))
end

--- The chunks of the character's view, with whether its force has charted and the surface generated each.
---@param character LuaEntity
---@return {x: integer, y: integer, charted: boolean, generated: boolean}[]
function M.chunks_in_view(character)
  local area = M.view_area(character.position)
  local surface, force = character.surface, character.force
  local out = {}
  for cy = math.floor(area.left_top.y / _CHUNK_SIZE), math.floor((area.right_bottom.y - 1e-6) / _CHUNK_SIZE) do
    for cx = math.floor(area.left_top.x / _CHUNK_SIZE), math.floor((area.right_bottom.x - 1e-6) / _CHUNK_SIZE) do
      local chunk = { x = cx, y = cy }
      out[#out + 1] = {
        x = cx, y = cy,
        charted = force.is_chunk_charted(surface, chunk),
        generated = surface.is_chunk_generated(chunk),
        area = {
          left_top = { x = cx * _CHUNK_SIZE, y = cy * _CHUNK_SIZE },
          right_bottom = { x = (cx + 1) * _CHUNK_SIZE, y = (cy + 1) * _CHUNK_SIZE },
        },
      }
    end
  end
  return out
end

return M
