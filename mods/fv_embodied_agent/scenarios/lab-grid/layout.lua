-- Where the lab grid's cells are and what each holds: pure geometry and data, the same in every cell so cells are
-- comparable. Documented in docs/mods.md ("Scenarios"); tests read it through lab_grid.cell(), never from here.

---@class FvLabGridLayout
local M = {}

M.GRID = 8 -- cells per row and per column
M.CELLS = M.GRID * M.GRID
M.CELL_SIZE = 64 -- tiles per cell side: room for a small factory
-- Out-of-map tiles between cells and round the grid. Wider than a character's reach and build distance (10 tiles,
-- character.reach_distance and build_distance) so nothing in one cell can be reached, mined or built on from the
-- next, and nothing can be built on it (out-of-map collides with every entity; landfill cannot replace it).
M.BORDER = 12
M.BORDER_TILE = "out-of-map"
M.PITCH = M.CELL_SIZE + M.BORDER
M.SIZE = M.GRID * M.CELL_SIZE + (M.GRID + 1) * M.BORDER -- the grid's side, borders included
M.ORIGIN = -M.SIZE / 2 -- the grid's top-left tile, so the grid is centred on the origin
M.FORCE_PREFIX = "fv-cell-"

-- Inside each cell, offsets from its top-left tile: rectangles {x, y, w, h} of tiles.
M.SPAWN_OFFSET = { x = 32, y = 40 }
M.WATER = { x = 27, y = 4, w = 10, h = 8, tile = "water" }
-- Ore fields: a uniform amount on every tile of the rectangle.
M.RESOURCES = {
  { name = "iron-ore", x = 4, y = 4, w = 12, h = 12, amount = 3000 },
  { name = "copper-ore", x = 48, y = 4, w = 12, h = 12, amount = 3000 },
  { name = "coal", x = 4, y = 48, w = 12, h = 12, amount = 2500 },
  { name = "stone", x = 48, y = 48, w = 10, h = 10, amount = 2000 },
}


--- The top-left tile of cell `index` (1..64, row by row from the top-left cell).
---@param index integer
---@return integer x, integer y
function M.corner(index)
  local row, col = math.floor((index - 1) / M.GRID), (index - 1) % M.GRID
  return M.ORIGIN + M.BORDER + col * M.PITCH, M.ORIGIN + M.BORDER + row * M.PITCH
end

--- The cell's tiles as an area (right_bottom exclusive).
---@param index integer
---@return BoundingBox
function M.area(index)
  local x, y = M.corner(index)
  return { left_top = { x = x, y = y }, right_bottom = { x = x + M.CELL_SIZE, y = y + M.CELL_SIZE } }
end

--- A rectangle of offsets inside cell `index`, as an area.
---@param index integer
---@param rect {x: integer, y: integer, w: integer, h: integer}
---@return BoundingBox
function M.rect_area(index, rect)
  local x, y = M.corner(index)
  return { left_top = { x = x + rect.x, y = y + rect.y }, right_bottom = { x = x + rect.x + rect.w, y = y + rect.y + rect.h } }
end

--- Where agents of cell `index` start (the centre of a tile).
---@param index integer
---@return MapPosition
function M.spawn(index)
  local x, y = M.corner(index)
  return { x = x + M.SPAWN_OFFSET.x + 0.5, y = y + M.SPAWN_OFFSET.y + 0.5 }
end

---@param index integer
---@return string
function M.force_name(index)
  return M.FORCE_PREFIX .. index
end

--- The whole grid, borders included.
---@return BoundingBox
function M.grid_area()
  return { left_top = { x = M.ORIGIN, y = M.ORIGIN }, right_bottom = { x = M.ORIGIN + M.SIZE, y = M.ORIGIN + M.SIZE } }
end

--- Whether a tile column (or row) offset from the grid's edge lies in a border band.
---@param offset integer 0 .. SIZE - 1
---@return boolean
function M.in_border(offset)
  return offset % M.PITCH < M.BORDER
end

return M
