-- The `placement_hints` remote interface.
local meta = require("scripts.meta")
local validation = require("scripts.validation")

---@class FvPlacementInterface
local M = {}

function M.add_remote_interface()
  remote.add_interface("placement_hints", {
    version = function() return meta.version("placement_hints") end,
    validate_placement = validation.validate_placement,
  })
end

return M
