-- fv_embodied_agent: composes the mod's modules through Factorio's core event_handler library.
local handler = require("event_handler")

handler.add_libraries({
  require("scripts.migrations"),
  require("scripts.agents"),
  require("scripts.admin"),
  require("scripts.entities_interface"),
  require("scripts.test_ground"),
  require("scripts.actions.walking"),
  require("scripts.actions.mining"),
  require("scripts.actions.research"),
  require("scripts.ticker"),  -- registers on_tick only while an action needs it
})
