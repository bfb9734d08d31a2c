-- The lab grid's pieces: out-of-map borders, one force per cell, the same water and ore in every cell, and putting
-- a cell back as it started. build.lua lays them over the first ticks; grid_interface.lua answers for them.
local args = require("__fv_embodied_agent__/scripts/args")
local lab_floor = require("__fv_embodied_agent__/scripts/lab_floor")
local layout = require("layout")

---@class FvLabGrid
local M = {}

-- Rows of the grid per border step: at most this many rows of out-of-map tiles in one set_tiles call.
M.BORDER_ROWS_PER_STEP = 4

---@return LuaSurface
function M.surface()
  return game.surfaces["nauvis"]
end

--- How many border steps the grid takes.
---@return integer
function M.border_steps()
  return math.ceil(layout.SIZE / M.BORDER_ROWS_PER_STEP)
end

--- Out-of-map tiles on the border tiles of one band of rows (band 1 is the top one).
---@param surface LuaSurface
---@param band integer
function M.lay_border_band(surface, band)
  local size, x0, y0 = layout.SIZE, layout.ORIGIN, layout.ORIGIN
  local first = (band - 1) * M.BORDER_ROWS_PER_STEP
  local tiles = {}
  for dy = first, math.min(first + M.BORDER_ROWS_PER_STEP, size) - 1 do
    local full_row = layout.in_border(dy)
    for dx = 0, size - 1 do
      if full_row or layout.in_border(dx) then
        tiles[#tiles + 1] = { name = layout.BORDER_TILE, position = { x = x0 + dx, y = y0 + dy } }
      end
    end
  end
  -- Borders go where nothing stands yet (fresh lab floor); nothing to search for collisions.
  surface.set_tiles(tiles, true, false, true, false)
end

--- The cell's water and ore, on a cell that holds nothing else.
---@param surface LuaSurface
---@param index integer
---@param raise boolean raise script_raised_set_tiles and script_raised_built for the snapshot
function M.lay_features(surface, index, raise)
  local water = layout.rect_area(index, layout.WATER)
  local tiles = {}
  for y = water.left_top.y, water.right_bottom.y - 1 do
    for x = water.left_top.x, water.right_bottom.x - 1 do
      tiles[#tiles + 1] = { name = layout.WATER.tile, position = { x = x, y = y } }
    end
  end
  surface.set_tiles(tiles, true, true, true, raise)
  for _, field in ipairs(layout.RESOURCES) do
    local area = layout.rect_area(index, field)
    for y = area.left_top.y, area.right_bottom.y - 1 do
      for x = area.left_top.x, area.right_bottom.x - 1 do
        surface.create_entity({ name = field.name, position = { x = x + 0.5, y = y + 0.5 }, amount = field.amount,
          raise_built = raise })
      end
    end
  end
end

-- Factorio allows at most 64 forces, three of them the game's own (player, enemy, neutral): a cell's force is made
-- when the cell is first reset, so any 61 cells (fewer while agents hold forces of their own) run at once.
M.MAX_FORCES = 64

--- Cease-fire both ways between `force` and every other force but the enemy's: neutral, not friends (friends may
--- open one another's buildings), so no turret of one cell fires into the next.
---@param force LuaForce
function M.make_neutral(force)
  for _, other in pairs(game.forces) do
    if other.name ~= "enemy" and other.name ~= force.name then
      force.set_cease_fire(other, true)
      other.set_cease_fire(force, true)
    end
  end
end

--- The cell's force, made (neutral to every other, spawning at the cell's spawn) the first time.
---@param index integer
---@return LuaForce
function M.claim_force(index)
  local name = layout.force_name(index)
  local force = game.forces[name]
  if force then return force end
  -- Counted with pairs: game.forces is a LuaCustomTable, which table_size does not take.
  local count = 0
  for _ in pairs(game.forces) do count = count + 1 end
  if count >= M.MAX_FORCES then
    args.fail("invalid_state", "cannot make force " .. name .. ": the game has " .. count .. " forces and Factorio "
      .. "allows at most " .. M.MAX_FORCES .. " (player, enemy and neutral among them); run fewer cells at once or "
      .. "destroy agents that have forces of their own")
  end
  force = game.create_force(name)
  force.set_spawn_position(layout.spawn(index), M.surface())
  M.make_neutral(force)
  return force
end

--- Research as a new game has it: nothing researched, in progress or queued; recipes and bonuses as the
--- prototypes give them.
---@param force LuaForce
local function _reset_research(force)
  force.cancel_current_research()
  force.research_queue = {}
  for _, technology in pairs(force.technologies) do
    technology.researched = false
    technology.saved_progress = 0
  end
  force.reset_recipes()
  force.reset_technology_effects()
end

---@class FvLabGridCell
---@field index integer
---@field force string
---@field area BoundingBox
---@field spawn MapPosition
---@field claimed boolean whether its force exists (made by the cell's first reset_cell)

--- What a cell is: its index, force, area, the spawn position for its agents, and whether its force exists.
---@param index integer
---@return FvLabGridCell
function M.cell(index)
  local force = layout.force_name(index)
  return { index = index, force = force, area = layout.area(index), spawn = layout.spawn(index),
    claimed = game.forces[force] ~= nil }
end

--- Put cell `index` back as it started: every entity but characters removed, floor, water and ore laid again, its
--- force made (the first time) or its research reset. Characters (agents) stay, with what they carry; one standing where water goes is moved
--- to the cell's spawn first.
---@param index integer
---@return {index: integer, removed: integer, characters: integer}
function M.reset_cell(index)
  local force = M.claim_force(index)
  local surface = M.surface()
  local area = layout.area(index)
  local removed = lab_floor.flatten(surface, area, true)
  local spawn = layout.spawn(index)
  for _, character in pairs(surface.find_entities_filtered({ area = layout.rect_area(index, layout.WATER),
    type = "character" })) do
    character.teleport(surface.find_non_colliding_position("character", spawn, layout.CELL_SIZE / 2, 0.5) or spawn)
  end
  M.lay_features(surface, index, true)
  _reset_research(force)
  local characters = surface.count_entities_filtered({ area = area, type = "character" })
  return { index = index, removed = removed, characters = characters }
end

return M
