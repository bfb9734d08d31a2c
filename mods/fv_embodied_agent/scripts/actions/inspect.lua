-- Queries: read-only views of the agent, of one entity, of what is in reach, where an entity could go, and of the
-- chunks the agent sees.
local args = require("scripts.args")
local chart = require("scripts.chart")
local geometry = require("scripts.geometry")
local inventory = require("scripts.actions.inventory")
local targets = require("scripts.targets")

---@class FvInspect
local M = {}

-- defines.entity_status maps names to numbers; the SDK wants the name. Built on first use: defines are constant,
-- so this cache is not game state and needs no storage.
---@type table<integer, string>|nil
local _status_names = nil

---@param status defines.entity_status|nil
---@return string|nil
local function _status_name(status)
  if status == nil then return nil end
  if not _status_names then
    _status_names = {}
    for name, value in pairs(defines.entity_status) do
      _status_names[value] = name
    end
  end
  return _status_names[status]
end

---@param agent FvAgent
---@return table
function M.agent(agent)
  local character = agent.character
  return {
    agent_id = agent.id,
    name = agent.name,
    position = geometry.copy(character.position),
    force = agent.force_name,
    reach_distance = character.reach_distance,
    build_distance = character.build_distance,
    resource_reach_distance = character.resource_reach_distance,
    walking = agent.walking ~= nil,
    mining = agent.mining ~= nil,
    crafting_queue_size = character.crafting_queue_size,
    inventory = inventory.items(agent),
  }
end

---@param agent FvAgent
---@param p {entity_name: string, position: MapPosition}
---@return table
function M.entity(agent, p)
  -- Looking needs no reach: the snapshot already shows every charted entity to the SDK.
  local entity = targets.find(agent.character, p.entity_name, p.position)
  local inventories = {}
  for _, kind in ipairs(inventory.KINDS) do
    local found = inventory.of_kind(entity, kind)
    if found then inventories[kind] = targets.contents(found) end
  end
  local view = {
    unit_number = entity.unit_number,
    name = entity.name,
    type = entity.type,
    position = geometry.copy(entity.position),
    direction = entity.direction,
    status = _status_name(entity.status),
    inventories = inventories,
    reachable = agent.character.can_reach_entity(entity),
  }
  if entity.type == "assembling-machine" then
    local recipe = entity.get_recipe()
    view.recipe = recipe and recipe.name or nil
  end
  -- Where a drill puts what it mines (the engine's own value, so no prototype offsets are recomputed here).
  if entity.type == "mining-drill" then
    view.drop_position = geometry.copy(entity.drop_position)
  end
  local burner = entity.burner
  if burner then
    local burning = burner.currently_burning
    view.burner = {
      remaining_burning_fuel = burner.remaining_burning_fuel,
      -- Since Factorio 2.0 this is {name = LuaItemPrototype, quality = LuaQualityPrototype}.
      currently_burning = burning and burning.name.name or nil,
    }
  end
  return view
end

-- Most entities get_reachable lists, so a crowded spot cannot make the answer unbounded.
local _MAX_REACHABLE = 200
local _MINABLE_BY_HAND = { tree = true, ["simple-entity"] = true }

--- Entities the character can reach now (the game's can_reach_entity), and resources within resource reach.
---@param agent FvAgent
---@return {entities: table[], resources: table[], truncated: boolean}
function M.reachable(agent)
  local character = agent.character
  local found = character.surface.find_entities_filtered({
    position = character.position, radius = math.max(character.reach_distance, character.resource_reach_distance) + 3,
  })
  local entities, resources = {}, {}
  local truncated = false
  for _, entity in pairs(found) do
    if entity ~= character and entity.type ~= "character" then
      local view = { name = entity.name, type = entity.type, position = geometry.copy(entity.position) }
      if entity.type == "resource" then
        if geometry.distance_to_box(character.position, entity.bounding_box) <= character.resource_reach_distance then
          view.amount = entity.amount
          resources[#resources + 1] = view
        end
      elseif character.can_reach_entity(entity) then
        view.unit_number = entity.unit_number
        view.minable_by_hand = _MINABLE_BY_HAND[entity.type] or nil
        if entity.type == "entity-ghost" then view.ghost_name = entity.ghost_name end
        entities[#entities + 1] = view
      end
    end
  end
  ---@param a {position: MapPosition}
  ---@param b {position: MapPosition}
  local function nearest(a, b)
    local da, db = geometry.distance(character.position, a.position), geometry.distance(character.position, b.position)
    if da ~= db then return da < db end
    if a.position.x ~= b.position.x then return a.position.x < b.position.x end
    return a.position.y < b.position.y
  end
  table.sort(entities, nearest)
  table.sort(resources, nearest)
  for _, list in ipairs({ entities, resources }) do
    while #list > _MAX_REACHABLE do
      list[#list] = nil
      truncated = true
    end
  end
  return { entities = entities, resources = resources, truncated = truncated }
end

--- Positions within build distance where the character can place the entity now (LuaControl.can_place_entity);
--- for mining drills only spots with a resource under the drill. Nearest first.
---@param agent FvAgent
---@param p {entity_name: string, direction: defines.direction, max_results: integer}
---@return table[]
function M.placement_cues(agent, p)
  local prototype = args.entity_prototype(p.entity_name)
  local character = agent.character
  local surface = character.surface
  local reach = character.build_distance
  local origin = character.position
  -- Centers sit on tile centers for odd sizes and on tile corners for even ones, as the game snaps them.
  local width, height = prototype.tile_width, prototype.tile_height
  if p.direction % 8 == 4 then width, height = height, width end
  local ox = width % 2 == 1 and 0.5 or 0
  local oy = height % 2 == 1 and 0.5 or 0
  local cues = {}
  for dy = -reach, reach do
    for dx = -reach, reach do
      local position = { x = math.floor(origin.x) + dx + ox, y = math.floor(origin.y) + dy + oy }
      -- The two checks place_entity makes: the surface's (where the character itself is in the way, as the game
      -- decides for a script-built entity) and the character's (build distance). A cue is a spot place_entity takes.
      if geometry.distance(origin, position) <= reach
        and surface.can_place_entity({ name = prototype.name, position = position, direction = p.direction,
          force = character.force })
        and character.can_place_entity({ name = prototype.name, position = position, direction = p.direction }) then
        local cue = { position = position, distance = geometry.distance(origin, position) }
        local keep = true
        if prototype.type == "mining-drill" then
          local area = geometry.footprint(prototype.collision_box, position, p.direction)
          cue.resources = surface.count_entities_filtered({ area = area, type = "resource" })
          keep = cue.resources > 0
        end
        if keep then cues[#cues + 1] = cue end
      end
    end
  end
  table.sort(cues, function(a, b)
    if a.distance ~= b.distance then return a.distance < b.distance end
    if a.position.y ~= b.position.y then return a.position.y < b.position.y end
    return a.position.x < b.position.x
  end)
  while #cues > p.max_results do cues[#cues] = nil end
  return cues
end

local _ENTITY = { name = "entity_name", type = "string", doc = "the entity prototype's name" }

---@type FvMethod[]
M.methods = {
  {
    name = "inspect", doc = "The agent: position, force, reach distances, what it is doing, its inventory.",
    params = {}, returns = "{agent_id, name?, position, force, reach_distance, build_distance, "
      .. "resource_reach_distance, walking, mining, crafting_queue_size, inventory}",
    errors = {}, run = M.agent,
  },
  {
    name = "inspect_entity", doc = "One entity: status, inventories, recipe, burner, drop position (no reach needed).",
    params = { _ENTITY, { name = "position", type = "position", doc = "the entity's position" } },
    returns = "{unit_number, name, type, position, direction, status, inventories: {fuel?, input?, output?, chest?}, "
      .. "reachable, recipe?, burner?: {remaining_burning_fuel, currently_burning}, drop_position?}",
    errors = { "unknown_entity", "entity_not_found" }, run = M.entity,
  },
  {
    name = "get_reachable", doc = "Entities the character can reach now and resources within resource reach.",
    params = {}, returns = "{entities: [{name, type, position, unit_number?, minable_by_hand?, ghost_name?}], "
      .. "resources: [{name, type, position, amount}], truncated}",
    errors = {}, run = M.reachable,
  },
  {
    name = "get_placement_cues", doc = "Where within build distance the entity can be placed now, nearest first.",
    params = { _ENTITY,
      { name = "direction", type = "integer", min = 0, max = 15, default = 0, doc = "a defines.direction value" },
      { name = "max_results", type = "integer", min = 1, max = 200, default = 20, doc = "at most this many" } },
    returns = "[{position, distance, resources? (mining drills: resource entities under it)}]",
    errors = { "unknown_entity" }, run = M.placement_cues,
  },
  {
    name = "get_chunks_in_view", doc = "The chunks around the agent its force charts, with their state.",
    params = {}, returns = "[{x, y, charted, generated, area}]", errors = {},
    ---@param agent FvAgent
    run = function(agent) return chart.chunks_in_view(agent.character) end,
  },
}

return M
