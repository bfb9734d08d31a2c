-- The `admin` interface: development utilities that bypass gameplay (the seed's base interface of that name).
-- Scenarios and tests use it to hand an agent a starting kit, as the freeplay scenario hands one to a player.
local args = require("scripts.args")
local meta = require("scripts.meta")
local registry = require("scripts.registry")

---@class FvAdmin
local M = {}

--- Put items straight into an agent's main inventory; what does not fit is reported, not dropped.
---@param agent_id any
---@param items any {[item_name]: count}
---@return {inserted: table<string, integer>}
local function _add_items(agent_id, items)
  local agent = registry.get(args.integer(agent_id, "agent_id", 1))
  if type(items) ~= "table" or next(items) == nil then
    args.fail("invalid_argument", "items must be a non-empty table {item_name = count}, got " .. args.describe(items))
  end
  local wanted = {}
  for name, count in pairs(items) do
    args.item_prototype(name)
    wanted[#wanted + 1] = { name = name, count = args.integer(count, "items[" .. name .. "]", 1) }
  end
  -- Sorted, so the inventory's slot order does not depend on table iteration order.
  table.sort(wanted, function(a, b) return a.name < b.name end)
  local inventory = agent.character.get_main_inventory()
  local inserted = {}
  for _, item in ipairs(wanted) do
    local n = inventory.insert({ name = item.name, count = item.count })
    inserted[item.name] = n
    if n < item.count then
      -- All or nothing: take back what went in, so a refused call leaves the inventory as it was.
      for name, count in pairs(inserted) do
        if count > 0 then inventory.remove({ name = name, count = count }) end
      end
      args.fail("inventory_full", "only " .. n .. " of " .. item.count .. " " .. item.name
        .. " fit in agent " .. agent.id .. "'s inventory; nothing was added; take items out first")
    end
  end
  return { inserted = inserted }
end

function M.add_remote_interface()
  remote.add_interface("admin", {
    version = function() return meta.version("admin") end,
    add_items = _add_items,
  })
end

return M
