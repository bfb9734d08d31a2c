-- The `admin` interface: development utilities that bypass gameplay (the seed's base interface of that name).
-- Scenarios and tests use it to hand an agent a starting kit, as the freeplay scenario hands one to a player.
local args = require("scripts.args")
local declared = require("scripts.declared")
local dev_switch = require("scripts.dev_switch")
local registry = require("scripts.registry")
local targets = require("scripts.targets")

---@class FvAdmin
local M = {}

M.DOC = "Development utilities that bypass gameplay; disabled by the setting fv_embodied_agent-enable-admin."

--- Put items straight into an agent's main inventory; all or nothing.
---@param p {agent_id: integer, items: table<string, integer>}
---@return {inserted: table<string, integer>}
local function _add_items(p)
  local agent = registry.get(p.agent_id)
  local wanted = {}
  for name, count in pairs(p.items) do
    args.item_prototype(name, "items")
    wanted[#wanted + 1] = { name = name, count = count }
  end
  -- Sorted, so the inventory's slot order does not depend on table iteration order.
  table.sort(wanted, function(a, b) return a.name < b.name end)
  local inventory = agent.character.get_main_inventory() --[[@as LuaInventory]]
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

---@param p {agent_id: integer}
---@return {removed: table<string, integer>}
local function _clear_inventory(p)
  local agent = registry.get(p.agent_id)
  local inventory = agent.character.get_main_inventory() --[[@as LuaInventory]]
  local removed = targets.contents(inventory)
  inventory.clear()
  return { removed = removed }
end

---@param p {agent_id: integer, technology_name: string}
---@return {technology: string, force: string, recipes: string[]}
local function _unlock_technology(p)
  local agent = registry.get(p.agent_id)
  args.technology_prototype(p.technology_name)
  local force = agent.character.force
  local technology = force.technologies[p.technology_name]
  technology.researched = true
  local recipes = {}
  for _, effect in pairs(technology.prototype.effects or {}) do
    if effect.type == "unlock-recipe" then recipes[#recipes + 1] = effect.recipe end
  end
  return { technology = technology.name, force = force.name, recipes = recipes }
end

local _AGENT = { name = "agent_id", type = "integer", min = 1, doc = "the agent" }

---@type FvMethod[]
M.METHODS = {
  {
    name = "add_items", mutates = true, doc = "Put items straight into an agent's main inventory (all or nothing).",
    params = { _AGENT, { name = "items", type = "map", min = 1, doc = "{item_name = count}",
      values = { name = "count", type = "integer", min = 1, doc = "how many" } } },
    returns = "{inserted: {item_name: count}}", errors = { "disabled", "unknown_agent", "unknown_item", "inventory_full" },
    run = function(_, p) return _add_items(p) end,
  },
  {
    name = "clear_inventory", mutates = true, doc = "Empty an agent's main inventory.",
    params = { _AGENT }, returns = "{removed: {item_name: count}}", errors = { "disabled", "unknown_agent" },
    run = function(_, p) return _clear_inventory(p) end,
  },
  {
    name = "unlock_technology", mutates = true,
    doc = "Mark a technology researched for an agent's force (its recipes unlock as the game does).",
    params = { _AGENT, { name = "technology_name", type = "string", doc = "the technology, e.g. automation" } },
    returns = "{technology, force, recipes: [recipe]}", errors = { "disabled", "unknown_agent", "unknown_technology" },
    run = function(_, p) return _unlock_technology(p) end,
  },
}

function M.add_remote_interface()
  remote.add_interface("admin", declared.interface("admin", M.DOC, M.METHODS, function() return nil end,
    dev_switch.guard("admin")))
end

return M
