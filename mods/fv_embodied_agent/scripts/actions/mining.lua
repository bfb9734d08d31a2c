-- mine_resource: hand-mine units of a resource entity over several ticks.
--
-- This is a per-agent, tick-counted state machine rather than LuaControl.mining_state because mining_state mines
-- whatever the player has selected: a character without a player has no selection, so it would mine nothing.
-- Each finished unit takes one from the resource's amount (LuaEntity.amount / LuaEntity.deplete) and puts its
-- products in the character's main inventory, which is what hand mining does; LuaEntity.mine is not used for
-- resources because its documentation does not say how much of a resource patch one call removes.
local args = require("scripts.args")
local geometry = require("scripts.geometry")
local notify = require("scripts.notify")
local registry = require("scripts.registry")
local ticker = require("scripts.ticker")

---@class FvMining
local M = {}

local _MAX_COUNT = 25
local _TICKS_PER_SECOND = 60

--- The item products one mining cycle of this resource yields.
---@param prototype LuaEntityPrototype
---@return {name: string, count: integer}[]
local function _hand_products(prototype)
  local properties = prototype.mineable_properties
  if not properties.minable then
    args.fail("invalid_argument", prototype.name .. " is not minable")
  end
  if properties.required_fluid then
    args.fail("invalid_argument", prototype.name .. " needs " .. properties.required_fluid
      .. " to be mined, which only a mining drill can supply; it cannot be mined by hand")
  end
  local products = {}
  for _, product in pairs(properties.products or {}) do
    -- Base-game ores yield a fixed amount with probability 1; ranged or probabilistic products take the low end
    -- so the count reported is never more than what was inserted.
    local count = product.amount or product.amount_min or 0
    if product.type == "item" and count >= 1 then
      products[#products + 1] = { name = product.name, count = math.floor(count) }
    end
  end
  if #products == 0 then
    args.fail("invalid_argument", prototype.name .. " yields no items when mined")
  end
  return products
end

--- The named resource nearest the character within resource reach, or the one at `position`.
---@param character LuaEntity
---@param resource_name string
---@param position MapPosition|nil
---@return LuaEntity
local function _find_resource(character, resource_name, position)
  local reach = character.resource_reach_distance
  if position then
    local entity = character.surface.find_entity(resource_name, position)
    if not entity then
      args.fail("entity_not_found", "there is no " .. resource_name .. " at " .. geometry.format(position)
        .. "; omit the position to mine the nearest tile in reach")
    end
    local distance = geometry.distance_to_box(character.position, entity.bounding_box)
    if distance > reach then
      args.fail("out_of_reach", string.format("%s at %s is %.2f tiles away but resource_reach_distance is %.2f; "
        .. "walk_to it first", resource_name, geometry.format(position), distance, reach))
    end
    return entity
  end
  local best, best_distance = nil, math.huge
  -- Reach counts to the tile's edge, so search one tile wider and apply the exact distance below.
  local candidates = character.surface.find_entities_filtered({
    type = "resource", name = resource_name, position = character.position, radius = reach + 1,
  })
  for _, entity in pairs(candidates) do
    local distance = geometry.distance_to_box(character.position, entity.bounding_box)
    if distance <= reach and distance < best_distance then
      best, best_distance = entity, distance
    end
  end
  if not best then
    args.fail("no_resource_in_reach", "no " .. resource_name .. " within " .. reach .. " tiles of "
      .. geometry.format(character.position) .. "; walk_to an ore tile first (the map snapshot lists them)")
  end
  return best --[[@as LuaEntity]]
end

--- Start mining; completion arrives as an action_completed UDP message with result {item, count}.
---@param agent FvAgent
---@param resource_name any
---@param max_count any integer 1..25, default 1
---@param position any optional tile position
---@return {action_id: integer, action: string, target: {name: string, position: MapPosition}}
function M.start(agent, resource_name, max_count, position)
  local prototype = args.entity_prototype(resource_name)
  if prototype.type ~= "resource" then
    args.fail("invalid_argument", prototype.name .. " is a " .. prototype.type .. ", not a resource; "
      .. "use pickup_entity for placed entities")
  end
  local count = max_count == nil and 1 or args.integer(max_count, "max_count", 1, _MAX_COUNT)
  local at = position ~= nil and args.position(position, "position") or nil
  if agent.mining then
    args.fail("busy", "agent " .. agent.id .. " is already mining (action " .. agent.mining.action_id
      .. "); wait for its action_completed message")
  end
  local products = _hand_products(prototype)
  local resource = _find_resource(agent.character, prototype.name, at)
  local mining_time = prototype.mineable_properties.mining_time
  agent.mining = {
    action_id = registry.next_action_id(),
    resource = resource,
    item = products[1].name,
    products = products,
    target_count = count,
    count = 0,
    ticks_per_item = mining_time / agent.character.prototype.mining_speed * _TICKS_PER_SECOND,
    progress = 0,
  }
  ticker.wake()
  return {
    action_id = agent.mining.action_id,
    action = "mine_resource",
    target = { name = resource.name, position = geometry.copy(resource.position) },
  }
end

---@param agent FvAgent
---@param success boolean
---@param err string|nil
local function _finish(agent, success, err)
  local mine = agent.mining --[[@as FvMineState]]
  agent.mining = nil
  notify.action_completed(agent, mine.action_id, "mine_resource", success, { item = mine.item, count = mine.count }, err)
end

--- Take one unit from the resource into the character's inventory.
---@param agent FvAgent
---@return string|nil err why the unit could not be mined
local function _mine_one(agent)
  local mine = agent.mining --[[@as FvMineState]]
  local character = agent.character
  local resource = mine.resource
  local reach = character.resource_reach_distance
  if geometry.distance_to_box(character.position, resource.bounding_box) > reach then
    return "[fv:out_of_reach] the character moved out of reach of " .. resource.name .. " at "
      .. geometry.format(resource.position) .. " after mining " .. mine.count
  end
  local inventory = character.get_main_inventory() --[[@as LuaInventory]]
  for _, product in pairs(mine.products) do
    -- can_insert only says whether *some* fit; a multi-unit product must fit whole.
    if inventory.get_insertable_count(product.name) < product.count then
      return "[fv:inventory_full] the character's inventory has no room for " .. product.name .. " after mining "
        .. mine.count .. "; put items into a chest first"
    end
  end
  for _, product in pairs(mine.products) do
    inventory.insert({ name = product.name, count = product.count })
  end
  mine.count = mine.count + 1
  if resource.amount > 1 then
    resource.amount = resource.amount - 1
  else
    -- A resource amount cannot be set to 0; deplete() removes the entity and raises on_resource_depleted.
    resource.deplete()
  end
  return nil
end

---@param agent FvAgent
local function _advance(agent)
  local mine = agent.mining --[[@as FvMineState]]
  if not agent.character.valid then
    _finish(agent, false, "[fv:unknown_agent] agent " .. agent.id .. "'s character no longer exists")
    return
  end
  if not mine.resource.valid then
    -- Someone else emptied the tile; what was mined so far is still a success.
    _finish(agent, mine.count > 0, mine.count > 0 and nil
      or "[fv:no_resource_in_reach] the resource was depleted before a unit was mined")
    return
  end
  mine.progress = mine.progress + 1
  if mine.progress < mine.ticks_per_item then return end
  mine.progress = mine.progress - mine.ticks_per_item
  local err = _mine_one(agent)
  if err then
    _finish(agent, false, err)
  elseif mine.count >= mine.target_count or not mine.resource.valid then
    _finish(agent, true, nil)
  end
end

---@param _ EventData.on_tick
local function _on_tick(_)
  for _, agent in pairs(storage.agents) do
    if agent.mining then _advance(agent) end
  end
end

---@return boolean
local function _has_work()
  for _, agent in pairs(storage.agents) do
    if agent.mining then return true end
  end
  return false
end

ticker.add("mining", { has_work = _has_work, on_tick = _on_tick })

return M
