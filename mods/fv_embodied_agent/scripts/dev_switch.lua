-- The switch of the development interfaces (`admin`, `test_ground`): the runtime-global setting
-- fv_embodied_agent-enable-admin (settings.lua). Evaluation servers set it to false; calls then refuse clearly.
local args = require("scripts.args")

---@class FvDevSwitch
local M = {}

M.SETTING = "fv_embodied_agent-enable-admin"

--- Refuse the call while the setting disables development interfaces.
---@param interface string
---@return fun(method: FvMethod)
function M.guard(interface)
  ---@param method FvMethod
  return function(method)
    local setting = settings.global[M.SETTING]
    if setting and setting.value == false then
      args.fail("disabled", interface .. "." .. method.name .. " is disabled on this server (runtime setting "
        .. M.SETTING .. " = false, as for evaluation); development interfaces bypass gameplay")
    end
  end
end

return M
