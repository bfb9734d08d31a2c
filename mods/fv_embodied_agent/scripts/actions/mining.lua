-- mine_resource and stop_mining: the character's own hand mining. The agent selects its target
-- (LuaControl.selected) and holds the mining button (LuaControl.mining_state), as a player does; the game mines at
-- the character's mining speed, puts the products in the main inventory and takes units from the resource. This
-- module only watches: it counts the cycles the game finished (a resource's `amount` going down, a tree or rock
-- going away) and releases the button once the count is reached.
local args = require("scripts.args")
local geometry = require("scripts.geometry")
local notify = require("scripts.notify")
local registry = require("scripts.registry")
local ticker = require("scripts.ticker")

---@class FvMining
local M = {}

-- The seed's limit on one mine_resource call.
local _MAX_COUNT = 25
-- Entity types a character mines by hand besides resources: trees and rocks (rocks are simple-entities).
local _HAND_MINABLE = { resource = true, tree = true, ["simple-entity"] = true }

--- The item products one mining cycle of this prototype yields.
---@param prototype LuaEntityPrototype
---@param where string
---@return {name: string, count: integer}[]
local function _hand_products(prototype, where)
  local properties = prototype.mineable_properties
  if not properties.minable then
    args.fail("invalid_argument", where .. ": " .. prototype.name .. " is not minable")
  end
  if properties.required_fluid then
    args.fail("invalid_argument", where .. ": " .. prototype.name .. " needs " .. properties.required_fluid
      .. " to be mined, which only a mining drill can supply; it cannot be mined by hand")
  end
  local products = {}
  for _, product in pairs(properties.products or {}) do
    -- Ranged or probabilistic products take their low end, so what is checked for room is what surely comes.
    local count = product.amount or product.amount_min or 0
    if product.type == "item" and count >= 1 then
      products[#products + 1] = { name = product.name, count = math.floor(count) }
    end
  end
  if #products == 0 then
    args.fail("invalid_argument", where .. ": " .. prototype.name .. " yields no items when mined")
  end
  return products
end

---@param character LuaEntity
---@param entity LuaEntity
---@return number distance, number reach, string reach_name
local function _reach(character, entity)
  local distance = geometry.distance_to_box(character.position, entity.bounding_box)
  if entity.type == "resource" then
    return distance, character.resource_reach_distance, "resource_reach_distance"
  end
  return distance, character.reach_distance, "reach_distance"
end

--- The named entity nearest the character within reach, or the one at `position`.
---@param character LuaEntity
---@param prototype LuaEntityPrototype
---@param position MapPosition|nil
---@return LuaEntity
local function _find_target(character, prototype, position)
  if position then
    local entity = character.surface.find_entity(prototype.name, position)
    if not entity then
      args.fail("entity_not_found", "there is no " .. prototype.name .. " at " .. geometry.format(position)
        .. "; omit the position to mine the nearest one in reach")
    end
    local distance, reach, reach_name = _reach(character, entity)
    if distance > reach then
      args.fail("out_of_reach", string.format("%s at %s is %.2f tiles away but %s is %.2f; walk_to it first",
        prototype.name, geometry.format(position), distance, reach_name, reach))
    end
    return entity
  end
  local best, best_distance = nil, math.huge
  -- Reach counts to the entity's box, so search wider and apply the exact distance below.
  local candidates = character.surface.find_entities_filtered({
    name = prototype.name, position = character.position, radius = character.reach_distance + 2,
  })
  for _, entity in pairs(candidates) do
    local distance, reach = _reach(character, entity)
    if distance <= reach and distance < best_distance then
      best, best_distance = entity, distance
    end
  end
  if not best then
    local reach, reach_name = character.reach_distance, "reach_distance"
    if prototype.type == "resource" then
      reach, reach_name = character.resource_reach_distance, "resource_reach_distance"
    end
    args.fail("no_resource_in_reach", string.format("no %s within %s (%.2f tiles) of %s; walk_to one first "
      .. "(get_reachable and the map snapshot list them)", prototype.name, reach_name, reach,
      geometry.format(character.position)))
  end
  return best --[[@as LuaEntity]]
end

---@param mine FvMineState
---@return table
local function _result(mine)
  return { item = mine.item, count = mine.count }
end

---@param agent FvAgent
---@param success boolean
---@param err string|nil
local function _finish(agent, success, err)
  local mine = agent.mining --[[@as FvMineState]]
  agent.mining = nil
  if agent.character.valid then
    agent.character.mining_state = { mining = false }
    agent.character.selected = nil
  end
  notify.action_completed(agent, mine.action_id, "mine_resource", success, _result(mine), err)
end

--- Start mining; completion arrives as an action_completed UDP message with result {item, count}.
---@param agent FvAgent
---@param p {resource_name: string, max_count: integer|nil, position: MapPosition|nil}
---@return {action_id: integer, action: string, target: {name: string, position: MapPosition}}
function M.start(agent, p)
  local prototype = args.entity_prototype(p.resource_name, "resource_name")
  if not _HAND_MINABLE[prototype.type] then
    args.fail("invalid_argument", "resource_name: " .. prototype.name .. " is a " .. prototype.type
      .. ", not a resource, tree or rock; use pickup_entity for placed entities")
  end
  if agent.mining then
    args.fail("busy", "agent " .. agent.id .. " is already mining (action " .. agent.mining.action_id
      .. "); stop_mining or wait for its action_completed message")
  end
  if agent.walking then
    args.fail("busy", "agent " .. agent.id .. " is walking (action " .. agent.walking.action_id
      .. "); a character mines standing still, wait for the walk to end")
  end
  local products = _hand_products(prototype, "resource_name")
  local character = agent.character
  local target = _find_target(character, prototype, p.position)
  character.selected = target
  if character.selected ~= target then
    args.fail("invalid_argument", "resource_name: the game does not let the character select " .. prototype.name)
  end
  character.mining_state = { mining = true, position = target.position }
  agent.mining = {
    action_id = registry.next_action_id(),
    target = target,
    resource = target.type == "resource",
    item = products[1].name,
    products = products,
    target_count = p.max_count,
    count = 0,
    last_amount = target.type == "resource" and target.amount or 1,
    position = geometry.copy(target.position),
  }
  ticker.wake()
  return {
    action_id = agent.mining.action_id,
    action = "mine_resource",
    target = { name = target.name, position = geometry.copy(target.position) },
  }
end

--- Release the mining button; the mine_resource action reports cancelled with what was mined so far.
---@param agent FvAgent
---@return {stopped: boolean, action_id: integer|nil, count: integer|nil}
function M.stop(agent)
  local mine = agent.mining
  if not mine then return { stopped = false } end
  _finish(agent, false, "[fv:cancelled] stop_mining was called after mining " .. mine.count)
  return { stopped = true, action_id = mine.action_id, count = mine.count }
end

--- Count the cycles the game finished since the last tick; end the action when it is done or cannot go on.
---@param agent FvAgent
local function _advance(agent)
  local mine = agent.mining --[[@as FvMineState]]
  local character = agent.character
  if not character.valid then
    _finish(agent, false, "[fv:unknown_agent] agent " .. agent.id .. "'s character no longer exists")
    return
  end
  local target = mine.target
  if target.valid then
    if mine.resource then
      mine.count = mine.count + (mine.last_amount - target.amount)
      mine.last_amount = target.amount
    end
  else
    -- Gone: its last unit was mined (by us, or someone else emptied it; both end the action).
    mine.count = mine.count + mine.last_amount
    mine.last_amount = 0
  end
  if mine.target_count and mine.count >= mine.target_count then
    _finish(agent, true, nil)
    return
  end
  if not target.valid then
    _finish(agent, mine.count > 0, mine.count > 0 and nil
      or "[fv:no_resource_in_reach] the " .. mine.item .. " source was gone before a unit was mined")
    return
  end
  local distance, reach, reach_name = _reach(character, target)
  if distance > reach then
    _finish(agent, false, string.format("[fv:out_of_reach] the character is %.2f tiles from %s but %s is %.2f; "
      .. "it moved after mining %d", distance, target.name, reach_name, reach, mine.count))
    return
  end
  if character.character_mining_progress >= 1 then
    -- The game holds a finished cycle whose products do not fit.
    local inventory = character.get_main_inventory() --[[@as LuaInventory]]
    for _, product in pairs(mine.products) do
      if inventory.get_insertable_count(product.name) < product.count then
        _finish(agent, false, "[fv:inventory_full] the character's inventory has no room for " .. product.name
          .. " after mining " .. mine.count .. "; put items into a chest first")
        return
      end
    end
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

---@param agent FvAgent
---@param action_id integer
---@return table|nil
function M.progress(agent, action_id)
  local mine = agent.mining
  if not (mine and mine.action_id == action_id) then return nil end
  return {
    action = "mine_resource", item = mine.item, count = mine.count, max_count = mine.target_count,
    cycle_progress = agent.character.character_mining_progress, target = { name = mine.target.valid and
      mine.target.name or mine.item, position = mine.position },
  }
end

---@type FvMethod[]
M.methods = {
  {
    name = "mine_resource", async = true, mutates = true,
    doc = "Hand-mine a resource tile, tree or rock in reach with the character's own mining.",
    params = {
      { name = "resource_name", type = "string", doc = "the entity to mine: a resource (iron-ore), tree or rock" },
      { name = "max_count", type = "integer", min = 1, max = _MAX_COUNT, optional = true,
        doc = "mining cycles to run; omitted: until the entity is depleted" },
      { name = "position", type = "position", optional = true, doc = "that entity; omitted: the nearest in reach" },
    },
    returns = "{action_id, action = 'mine_resource', target: {name, position}}; completion over UDP: result {item, count}",
    errors = { "unknown_entity", "entity_not_found", "out_of_reach", "no_resource_in_reach", "busy", "inventory_full",
      "cancelled" },
    run = M.start,
  },
  {
    name = "stop_mining", mutates = true, doc = "Stop mining; the mine_resource action reports cancelled.",
    params = {}, returns = "{stopped, action_id?, count?}", errors = {},
    run = M.stop,
  },
}

return M
