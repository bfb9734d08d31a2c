-- Builders for the wire records of src/factoryverse/schemas/wire.schema.json (checked by scripts/writer.lua).
-- Every record names the run that wrote it (storage.snapshot.run_id): a new game restarts seq at 1, so without it a
-- reader could take a new game's records for an old one's.

---@class FvRecords
local M = {}

-- The wire schema's version (scripts/wire_schema.lua is generated from it), so the two cannot drift.
local _SCHEMA_VERSION = require("scripts.wire_schema").schema_version
local components = require("scripts.components")
local _RESOURCE_ENTITY_TYPES = { tree = true, ["simple-entity"] = true }
-- Agents are characters; their movement is not map state, so they never appear in the snapshot.
local _IGNORED_TYPES = { character = true }
-- A ghost's own name is "entity-ghost" or "tile-ghost"; what it will become is only in ghost_name and ghost_type.
local _GHOST_TYPES = { ["entity-ghost"] = true, ["tile-ghost"] = true }

--- Which snapshot record an entity becomes, or nil for things the snapshot does not track (characters, corpses,
--- items on the ground and other entities without a unit_number).
---@param entity LuaEntity
---@return "resource_tile"|"resource_entity"|"entity"|nil
function M.classify(entity)
  local entity_type = entity.type
  if entity_type == "resource" then return "resource_tile" end
  if _RESOURCE_ENTITY_TYPES[entity_type] then return "resource_entity" end
  if _IGNORED_TYPES[entity_type] or entity.unit_number == nil then return nil end
  return "entity"
end

---@param position MapPosition
---@return integer cx, integer cy
function M.chunk_of(position)
  return math.floor(position.x / 32), math.floor(position.y / 32)
end

---@param entity LuaEntity
---@return number[] left_top.x, left_top.y, right_bottom.x, right_bottom.y
local function _bbox(entity)
  local box = entity.bounding_box
  return { box.left_top.x, box.left_top.y, box.right_bottom.x, box.right_bottom.y }
end

---@param entity LuaEntity
---@return table
function M.entity(entity)
  local position = entity.position
  local record = {
    type = "entity", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, surface = entity.surface.name,
    unit_number = entity.unit_number, name = entity.name, entity_type = entity.type,
    x = position.x, y = position.y, direction = entity.direction, force = entity.force.name, bbox = _bbox(entity),
  }
  if _GHOST_TYPES[record.entity_type] then record.ghost_name, record.ghost_type = entity.ghost_name, entity.ghost_type end
  components.add(record, entity)
  return record
end

--- Resource entities sit on tile centers; the record names the tile by its left-top corner.
---@param entity LuaEntity
---@return table
function M.resource_tile(entity)
  local position = entity.position
  return {
    type = "resource_tile", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, surface = entity.surface.name, name = entity.name,
    x = math.floor(position.x), y = math.floor(position.y), amount = entity.amount,
  }
end

---@param entity LuaEntity
---@return table
function M.resource_entity(entity)
  local position = entity.position
  return {
    type = "resource_entity", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, surface = entity.surface.name, name = entity.name,
    entity_type = entity.type, x = position.x, y = position.y, bbox = _bbox(entity),
  }
end

---@param surface_name string
---@param tile LuaTile
---@return table
function M.water_tile(surface_name, tile)
  local position = tile.position
  return {
    type = "water_tile", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, surface = surface_name, name = tile.name,
    x = position.x, y = position.y,
  }
end

---@param surface_name string
---@param cx integer
---@param cy integer
---@return table
function M.chunk(surface_name, cx, cy)
  return { type = "chunk", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, surface = surface_name, cx = cx, cy = cy, tick = game.tick }
end

---@param phase "bootstrap"|"complete"
---@param seq integer
---@param chunks integer
---@return table
function M.status(phase, seq, chunks)
  return { type = "snapshot_status", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, phase = phase, tick = game.tick, seq = seq,
    chunks = chunks, charted_by = storage.snapshot.charted_by }
end

---@param counts table<string, number>
---@return table<string, number>
local function _counts(counts)
  local out = {}
  for name, count in pairs(counts) do out[name] = count end
  return out
end

--- One electric network, read through one of its poles: the game keeps production and consumption per network.
---@param pole LuaEntity an electric pole of the network
---@param poles integer how many poles the snapshot saw in it
---@return table
function M.power_network(pole, poles)
  local statistics = pole.electric_network_statistics
  return {
    type = "electric_network", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick,
    surface = pole.surface.name, network_id = pole.electric_network_id, poles = poles,
    -- Totals since the network formed, in joules per prototype name. An electric network's LuaFlowStatistics
    -- sides are the game's GUI's: input is consumption, output production.
    production = _counts(statistics.output_counts), consumption = _counts(statistics.input_counts),
  }
end

---@param force LuaForce
---@return table
function M.research(force)
  local researched, queue = {}, {}
  for name, technology in pairs(force.technologies) do
    if technology.researched then researched[#researched + 1] = name end
  end
  table.sort(researched)
  for _, technology in pairs(force.research_queue) do queue[#queue + 1] = technology.name end
  local current = force.current_research
  return {
    type = "research", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick,
    force = force.name, current = current and current.name or nil, progress = force.research_progress,
    queue = queue[1] and queue or nil, researched = researched[1] and researched or nil,
  }
end

-- Deltas get their seq from scripts/writer.lua, which owns the counter.

---@param event_name string
---@param entity LuaEntity
---@return table
function M.entity_built(event_name, entity)
  return { type = "entity_built", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick, event = event_name,
    entity = M.entity(entity) }
end

---@param event_name string
---@param entity LuaEntity
---@return table
function M.entity_removed(event_name, entity)
  local position = entity.position
  return {
    type = "entity_removed", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick, event = event_name,
    surface = entity.surface.name, unit_number = entity.unit_number, name = entity.name, x = position.x, y = position.y,
  }
end

--- The removal of an entity that can no longer be read (it went without an event), from where it last was.
---@param event_name string
---@param unit_number integer
---@param place {surface: string, name: string, x: number, y: number}
---@return table
function M.entity_removed_at(event_name, unit_number, place)
  return {
    type = "entity_removed", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick, event = event_name,
    surface = place.surface, unit_number = unit_number, name = place.name, x = place.x, y = place.y,
  }
end

--- An entity whose components changed without being built or removed: rotated, recipe or filters set, or a
--- change the sampler found (status, inventories).
---@param cause string the event, or "sampled"
---@param record table the entity's `entity` record now
---@return table
function M.entity_changed(cause, record)
  return { type = "entity_changed", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick, cause = cause,
    entity = record }
end

--- A tree or rock gone (mined, destroyed, died): they have no unit number, so their name and position say which.
---@param event_name string
---@param entity LuaEntity
---@return table
function M.resource_entity_removed(event_name, entity)
  local position = entity.position
  return {
    type = "resource_entity_removed", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick, event = event_name,
    surface = entity.surface.name, name = entity.name, x = position.x, y = position.y,
  }
end

---@param event_name string
---@param force LuaForce
---@param technology LuaTechnology|nil the technology the event is about
---@return table
function M.research_changed(event_name, force, technology)
  return { type = "research_changed", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick, event = event_name,
    technology = technology and technology.name or nil, research = M.research(force) }
end

---@param entity LuaEntity a resource
---@return table
function M.resource_depleted(entity)
  local position = entity.position
  return {
    type = "resource_depleted", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick, surface = entity.surface.name,
    name = entity.name, x = math.floor(position.x), y = math.floor(position.y),
  }
end

--- Networks whose production, consumption or pole count changed (scripts/power.lua samples them).
---@param surface_name string
---@param networks table[] electric_network records
---@return table
function M.power_changed(surface_name, networks)
  return { type = "power_changed", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick,
    surface = surface_name, networks = networks }
end

---@param surface_name string
---@param cx integer
---@param cy integer
---@return table
function M.chunk_charted(surface_name, cx, cy)
  return { type = "chunk_charted", schema_version = _SCHEMA_VERSION, run_id = storage.snapshot.run_id, tick = game.tick, surface = surface_name,
    cx = cx, cy = cy }
end

return M
