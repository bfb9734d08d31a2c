-- The components of an entity record (wire schema `entity`): what the entity does right now, read from the game's
-- own values (status, recipe, inventories, targets, areas), never worked out from prototypes by hand.
-- Every component is optional: an entity gets only those its type has, so records stay small for walls and pipes.

---@class FvComponents
local M = {}

-- Inventory names read per entity type. defines.inventory values overlap between types (chest and fuel are both
-- 1), so an index alone does not say what an inventory is; the type does. Furnaces and assemblers use the crafter_*
-- names: 2.1 dropped furnace_source and assembling_machine_input, and the crafter_* ones exist in both versions.
local _INVENTORIES = {
  container = { "chest" },
  ["logistic-container"] = { "chest" },
  furnace = { "fuel", "crafter_input", "crafter_output", "burnt_result" },
  ["assembling-machine"] = { "fuel", "crafter_input", "crafter_output", "burnt_result" },
  ["mining-drill"] = { "fuel", "burnt_result" },
  boiler = { "fuel", "burnt_result" },
  inserter = { "fuel", "burnt_result" },
  lab = { "lab_input" },
}
local _CRAFTERS = { furnace = true, ["assembling-machine"] = true }
local _BELTS = { ["transport-belt"] = true, ["underground-belt"] = true, splitter = true }
local _POLE_TYPE = "electric-pole"

---@type table<integer, string>|nil
local _status_names = nil

--- defines.entity_status holds numbers; records name them so a reader needs no copy of the defines table.
---@param status integer|nil
---@return string|nil
local function _status_name(status)
  if status == nil then return nil end
  if not _status_names then
    _status_names = {}
    for name, value in pairs(defines.entity_status) do _status_names[value] = name end
  end
  return _status_names[status]
end

---@param box BoundingBox
---@return number[]
local function _box(box)
  return { box.left_top.x, box.left_top.y, box.right_bottom.x, box.right_bottom.y }
end

---@param position MapPosition
---@return number[]
local function _point(position)
  return { position.x, position.y }
end

---@param target LuaEntity|nil
---@return integer|nil
local function _unit(target)
  if target and target.valid then return target.unit_number end
  return nil
end

---@param entities LuaEntity[]
---@return integer[]|nil nil for none: the wire format has no empty arrays
local function _units(entities)
  local out = {}
  for _, entity in pairs(entities) do
    local unit = _unit(entity)
    if unit then out[#out + 1] = unit end
  end
  table.sort(out)
  return out[1] and out or nil
end

---@param entity LuaEntity
---@return table<string, table<string, integer>>|nil
local function _inventories(entity)
  local names = _INVENTORIES[entity.type]
  if not names then return nil end
  local out, any = {}, false
  for _, name in ipairs(names) do
    local inventory = entity.get_inventory(defines.inventory[name])
    if inventory then
      local contents = {}
      for _, stack in pairs(inventory.get_contents()) do
        contents[stack.name] = (contents[stack.name] or 0) + stack.count
      end
      out[name], any = contents, true
    end
  end
  return any and out or nil
end

---@param entity LuaEntity
---@return table|nil
local function _fuel(entity)
  local burner = entity.burner
  if not burner then return nil end
  local burning = burner.currently_burning
  return { burning = burning and burning.name.name or nil, remaining = burner.remaining_burning_fuel }
end

---@param entity LuaEntity
---@return table[]|nil
local function _fluids(entity)
  local out = {}
  for index = 1, entity.fluids_count do
    local fluid = entity.get_fluid(index)
    if fluid then
      out[#out + 1] = { index = index, name = fluid.name, amount = fluid.amount, temperature = fluid.temperature }
    end
  end
  return out[1] and out or nil
end

---@param entity LuaEntity an inserter
---@return table
local function _inserter(entity)
  local filters = {}
  for slot = 1, entity.filter_slot_count do
    local filter = entity.get_filter(slot)
    if filter then filters[#filters + 1] = filter.name end
  end
  return {
    pickup_position = _point(entity.pickup_position), drop_position = _point(entity.drop_position),
    pickup_target = _unit(entity.pickup_target), drop_target = _unit(entity.drop_target),
    filters = filters[1] and filters or nil,
    filter_mode = entity.filter_slot_count > 0 and entity.inserter_filter_mode or nil,
  }
end

---@param entity LuaEntity a mining drill
---@return table
local function _drill(entity)
  local target = entity.mining_target
  local drill = { mining_area = _box(entity.mining_area), mining_target = target and target.name or nil }
  -- A pumpjack's product is a fluid, so where it would drop items means nothing; the embedded engine refuses to
  -- answer for it (docs/known-differences.md) while the game answers, so the record leaves it out on both.
  local has_drop, drop = pcall(function() return entity.drop_position end)
  if has_drop and drop then
    drill.drop_position = _point(drop)
    drill.drop_target = _unit(entity.drop_target)
  end
  return drill
end

---@param entity LuaEntity an electric pole
---@return table
local function _pole(entity)
  local poles = {}
  local connector = entity.get_wire_connector(defines.wire_connector_id.pole_copper, false)
  if connector then
    for _, connection in pairs(connector.real_connections) do
      poles[#poles + 1] = connection.target.owner
    end
  end
  -- Without a quality the prototype answers for normal quality, the only one the base game has.
  local reach = entity.prototype.get_supply_area_distance()
  local position = entity.position
  return {
    wires = _units(poles),
    supply_area = { position.x - reach, position.y - reach, position.x + reach, position.y + reach },
  }
end

-- One tile along each defines.direction a belt can face.
local _STEP = {
  [defines.direction.north] = { 0, -1 }, [defines.direction.east] = { 1, 0 },
  [defines.direction.south] = { 0, 1 }, [defines.direction.west] = { -1, 0 },
}

--- The other end of an underground belt, as the game pairs them: the first underground of the same name facing
--- the same way within the prototype's max_underground_distance, ahead of an entrance or behind an exit, when it
--- is of the other type. belt_neighbours leaves the other end out, and the members that name it differ between
--- versions (2.0's `neighbours`, 2.1's `underground_belt_neighbour`), so the pair is found with members both have.
---@param entity LuaEntity an underground belt
---@return LuaEntity|nil
local function _underground_pair(entity)
  local step = _STEP[entity.direction]
  if not step then return nil end
  local own_type = entity.belt_to_ground_type
  local sign = own_type == "input" and 1 or -1
  local position, surface, name = entity.position, entity.surface, entity.name
  for k = 1, entity.prototype.max_underground_distance or 0 do
    local other = surface.find_entity(name, { x = position.x + sign * k * step[1], y = position.y + sign * k * step[2] })
    if other and other.direction == entity.direction then
      if other.belt_to_ground_type ~= own_type then return other end
      return nil
    end
  end
  return nil
end

---@param entity LuaEntity a belt, underground belt or splitter
---@return table
local function _belt(entity)
  local neighbours = entity.belt_neighbours
  local belt = { inputs = _units(neighbours.inputs), outputs = _units(neighbours.outputs) }
  if entity.type == "underground-belt" then
    belt.underground_type = entity.belt_to_ground_type
    local pair = _underground_pair(entity)
    belt.underground_pair = pair and pair.unit_number or nil
  end
  return belt
end

--- Add the entity's components to its record.
---@param record table an `entity` record
---@param entity LuaEntity
function M.add(record, entity)
  local entity_type = entity.type
  record.status = _status_name(entity.status)
  if _CRAFTERS[entity_type] then
    local recipe = entity.get_recipe()
    record.recipe = recipe and recipe.name or nil
    record.crafting_progress = entity.crafting_progress
  end
  record.inventories = _inventories(entity)
  record.fuel = _fuel(entity)
  record.fluids = _fluids(entity)
  record.electric_network_id = entity.electric_network_id
  if entity_type == "inserter" then
    record.inserter = _inserter(entity)
  elseif entity_type == "mining-drill" then
    record.drill = _drill(entity)
  elseif entity_type == _POLE_TYPE then
    record.pole = _pole(entity)
  elseif _BELTS[entity_type] then
    record.belt = _belt(entity)
  end
end

-- What each type-specific component adds to a record's cost, in the bootstrap's units. Measured on the embedded
-- engine with 1,000 machine groups (reading, schema check, JSON and fingerprint together; a resource tile record is
-- about 30 us): a chest's record costs 3.7 units, a belt's 3.4, a pole's 4.9, a furnace's 5.4, an inserter's 6.8
-- (it reads two positions and two targets).
local _COMPONENT_COST = { inserter = 3, ["mining-drill"] = 3, [_POLE_TYPE] = 2 }
for name in pairs(_CRAFTERS) do _COMPONENT_COST[name] = 1 end
for name in pairs(_BELTS) do _COMPONENT_COST[name] = 1 end

--- What reading and writing an entity's record costs the bootstrap (scripts/snapshot.lua), in units of one
--- resource tile record: every entity reads its place, status, burner, fluids and network; inventories (two read
--- for about the cost of one unit) and each type-specific component read more.
---@param entity_type string
---@return integer
function M.cost(entity_type)
  return 3 + math.ceil(#(_INVENTORIES[entity_type] or {}) / 2) + (_COMPONENT_COST[entity_type] or 0)
end

--- What a sampled change compares: the parts of a record that can change without an event. Crafting progress and
--- the fuel left are not compared: they change every tick a machine works and would make every sample a delta.
---@param record table an `entity` record with its components
---@return string
function M.fingerprint(record)
  local inserter, drill = record.inserter, record.drill
  local fluids = {}
  for _, fluid in ipairs(record.fluids or {}) do fluids[#fluids + 1] = fluid.name end
  return helpers.table_to_json({
    fluids, drill and drill.drop_target or false, drill and drill.mining_target or false,
    record.direction, record.status or false, record.recipe or false, record.inventories or false,
    record.fuel and record.fuel.burning or false, inserter and inserter.filters or false,
    inserter and inserter.drop_target or false, inserter and inserter.pickup_target or false,
    record.belt or false, record.pole and record.pole.wires or false, record.electric_network_id or false,
  })
end

return M
