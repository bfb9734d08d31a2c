-- place_entity and pickup_entity: building from and mining back into the character's main inventory.
local args = require("scripts.args")
local geometry = require("scripts.geometry")
local targets = require("scripts.targets")

---@class FvPlacement
local M = {}

--- Name what occupies the footprint, so a blocked placement says what to move.
---@param surface LuaSurface
---@param prototype LuaEntityPrototype
---@param position MapPosition
---@param direction defines.direction
---@return string
local function _describe_blockers(surface, prototype, position, direction)
  local area = geometry.footprint(prototype.collision_box, position, direction)
  local names = {}
  for _, entity in pairs(surface.find_entities_filtered({ area = area })) do
    -- Ore under a building does not block it.
    if entity.type ~= "resource" then
      names[#names + 1] = entity.name .. " at " .. geometry.format(entity.position)
    end
  end
  for _, tile in pairs(surface.find_tiles_filtered({ area = area, collision_mask = prototype.collision_mask.layers })) do
    names[#names + 1] = tile.name .. " tile at " .. geometry.format(tile.position)
  end
  if #names == 0 then return "nothing visible (the map edge or an ungenerated chunk?)" end
  return table.concat(names, ", ")
end

--- Build an entity from one item of the character's main inventory.
---@param agent FvAgent
---@param entity_name any
---@param position any
---@param direction any
---@return {unit_number: integer, name: string, position: MapPosition, direction: defines.direction}
function M.place(agent, entity_name, position, direction)
  local prototype = args.entity_prototype(entity_name)
  local at = args.position(position, "position")
  local facing = args.direction(direction, "direction")
  local character = agent.character
  local items = prototype.items_to_place_this
  if not items or #items == 0 then
    args.fail("invalid_argument", prototype.name .. " is not placed from an item, so an agent cannot build it")
  end
  local item = items[1]
  local needed = item.count or 1
  local inventory = character.get_main_inventory() --[[@as LuaInventory]]
  local held = inventory.get_item_count(item.name)
  if held < needed then
    args.fail("not_in_inventory", "placing " .. prototype.name .. " needs " .. needed .. " " .. item.name
      .. " but the agent holds " .. held .. "; craft or take one first")
  end
  local distance = geometry.distance(character.position, at)
  if distance > character.build_distance then
    args.fail("out_of_reach", string.format("%s is %.2f tiles away but build_distance is %d; walk_to it first",
      geometry.format(at), distance, character.build_distance))
  end
  local surface = character.surface
  local spec = { name = prototype.name, position = at, direction = facing, force = character.force }
  if not surface.can_place_entity(spec) then
    args.fail("placement_blocked", "cannot place " .. prototype.name .. " at " .. geometry.format(at)
      .. "; in the way: " .. _describe_blockers(surface, prototype, at, facing))
  end
  -- raise_built lets the map snapshot (and any other mod) see the new entity as script_raised_built.
  spec.raise_built = true
  local entity = surface.create_entity(spec)
  if not entity then
    args.fail("placement_blocked", "Factorio refused to create " .. prototype.name .. " at " .. geometry.format(at))
  end
  inventory.remove({ name = item.name, count = needed })
  return {
    unit_number = entity.unit_number,
    name = entity.name,
    position = geometry.copy(entity.position),
    direction = entity.direction,
  }
end

--- Mine a placed entity back into the character's main inventory, contents included.
---@param agent FvAgent
---@param entity_name any
---@param position any
---@return {name: string, items: table<string, integer>}
function M.pickup(agent, entity_name, position)
  local character = agent.character
  local entity = targets.find(character, entity_name, position)
  if entity.type == "resource" then
    args.fail("invalid_argument", entity.name .. " is a resource; use mine_resource")
  end
  if entity.type == "character" then
    args.fail("invalid_argument", "characters cannot be picked up")
  end
  targets.require_reach(character, entity, character.reach_distance, "reach_distance")
  local inventory = character.get_main_inventory() --[[@as LuaInventory]]
  local before = targets.contents(inventory)
  local name = entity.name
  -- force=false makes mining fail as a whole instead of spilling what does not fit onto the ground.
  if not entity.mine({ inventory = inventory, force = false, raise_destroyed = true }) then
    args.fail("inventory_full", "the agent's inventory cannot hold " .. name .. " and its contents; "
      .. "put some items into a chest first")
  end
  local gained = {}
  for item, count in pairs(targets.contents(inventory)) do
    local delta = count - (before[item] or 0)
    if delta > 0 then gained[item] = delta end
  end
  return { name = name, items = gained }
end

return M
