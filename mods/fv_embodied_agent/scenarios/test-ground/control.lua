-- test-ground: a flat, bare, enemy-free lab map round the spawn, where agents start and the test_ground interface
-- (the fv_embodied_agent mod's) shapes what a test needs.
local handler = require("event_handler")

handler.add_libraries({
  require("ground"),
})
