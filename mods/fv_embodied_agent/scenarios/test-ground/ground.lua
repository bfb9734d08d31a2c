-- The test-ground map: lab floor everywhere (new chunks and the ones already generated), the area round the spawn
-- generated at once so agents and test_ground calls have ground under them from the first tick.
local lab_floor = require("__fv_embodied_agent__/scripts/lab_floor")

---@class FvTestGroundScenario
local M = {}

-- Chunks generated round the spawn at start: 9 x 9 chunks (288 x 288 tiles), room for a test's factory.
M.START_RADIUS_CHUNKS = 4
M.SPAWN = { x = 0, y = 0 }
M.SCENARIO = "test-ground"

function M.on_init()
  local surface = game.surfaces["nauvis"]
  local flattened = lab_floor.make_lab(surface)
  surface.request_to_generate_chunks(M.SPAWN, M.START_RADIUS_CHUNKS)
  surface.force_generate_chunk_requests()
  game.forces["player"].set_spawn_position(M.SPAWN, surface)
  storage.fv_scenario = { name = M.SCENARIO, spawn = M.SPAWN, flattened_chunks = flattened }
end

return M
