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
  -- A lab's science packs are its input, so `input` (the default for a non-fuel item) reaches them.
  if entity.type == "lab" and kind == "input" then return entity.get_inventory(defines.inventory.lab_input) end
  return nil
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
  args.fail("invalid_argument", "inventory: " .. entity.name .. " has no " .. what
    .. "; pass inventory = fuel, input, output or chest")
end

---@param agent FvAgent
---@param p {item_name: string, count: integer, entity_name: string, position: MapPosition, inventory: string|nil}
---@return LuaItemPrototype, LuaEntity
local function _common(agent, p)
  local item = args.item_prototype(p.item_name)
  local entity = targets.find(agent.character, p.entity_name, p.position)
  targets.require_reach(agent.character, entity)
  return item, entity
end

--- Move items from the character into the entity. Default inventory: fuel for fuel items, else input, else chest.
---@param agent FvAgent
---@param p table
---@return {inserted: integer}
function M.put(agent, p)
  local item, entity = _common(agent, p)
  local main = agent.character.get_main_inventory() --[[@as LuaInventory]]
  local held = main.get_item_count(item.name)
  if held < p.count then
    args.fail("not_in_inventory", "the agent holds " .. held .. " " .. item.name .. ", not " .. p.count)
  end
  local defaults = item.fuel_value > 0 and { "fuel", "input", "chest" } or { "input", "chest" }
  local target, chosen = _pick(entity, p.inventory, defaults)
  local inserted = target.insert({ name = item.name, count = p.count })
  if inserted == 0 then
    args.fail("inventory_full", entity.name .. "'s " .. chosen .. " inventory accepted none of " .. p.count .. " "
      .. item.name .. " (it is full or does not take that item)")
  end
  main.remove({ name = item.name, count = inserted })
  return { inserted = inserted, inventory = chosen }
end

--- Move items from an entity's inventory into `main`; shared by take_inventory_item and entities.extract.
---@param entity LuaEntity
---@param item LuaItemPrototype
---@param count integer
---@param kind string|nil
---@param main LuaInventory
---@return {taken: integer, inventory: string}
function M.move_out(entity, item, count, kind, main)
  local source, chosen = _pick(entity, kind, { "output", "chest", "fuel" })
  local available = source.get_item_count(item.name)
  if available == 0 then
    args.fail("not_in_inventory", entity.name .. "'s " .. chosen .. " inventory holds no " .. item.name)
  end
  local taken = main.insert({ name = item.name, count = math.min(count, available) })
  if taken == 0 then
    args.fail("inventory_full", "no room for " .. item.name .. " in the receiving inventory; put items into a chest first")
  end
  source.remove({ name = item.name, count = taken })
  return { taken = taken, inventory = chosen }
end

--- Move items from the entity into the character. Default inventory: output, else chest, else fuel.
---@param agent FvAgent
---@param p table
---@return {taken: integer, inventory: string}
function M.take(agent, p)
  local item, entity = _common(agent, p)
  return M.move_out(entity, item, p.count, p.inventory, agent.character.get_main_inventory() --[[@as LuaInventory]])
end

--- {item_name = count} of the main inventory; an empty inventory gives {} which JSON-serializes as [].
---@param agent FvAgent
---@return table<string, integer>
function M.items(agent)
  return targets.contents(agent.character.get_main_inventory() --[[@as LuaInventory]])
end

M.INVENTORY_PARAM = { name = "inventory", type = "string", enum = M.KINDS, optional = true,
  doc = "which of the entity's inventories; omitted: chosen by the item (see docs/mods.md)" }

local function _transfer_params()
  return {
    { name = "item_name", type = "string", doc = "the item" },
    { name = "count", type = "integer", min = 1, doc = "how many" },
    { name = "entity_name", type = "string", doc = "the entity prototype's name" },
    { name = "position", type = "position", doc = "the entity's position" },
    M.INVENTORY_PARAM,
  }
end

---@type FvMethod[]
M.methods = {
  {
    name = "put_inventory_item", mutates = true,
    doc = "Move items from the main inventory into an entity in reach.",
    params = _transfer_params(), returns = "{inserted, inventory, seq?}",
    errors = { "unknown_item", "unknown_entity", "entity_not_found", "out_of_reach", "not_in_inventory",
      "inventory_full" },
    run = M.put,
  },
  {
    name = "take_inventory_item", mutates = true,
    doc = "Move items from an entity in reach into the main inventory (at most what it holds).",
    params = _transfer_params(), returns = "{taken, inventory, seq?}",
    errors = { "unknown_item", "unknown_entity", "entity_not_found", "out_of_reach", "not_in_inventory",
      "inventory_full" },
    run = M.take,
  },
  {
    name = "get_inventory_items", doc = "The main inventory's contents.", params = {},
    returns = "{item_name: count} ([] when empty)", errors = {},
    run = M.items,
  },
}

return M
