-- Configuring entities: rotate, recipe, filter and inventory limit (bar). The agent_<id> methods need the entity in
-- reach; the `entities` interface (scripts/entities_interface.lua) runs the same operations on any entity.
local args = require("scripts.args")
local geometry = require("scripts.geometry")
local inventory = require("scripts.actions.inventory")
local targets = require("scripts.targets")

---@class FvEntityOps
local M = {}

--- Set (or clear, with nil) an assembling machine's recipe; what the machine held goes to `receiver` if given.
---@param entity LuaEntity
---@param recipe_name string|nil
---@param receiver LuaInventory|nil
---@return {name: string, recipe: string|nil, returned: table<string, integer>}
function M.set_recipe(entity, recipe_name, receiver)
  if entity.type ~= "assembling-machine" then
    args.fail("invalid_argument", "entity_name: " .. entity.name .. " is a " .. entity.type
      .. "; only assembling machines take a recipe (furnaces choose theirs from what they are given)")
  end
  if recipe_name then
    args.recipe_prototype(recipe_name)
    local recipe = entity.force.recipes[recipe_name]
    if not (recipe and recipe.enabled) then
      args.fail("invalid_state", "recipe_name: " .. recipe_name .. " is not enabled for " .. entity.force.name)
    end
  end
  local ok, removed = pcall(entity.set_recipe, recipe_name)
  if not ok then
    args.fail("game_refused", "the game refused the recipe " .. tostring(recipe_name) .. " for " .. entity.name
      .. ": " .. tostring(removed))
  end
  local returned = {}
  for _, stack in pairs(removed or {}) do
    local name, count = stack.name, stack.count
    if receiver and count > 0 then receiver.insert({ name = name, count = count }) end
    returned[name] = (returned[name] or 0) + count
  end
  local now = entity.get_recipe()
  return { name = entity.name, recipe = now and now.name or nil, returned = returned }
end

--- Set (or clear, with nil) one filter slot of an entity with filter slots (inserters, loaders).
---@param entity LuaEntity
---@param index integer
---@param item_name string|nil
---@return {name: string, index: integer, filter: string|nil}
function M.set_filter(entity, index, item_name)
  local slots = entity.filter_slot_count
  if slots == 0 then
    args.fail("invalid_argument", "entity_name: " .. entity.name .. " has no filter slots")
  end
  if index > slots then
    args.fail("invalid_argument", "index must be between 1 and " .. slots .. " for " .. entity.name .. ", got " .. index)
  end
  if item_name then args.item_prototype(item_name) end
  -- The checks above are every refusal LuaEntity.set_filter has for an item filter (no slots, index out of range,
  -- unknown item), so the game has nothing left to refuse and the method documents no game_refused.
  entity.set_filter(index, item_name)
  local filter = entity.get_filter(index)
  return { name = entity.name, index = index, filter = filter and filter.name or nil }
end

--- Limit how many slots of the entity's inventory inserters may fill (the "bar"); nil lifts the limit.
---@param entity LuaEntity
---@param limit integer|nil
---@param kind string|nil
---@return {name: string, limit: integer|nil, slots: integer}
function M.set_limit(entity, limit, kind)
  local target = inventory.of_kind(entity, kind or "chest")
  if not target then
    args.fail("invalid_argument", "inventory: " .. entity.name .. " has no " .. (kind or "chest") .. " inventory")
  end
  if not target.supports_bar() then
    args.fail("invalid_argument", "inventory: " .. entity.name .. "'s " .. (kind or "chest")
      .. " inventory cannot be limited")
  end
  if limit and limit > #target then
    args.fail("invalid_argument", "limit must be between 0 and " .. #target .. " for " .. entity.name .. ", got " .. limit)
  end
  -- The bar is the index of the first slot inserters may not fill.
  if limit then target.set_bar(limit + 1) else target.set_bar() end
  return { name = entity.name, limit = limit, slots = #target }
end

---@param agent FvAgent
---@param p {entity_name: string, position: MapPosition}
---@return LuaEntity
local function _reached(agent, p)
  local entity = targets.find(agent.character, p.entity_name, p.position)
  targets.require_reach(agent.character, entity)
  return entity
end

--- Rotate an entity in reach a quarter turn, as a player pressing R does.
---@param agent FvAgent
---@param p {entity_name: string, position: MapPosition, reverse: boolean}
---@return {name: string, position: MapPosition, direction: defines.direction}
function M.rotate(agent, p)
  local entity = _reached(agent, p)
  if not entity.rotate({ reverse = p.reverse }) then
    args.fail("game_refused", "the game does not rotate " .. entity.name .. " at " .. geometry.format(entity.position)
      .. " (it has no direction, or the turned entity would not fit)")
  end
  return { name = entity.name, position = geometry.copy(entity.position), direction = entity.direction }
end

local _ENTITY = { name = "entity_name", type = "string", doc = "the entity prototype's name" }
local _POSITION = { name = "position", type = "position", doc = "the entity's position (its center)" }
M.ENTITY_PARAM = _ENTITY
M.POSITION_PARAM = _POSITION
M.RECIPE_PARAM = { name = "recipe_name", type = "string", optional = true, doc = "the recipe; omitted: clear it" }
M.INDEX_PARAM = { name = "index", type = "integer", min = 1, doc = "the filter slot, from 1" }
M.FILTER_PARAM = { name = "item_name", type = "string", optional = true, doc = "the item; omitted: clear the slot" }

---@type FvMethod[]
M.methods = {
  {
    name = "rotate_entity", mutates = true, doc = "Rotate an entity in reach a quarter turn, as a player does.",
    params = { _ENTITY, _POSITION,
      { name = "reverse", type = "boolean", default = false, doc = "turn counter-clockwise" } },
    returns = "{name, position, direction, seq?}",
    errors = { "unknown_entity", "entity_not_found", "out_of_reach", "game_refused" },
    run = M.rotate,
  },
  {
    name = "set_entity_recipe", mutates = true,
    doc = "Set an assembling machine's recipe; items it held go to the main inventory.",
    params = { _ENTITY, _POSITION, M.RECIPE_PARAM }, returns = "{name, recipe, returned: {item: count}, seq?}",
    errors = { "unknown_entity", "entity_not_found", "out_of_reach", "unknown_recipe", "invalid_state", "game_refused" },
    ---@param agent FvAgent
    ---@param p table
    run = function(agent, p)
      return M.set_recipe(_reached(agent, p), p.recipe_name, agent.character.get_main_inventory())
    end,
  },
  {
    name = "set_entity_filter", mutates = true, doc = "Set or clear a filter slot of an inserter in reach.",
    params = { _ENTITY, _POSITION, M.INDEX_PARAM, M.FILTER_PARAM }, returns = "{name, index, filter, seq?}",
    errors = { "unknown_entity", "entity_not_found", "out_of_reach", "unknown_item" },
    ---@param agent FvAgent
    ---@param p table
    run = function(agent, p) return M.set_filter(_reached(agent, p), p.index, p.item_name) end,
  },
  {
    name = "set_inventory_limit", mutates = true,
    doc = "Limit the slots inserters may fill in a container in reach (the bar); omit limit to lift it.",
    params = { _ENTITY, _POSITION,
      { name = "limit", type = "integer", min = 0, optional = true, doc = "usable slots; omitted: no limit" },
      { name = "inventory", type = "string", enum = inventory.KINDS, default = "chest", doc = "which inventory" } },
    returns = "{name, limit, slots, seq?}",
    errors = { "unknown_entity", "entity_not_found", "out_of_reach" },
    ---@param agent FvAgent
    ---@param p table
    run = function(agent, p) return M.set_limit(_reached(agent, p), p.limit, p.inventory) end,
  },
}

return M
