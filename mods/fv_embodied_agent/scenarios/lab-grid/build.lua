-- Laying the lab grid out over the first ticks, one bounded step a tick (a step flattens one chunk the game had
-- generated before, lays one band of borders or fills one cell), so no tick does seconds of work.
-- lab_grid.status() says when every step is done, and reset_cell waits for that.
local grid = require("grid")
local lab_floor = require("__fv_embodied_agent__/scripts/lab_floor")
local layout = require("layout")

---@class FvLabGridBuild
local M = {}

M.SCENARIO = "lab-grid"

---@class FvLabGridBuildState
---@field chunks BoundingBox[] chunks generated before the scenario started, still to flatten
---@field step integer the next step (1-based)
---@field steps integer all steps: #chunks, then the border bands, then the cells

--- Run step `step`: which piece it lays depends only on the step's number.
---@param build FvLabGridBuildState
---@param step integer
local function _run_step(build, step)
  local surface = grid.surface()
  local chunks = #build.chunks
  if step <= chunks then
    lab_floor.flatten(surface, build.chunks[step], false)
    return
  end
  step = step - chunks
  local bands = grid.border_steps()
  if step <= bands then
    grid.lay_border_band(surface, step)
    return
  end
  grid.lay_features(surface, step - bands, false)
end

---@param _ EventData.on_tick
local function _on_tick(_)
  local build = storage.lab_grid.build
  _run_step(build, build.step)
  build.step = build.step + 1
  if build.step > build.steps then
    storage.lab_grid.build = nil
    storage.lab_grid.ready_tick = game.tick
    script.on_event(defines.events.on_tick, nil)
  end
end

function M.on_init()
  local surface = grid.surface()
  local chunks = lab_floor.start(surface)
  -- The whole grid's chunks now, as lab floor (cheap: no map generation), so every step lands on ground.
  surface.request_to_generate_chunks({ x = 0, y = 0 }, math.ceil(layout.SIZE / 2 / 32))
  surface.force_generate_chunk_requests()
  storage.lab_grid = {
    name = M.SCENARIO, area = layout.grid_area(), ready_tick = nil,
    build = { chunks = chunks, step = 1, steps = #chunks + grid.border_steps() + layout.CELLS },
  }
  script.on_event(defines.events.on_tick, _on_tick)
end

M.events = {
  -- A force made later (an agent's own one) is neutral to the cells' forces too.
  ---@param event EventData.on_force_created
  [defines.events.on_force_created] = function(event)
    grid.make_neutral(event.force)
  end,
}

-- A conditional handler: registered again on load while the build is unfinished, as the game requires.
function M.on_load()
  if storage.lab_grid and storage.lab_grid.build then
    script.on_event(defines.events.on_tick, _on_tick)
  end
end

--- Whether the grid is laid out, and how far its build is.
---@return {ready: boolean, step: integer, steps: integer, ready_tick: integer|nil}
function M.status()
  local state = storage.lab_grid
  local build = state.build
  if build then return { ready = false, step = build.step - 1, steps = build.steps } end
  return { ready = true, ready_tick = state.ready_tick }
end

return M
