-- Moving items between the character's main inventory and an entity's inventories.
local args = require("scripts.args")
local targets = require("scripts.targets")

---@class FvInventory
local M = {}

-- defines.inventory indices are only meaningful for the entity types that own them (the same number means
-- different inventories on different types), so each kind is resolved per type.
local _CRAFTERS = { furnace = true, ["assembling-machine"] = true }
local _CONTAINERS = { container = true, ["logistic-container"] = true }

M.KINDS = { "fuel", "input", "output", "chest" }

--- The entity's inventory of that kind, or nil when it has none.
---@param entity LuaEntity
---@param kind string
---@return LuaInventory|nil
function M.of_kind(entity, kind)
  if kind == "fuel" then return entity.get_fuel_inventory() end
  if kind == "chest" then
    return _CONTAINERS[entity.type] and entity.get_inventory(defines.inventory.chest) or nil
  end
  if _CRAFTERS[entity.type] then
    if kind == "input" then return entity.get_inventory(defines.inventory.crafter_input) end
    if kind == "output" then return entity.get_inventory(defines.inventory.crafter_output) end
  end
  return nil
end

---@param value any
---@return string|nil
local function _kind_argument(value)
  if value == nil then return nil end
  for _, kind in ipairs(M.KINDS) do
    if value == kind then return kind end
  end
  args.fail("invalid_argument", "inventory must be one of fuel, input, output, chest or nil, got " .. args.describe(value))
end

--- Resolve the requested kind, or the first of `defaults` the entity has.
---@param entity LuaEntity
---@param kind string|nil
---@param defaults string[]
---@return LuaInventory, string
local function _pick(entity, kind, defaults)
  for _, candidate in ipairs(kind and { kind } or defaults) do
    local inventory = M.of_kind(entity, candidate)
    if inventory then return inventory, candidate end
  end
  local what = kind and (kind .. " inventory") or ("inventory of the kinds " .. table.concat(defaults, ", "))
  args.fail("invalid_argument", entity.name .. " has no " .. what .. "; pass inventory = fuel, input, output or chest")
end

---@param agent FvAgent
---@param item_name any
---@param count any
---@param entity_name any
---@param position any
---@param inventory_kind any
---@return LuaItemPrototype, integer, LuaEntity, string|nil
local function _common(agent, item_name, count, entity_name, position, inventory_kind)
  local item = args.item_prototype(item_name)
  local amount = args.integer(count, "count", 1)
  local kind = _kind_argument(inventory_kind)
  local entity = targets.find(agent.character, entity_name, position)
  targets.require_reach(agent.character, entity, agent.character.reach_distance, "reach_distance")
  return item, amount, entity, kind
end

--- Move items from the character into the entity. Default inventory: fuel for fuel items, else input, else chest.
---@return {inserted: integer}
function M.put(agent, item_name, count, entity_name, position, inventory_kind)
  local item, amount, entity, kind = _common(agent, item_name, count, entity_name, position, inventory_kind)
  local main = agent.character.get_main_inventory() --[[@as LuaInventory]]
  local held = main.get_item_count(item.name)
  if held < amount then
    args.fail("not_in_inventory", "the agent holds " .. held .. " " .. item.name .. ", not " .. amount)
  end
  local defaults = item.fuel_value > 0 and { "fuel", "input", "chest" } or { "input", "chest" }
  local target, chosen = _pick(entity, kind, defaults)
  local inserted = target.insert({ name = item.name, count = amount })
  if inserted == 0 then
    args.fail("inventory_full", entity.name .. "'s " .. chosen .. " inventory accepted none of " .. amount .. " "
      .. item.name .. " (it is full or does not take that item)")
  end
  main.remove({ name = item.name, count = inserted })
  return { inserted = inserted }
end

--- Move items from the entity into the character. Default inventory: output, else chest, else fuel.
---@return {taken: integer}
function M.take(agent, item_name, count, entity_name, position, inventory_kind)
  local item, amount, entity, kind = _common(agent, item_name, count, entity_name, position, inventory_kind)
  local source, chosen = _pick(entity, kind, { "output", "chest", "fuel" })
  local available = source.get_item_count(item.name)
  if available == 0 then
    args.fail("not_in_inventory", entity.name .. "'s " .. chosen .. " inventory holds no " .. item.name)
  end
  local main = agent.character.get_main_inventory() --[[@as LuaInventory]]
  local taken = main.insert({ name = item.name, count = math.min(amount, available) })
  if taken == 0 then
    args.fail("inventory_full", "the agent's inventory has no room for " .. item.name .. "; put items into a chest first")
  end
  source.remove({ name = item.name, count = taken })
  return { taken = taken }
end

--- {item_name = count} of the main inventory; an empty inventory gives {} which JSON-serializes as [].
---@param agent FvAgent
---@return table<string, integer>
function M.items(agent)
  return targets.contents(agent.character.get_main_inventory() --[[@as LuaInventory]])
end

return M
