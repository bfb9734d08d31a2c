-- Runtime-global settings of fv_embodied_agent. A server started for evaluation turns the development interfaces
-- off, so an agent under test cannot hand itself items or reshape the map.
data:extend({
  {
    type = "bool-setting",
    name = "fv_embodied_agent-enable-admin",
    setting_type = "runtime-global",
    default_value = true,
    order = "a",
  },
})
