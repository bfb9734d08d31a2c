-- Building: place_entity (from the main inventory, or as a ghost), pickup_entity, build_ghost and remove_ghost.
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

--- The item that places this entity and how many of it one placement takes.
---@param prototype LuaEntityPrototype
---@return string, integer
local function _placing_item(prototype)
  local items = prototype.items_to_place_this
  if not items or #items == 0 then
    args.fail("invalid_argument", "entity_name: " .. prototype.name .. " is not placed from an item, so an agent "
      .. "cannot build it")
  end
  return items[1].name, items[1].count or 1
end

---@param inventory LuaInventory
---@param item string
---@param needed integer
---@param what string
local function _require_items(inventory, item, needed, what)
  local held = inventory.get_item_count(item)
  if held < needed then
    args.fail("not_in_inventory", what .. " needs " .. needed .. " " .. item .. " but the agent holds " .. held
      .. "; craft or take one first")
  end
end

---@param entity LuaEntity
---@return table
local function _placed(entity)
  return {
    unit_number = entity.unit_number,
    name = entity.name,
    position = geometry.copy(entity.position),
    direction = entity.direction,
  }
end

---@param agent FvAgent
---@param prototype LuaEntityPrototype
---@param p {position: MapPosition, direction: defines.direction}
---@return table
local function _place_ghost(agent, prototype, p)
  local character = agent.character
  local surface = character.surface
  local spec = { name = "entity-ghost", inner_name = prototype.name, position = p.position, direction = p.direction,
    force = character.force }
  if not surface.can_place_entity(spec) then
    args.fail("placement_blocked", "cannot place a ghost of " .. prototype.name .. " at " .. geometry.format(p.position)
      .. "; in the way: " .. _describe_blockers(surface, prototype, p.position, p.direction))
  end
  spec.raise_built = true
  local ghost = surface.create_entity(spec)
  if not ghost then
    args.fail("placement_blocked", "Factorio refused to create a ghost of " .. prototype.name)
  end
  local out = _placed(ghost)
  out.name = prototype.name
  out.ghost = true
  return out
end

--- Build an entity from one item of the character's main inventory, or mark it as a ghost.
---@param agent FvAgent
---@param p {entity_name: string, position: MapPosition, direction: defines.direction, ghost: boolean}
---@return {unit_number: integer, name: string, position: MapPosition, direction: defines.direction, ghost: boolean|nil}
function M.place(agent, p)
  local prototype = args.entity_prototype(p.entity_name)
  if p.ghost then return _place_ghost(agent, prototype, p) end
  local character = agent.character
  local item, needed = _placing_item(prototype)
  local inventory = character.get_main_inventory() --[[@as LuaInventory]]
  _require_items(inventory, item, needed, "placing " .. prototype.name)
  local surface = character.surface
  local spec = { name = prototype.name, position = p.position, direction = p.direction, force = character.force }
  if not surface.can_place_entity(spec) then
    args.fail("placement_blocked", "cannot place " .. prototype.name .. " at " .. geometry.format(p.position)
      .. "; in the way: " .. _describe_blockers(surface, prototype, p.position, p.direction))
  end
  -- The character's own check adds what the surface's does not: the build distance, as the game measures it.
  if not character.can_place_entity({ name = prototype.name, position = p.position, direction = p.direction }) then
    args.fail("out_of_reach", string.format("%s is %.2f tiles away, beyond the character's build_distance %d; "
      .. "walk_to it first", geometry.format(p.position), geometry.distance(character.position, p.position),
      character.build_distance))
  end
  -- raise_built lets the map snapshot (and any other mod) see the new entity as script_raised_built.
  spec.raise_built = true
  local entity = surface.create_entity(spec)
  if not entity then
    args.fail("placement_blocked", "Factorio refused to create " .. prototype.name .. " at " .. geometry.format(p.position))
  end
  inventory.remove({ name = item, count = needed })
  return _placed(entity)
end

--- Mine a placed entity back into the character's main inventory, contents included.
---@param agent FvAgent
---@param p {entity_name: string, position: MapPosition}
---@return {name: string, items: table<string, integer>}
function M.pickup(agent, p)
  local character = agent.character
  local entity = targets.find(character, p.entity_name, p.position)
  if entity.type == "resource" or entity.type == "tree" or entity.type == "simple-entity" then
    args.fail("invalid_argument", "entity_name: " .. entity.name .. " is a " .. entity.type .. "; use mine_resource")
  end
  if entity.type == "character" then
    args.fail("invalid_argument", "entity_name: characters cannot be picked up")
  end
  targets.require_reach(character, entity)
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

--- Turn a ghost into the real entity with an item from the main inventory.
---@param agent FvAgent
---@param p {entity_name: string, position: MapPosition}
---@return table
function M.build_ghost(agent, p)
  local character = agent.character
  local ghost = targets.find_ghost(character, p.entity_name, p.position)
  local prototype = ghost.ghost_prototype --[[@as LuaEntityPrototype]]
  local item, needed = _placing_item(prototype)
  local inventory = character.get_main_inventory() --[[@as LuaInventory]]
  _require_items(inventory, item, needed, "building the ghost of " .. prototype.name)
  local distance = geometry.distance_to_box(character.position, ghost.bounding_box)
  if distance > character.build_distance then
    args.fail("out_of_reach", string.format("the ghost at %s is %.2f tiles away, beyond the character's "
      .. "build_distance %d; walk_to it first", geometry.format(ghost.position), distance, character.build_distance))
  end
  local position = geometry.copy(ghost.position)
  local _, entity = ghost.revive({ raise_revive = true })
  if not entity then
    args.fail("placement_blocked", "the ghost of " .. prototype.name .. " at " .. geometry.format(position)
      .. " cannot be built yet; in the way: " .. _describe_blockers(character.surface, prototype, position,
        ghost.direction))
  end
  inventory.remove({ name = item, count = needed })
  return _placed(entity)
end

--- Remove a ghost (no reach needed: ghosts are plans, as a player removes them from the map view).
---@param agent FvAgent
---@param p {entity_name: string, position: MapPosition}
---@return {removed: boolean, name: string, position: MapPosition}
function M.remove_ghost(agent, p)
  local ghost = targets.find_ghost(agent.character, p.entity_name, p.position)
  local position = geometry.copy(ghost.position)
  local name = ghost.ghost_name
  ghost.destroy({ raise_destroy = true })
  return { removed = true, name = name, position = position }
end

local _ENTITY = { name = "entity_name", type = "string", doc = "the entity prototype's name" }
local _POSITION = { name = "position", type = "position", doc = "the entity's position (its center)" }

---@type FvMethod[]
M.methods = {
  {
    name = "place_entity", mutates = true,
    doc = "Build an entity from the main inventory within build distance, or place its ghost.",
    params = {
      _ENTITY,
      { name = "position", type = "position", doc = "where its center goes (the game snaps it to the grid)" },
      { name = "direction", type = "integer", min = 0, max = 15, default = 0, doc = "a defines.direction value" },
      { name = "ghost", type = "boolean", default = false, doc = "place a ghost (a plan: no item, no reach needed)" },
    },
    returns = "{unit_number, name, position, direction, ghost?, seq?}",
    errors = { "unknown_entity", "not_in_inventory", "out_of_reach", "placement_blocked" },
    run = M.place,
  },
  {
    name = "pickup_entity", mutates = true, doc = "Mine a placed entity in reach into the main inventory.",
    params = { _ENTITY, _POSITION }, returns = "{name, items: {item: count}, seq?}",
    errors = { "unknown_entity", "entity_not_found", "out_of_reach", "inventory_full" },
    run = M.pickup,
  },
  {
    name = "build_ghost", mutates = true, doc = "Build a ghost within build distance with an item from the inventory.",
    params = { _ENTITY, _POSITION }, returns = "{unit_number, name, position, direction, seq?}",
    errors = { "unknown_entity", "entity_not_found", "not_in_inventory", "out_of_reach", "placement_blocked" },
    run = M.build_ghost,
  },
  {
    name = "remove_ghost", mutates = true, doc = "Remove a ghost.",
    params = { _ENTITY, _POSITION }, returns = "{removed, name, position, seq?}",
    errors = { "unknown_entity", "entity_not_found" },
    run = M.remove_ghost,
  },
}

return M
