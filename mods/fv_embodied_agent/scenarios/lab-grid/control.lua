-- lab-grid: 64 isolated cells (8 x 8), each with its own force and the same resources, for running agents side by
-- side; the lab_grid remote interface lists, describes and resets cells.
local handler = require("event_handler")

handler.add_libraries({
  require("build"),
  require("grid_interface"),
})
