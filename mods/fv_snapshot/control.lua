-- fv_snapshot: composes the mod's modules through Factorio's core event_handler library.
local handler = require("event_handler")

handler.add_libraries({
  require("scripts.migrations"),
  require("scripts.snapshot"),
  require("scripts.deltas"),
  require("scripts.map_interface"),
})
