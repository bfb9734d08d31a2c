-- Lab floor for the mod's scenarios (scenarios/test-ground, scenarios/lab-grid): new chunks generate as lab tiles,
-- and chunks the game generated before the scenario started are turned into lab floor as well, so wherever agents
-- go the map is flat and bare (no ore, trees, rocks or enemies) unless the scenario puts something there.

---@class FvLabFloor
local M = {}

-- The game's two lab tiles, laid as a checkerboard.
M.TILES = { "lab-dark-1", "lab-dark-2" }

--- The lab tile of a tile position: the checkerboard by the parity of x + y.
---@param x integer
---@param y integer
---@return string
function M.tile_at(x, y)
  return M.TILES[(x + y) % 2 + 1]
end

--- Lab floor tiles for every tile of a tile-aligned area, ready for LuaSurface.set_tiles.
---@param area BoundingBox
---@return Tile[]
function M.tiles(area)
  local tiles = {}
  for y = area.left_top.y, area.right_bottom.y - 1 do
    for x = area.left_top.x, area.right_bottom.x - 1 do
      tiles[#tiles + 1] = { name = M.tile_at(x, y), position = { x = x, y = y } }
    end
  end
  return tiles
end

--- Empty a tile-aligned area down to bare lab floor: every entity but characters removed, every tile reset.
---@param surface LuaSurface
---@param area BoundingBox
---@param raise boolean raise the game's events (script_raised_destroy, script_raised_set_tiles) for the snapshot
---@return integer removed entities removed
function M.flatten(surface, area, raise)
  local removed = 0
  for _, entity in pairs(surface.find_entities_filtered({ area = area })) do
    if entity.valid and entity.type ~= "character" then
      entity.destroy({ raise_destroy = raise })
      removed = removed + 1
    end
  end
  -- Nothing but characters is left, and lab floor collides with none of them: no collision search needed.
  surface.set_tiles(M.tiles(area), true, false, true, raise)
  return removed
end

--- Generate lab floor from now on; returns the areas of the chunks generated already, which still hold the map
--- generator's ground (flatten them, at once or a few at a time).
---@param surface LuaSurface
---@return BoundingBox[]
function M.start(surface)
  surface.generate_with_lab_tiles = true
  local areas = {}
  for chunk in surface.get_chunks() do
    -- A chunk only requested so far is generated later, as lab floor.
    if surface.is_chunk_generated(chunk) then areas[#areas + 1] = chunk.area end
  end
  return areas
end

--- Make a surface lab floor at once: every chunk generated from now on, and every chunk generated already.
---@param surface LuaSurface
---@return integer chunks the chunks that were already generated and have been flattened
function M.make_lab(surface)
  local areas = M.start(surface)
  for _, area in ipairs(areas) do M.flatten(surface, area, false) end
  return #areas
end

return M
