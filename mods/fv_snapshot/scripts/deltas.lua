-- Map changes as deltas: built and removed entities, depleted resources and newly charted chunks.
-- A change is only sent when its chunk's init files exist (see the rule in scripts/snapshot.lua).
local records = require("scripts.records")
local snapshot = require("scripts.snapshot")
local writer = require("scripts.writer")

---@class FvDeltas
local M = {}

---@param entity LuaEntity|nil
---@return boolean
local function _tracked(entity)
  return entity ~= nil and entity.valid and records.classify(entity) == "entity"
    and snapshot.is_written(entity.surface.name, entity.position)
end

--- One handler per event so the record can name the event that caused it.
---@param event_name string
---@return fun(event: {entity: LuaEntity})
local function _on_built(event_name)
  return function(event)
    local entity = event.entity
    if _tracked(entity) then
      writer.emit_delta(entity.surface.name, records.entity_built(event_name, entity))
    end
  end
end

---@param event_name string
---@return fun(event: {entity: LuaEntity})
local function _on_removed(event_name)
  return function(event)
    local entity = event.entity
    if _tracked(entity) then
      writer.emit_delta(entity.surface.name, records.entity_removed(event_name, entity))
    end
  end
end

---@param event EventData.on_resource_depleted
local function _on_resource_depleted(event)
  local entity = event.entity
  if entity.valid and snapshot.is_written(entity.surface.name, entity.position) then
    writer.emit_delta(entity.surface.name, records.resource_depleted(entity))
  end
end

--- Charting happens again and again (radars, characters); only a chunk the snapshot has never seen is news.
---@param event EventData.on_chunk_charted
local function _on_chunk_charted(event)
  local surface = game.surfaces[event.surface_index]
  if not surface then return end
  local cx, cy = event.position.x, event.position.y
  -- Before the run starts nothing is written; its bootstrap will take every chunk charted by then.
  if storage.snapshot.phase == "waiting" then return end
  if snapshot.is_known_chunk(surface.name, cx, cy) then return end
  if storage.snapshot.phase == "bootstrap" then
    -- The running bootstrap writes it; a delta would announce files that do not exist yet.
    snapshot.enqueue(surface.name, cx, cy)
    return
  end
  snapshot.write_chunk(surface, cx, cy)
  writer.emit_delta(surface.name, records.chunk_charted(surface.name, cx, cy))
end

M.events = {
  [defines.events.on_built_entity] = _on_built("on_built_entity"),
  [defines.events.on_robot_built_entity] = _on_built("on_robot_built_entity"),
  [defines.events.script_raised_built] = _on_built("script_raised_built"),
  [defines.events.on_player_mined_entity] = _on_removed("on_player_mined_entity"),
  [defines.events.on_robot_mined_entity] = _on_removed("on_robot_mined_entity"),
  [defines.events.script_raised_destroy] = _on_removed("script_raised_destroy"),
  [defines.events.on_entity_died] = _on_removed("on_entity_died"),
  [defines.events.on_resource_depleted] = _on_resource_depleted,
  [defines.events.on_chunk_charted] = _on_chunk_charted,
}

return M
