-- The per-agent remote interface `agent_<id>`: one interface per agent so a caller cannot act for another. Its
-- methods are declared by the module of each concept (movement, mining, crafting, entities, research, queries).
local declared = require("scripts.declared")
local registry = require("scripts.registry")

---@class FvAgentInterface
local M = {}

--- Every method of agent_<id>, in the order describe() lists them.
---@type FvMethod[]
M.METHODS = {}
for _, module in ipairs({
  require("scripts.actions.walking"),
  require("scripts.actions.mining"),
  require("scripts.actions.crafting"),
  require("scripts.actions.placement"),
  require("scripts.actions.entity_ops"),
  require("scripts.actions.inventory"),
  require("scripts.actions.research"),
  require("scripts.actions.inspect"),
  require("scripts.actions.status"),
}) do
  for _, method in ipairs(module.methods) do M.METHODS[#M.METHODS + 1] = method end
end

M.DOC = "One agent's character: movement, mining, crafting, building, research and queries."

--- The interface's functions. Each call looks the agent up again, so nothing stale outlives a save/load.
---@param agent_id integer
---@return table<string, function>
function M.build(agent_id)
  return declared.interface(registry.interface_name(agent_id), M.DOC, M.METHODS,
    function() return registry.get(agent_id) end)
end

--- Register agent_<id>. Called at creation and again from on_load, because remote interfaces live in the Lua
--- state and are not saved.
---@param agent_id integer
function M.register(agent_id)
  local name = registry.interface_name(agent_id)
  if not remote.interfaces[name] then
    remote.add_interface(name, M.build(agent_id))
  end
end

---@param agent_id integer
function M.unregister(agent_id)
  remote.remove_interface(registry.interface_name(agent_id))
end

return M
