-- The `entities` interface: configure any entity on nauvis without an agent walking to it (the seed's base
-- interface of that name), for scenarios and tools. The agent_<id> methods do the same within reach.
local args = require("scripts.args")
local declared = require("scripts.declared")
local entity_ops = require("scripts.actions.entity_ops")
local geometry = require("scripts.geometry")
local inventory = require("scripts.actions.inventory")
local registry = require("scripts.registry")

---@class FvEntitiesInterface
local M = {}

M.DOC = "Configure any entity on nauvis: recipe, filter, and extracting its items into an agent's inventory."

---@param p {entity_name: string, position: MapPosition}
---@return LuaEntity
local function _find(p)
  local prototype = args.entity_prototype(p.entity_name)
  local entity = game.surfaces["nauvis"].find_entity(prototype.name, p.position)
  if not entity then
    args.fail("entity_not_found", "there is no " .. prototype.name .. " at " .. geometry.format(p.position))
  end
  return entity
end

---@param p {agent_id: integer, entity_name: string, position: MapPosition, inventory: string|nil}
---@return {moved: table<string, integer>, inventory: string}
local function _extract(p)
  local agent = registry.get(p.agent_id)
  local entity = _find(p)
  local main = agent.character.get_main_inventory() --[[@as LuaInventory]]
  local moved = {}
  local source, chosen = nil, nil
  for _, kind in ipairs(p.inventory and { p.inventory } or { "output", "chest", "fuel" }) do
    if not source then
      source = inventory.of_kind(entity, kind)
      chosen = source and kind or nil
    end
  end
  if not source then
    args.fail("invalid_argument", "inventory: " .. entity.name .. " has no " .. (p.inventory or "output, chest or fuel")
      .. " inventory")
  end
  for _, stack in pairs(source.get_contents()) do
    local taken = main.insert({ name = stack.name, count = stack.count })
    if taken > 0 then
      source.remove({ name = stack.name, count = taken })
      moved[stack.name] = (moved[stack.name] or 0) + taken
    end
  end
  return { moved = moved, inventory = chosen }
end

---@type FvMethod[]
M.METHODS = {
  {
    name = "set_recipe", mutates = true, doc = "Set or clear an assembling machine's recipe.",
    params = { entity_ops.ENTITY_PARAM, entity_ops.POSITION_PARAM, entity_ops.RECIPE_PARAM },
    returns = "{name, recipe, returned: {item: count}}",
    errors = { "unknown_entity", "entity_not_found", "unknown_recipe", "invalid_state", "game_refused" },
    run = function(_, p) return entity_ops.set_recipe(_find(p), p.recipe_name, nil) end,
  },
  {
    name = "set_filter", mutates = true, doc = "Set or clear a filter slot of an inserter.",
    params = { entity_ops.ENTITY_PARAM, entity_ops.POSITION_PARAM, entity_ops.INDEX_PARAM, entity_ops.FILTER_PARAM },
    returns = "{name, index, filter}", errors = { "unknown_entity", "entity_not_found", "unknown_item" },
    run = function(_, p) return entity_ops.set_filter(_find(p), p.index, p.item_name) end,
  },
  {
    name = "extract_inventory_items", mutates = true,
    doc = "Move what fits of an entity's inventory into an agent's main inventory, wherever the agent is.",
    params = { { name = "agent_id", type = "integer", min = 1, doc = "who receives the items" },
      entity_ops.ENTITY_PARAM, entity_ops.POSITION_PARAM, inventory.INVENTORY_PARAM },
    returns = "{moved: {item: count}, inventory}", errors = { "unknown_agent", "unknown_entity", "entity_not_found" },
    run = function(_, p) return _extract(p) end,
  },
}

function M.add_remote_interface()
  remote.add_interface("entities", declared.interface("entities", M.DOC, M.METHODS, function() return nil end))
end

return M
