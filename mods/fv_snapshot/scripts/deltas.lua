-- Map changes as deltas: built, removed and changed entities, trees and rocks removed, depleted resources, research
-- events and newly charted chunks. Changes no event announces are sampled by scripts/watch.lua.
-- A change is only sent when its chunk's init files exist (see the rule in scripts/snapshot.lua).
local records = require("scripts.records")
local snapshot = require("scripts.snapshot")
local writer = require("scripts.writer")
local watch = require("scripts.watch")

---@class FvDeltas
local M = {}

--- Whether a change at `entity` is sent: only in written chunks. A change in the chunk being written restarts it,
--- since part of its records may already be on disk.
---@param entity LuaEntity
---@return boolean
local function _in_written_chunk(entity)
  local surface_name, position = entity.surface.name, entity.position
  if snapshot.is_being_written(surface_name, position) then
    snapshot.restart_current()
    return false
  end
  return snapshot.is_written(surface_name, position)
end

---@param entity LuaEntity|nil
---@return boolean
local function _tracked(entity)
  return entity ~= nil and entity.valid and records.classify(entity) == "entity" and _in_written_chunk(entity)
end

--- One handler per event so the record can name the event that caused it.
---@param event_name string
---@return fun(event: {entity: LuaEntity})
local function _on_built(event_name)
  return function(event)
    local entity = event.entity
    if _tracked(entity) then
      local record = records.entity_built(event_name, entity)
      if writer.emit_delta(entity.surface.name, record) then watch.add(entity, record.entity) end
    end
  end
end

---@param event_name string
---@return fun(event: {entity: LuaEntity})
local function _on_removed(event_name)
  return function(event)
    local entity = event.entity
    if entity == nil or not entity.valid then return end
    if not _in_written_chunk(entity) then return end
    local kind = records.classify(entity)
    if kind == "entity" then
      watch.remove(entity.unit_number)
      writer.emit_delta(entity.surface.name, records.entity_removed(event_name, entity))
    elseif kind == "resource_entity" then
      writer.emit_delta(entity.surface.name, records.resource_entity_removed(event_name, entity))
    end
  end
end

--- A player's change to one entity (rotate, flip, paste settings, a GUI closed after setting a recipe or filter).
---@param event_name string
---@param field string the event's field holding the changed entity
---@return fun(event: table)
local function _on_changed(event_name, field)
  return function(event)
    local entity = event[field]
    if _tracked(entity) then watch.check(event_name, entity) end
  end
end

--- Research events belong to a force, not to a surface; they go to nauvis's log so one log keeps one seq order.
---@param event_name string
---@return fun(event: table)
local function _on_research(event_name)
  return function(event)
    if storage.snapshot.phase == "waiting" then return end
    local technology = event.research
    if not (technology and technology.valid) then return end
    writer.emit_delta("nauvis", records.research_changed(event_name, technology.force, technology))
  end
end

---@param event EventData.on_resource_depleted
local function _on_resource_depleted(event)
  local entity = event.entity
  if entity.valid and _in_written_chunk(entity) then
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
  -- Written over the next ticks like the bootstrap's chunks; after a bootstrap, chunk_charted follows its files.
  snapshot.chart_later(surface.name, cx, cy)
end

--- on_research_cancelled names the force and the cancelled technologies by name, not one LuaTechnology.
---@param event EventData.on_research_cancelled
local function _on_research_cancelled(event)
  if storage.snapshot.phase == "waiting" then return end
  local force = event.force
  if not (force and force.valid) then return end
  local name = next(event.research or {})
  local technology = name and force.technologies[name] or nil
  writer.emit_delta("nauvis", records.research_changed("on_research_cancelled", force, technology))
end

M.events = {
  [defines.events.on_built_entity] = _on_built("on_built_entity"),
  [defines.events.on_robot_built_entity] = _on_built("on_robot_built_entity"),
  [defines.events.script_raised_built] = _on_built("script_raised_built"),
  -- The agent mod's build_ghost revives ghosts with raise_revive.
  [defines.events.script_raised_revive] = _on_built("script_raised_revive"),
  [defines.events.on_player_mined_entity] = _on_removed("on_player_mined_entity"),
  [defines.events.on_robot_mined_entity] = _on_removed("on_robot_mined_entity"),
  [defines.events.script_raised_destroy] = _on_removed("script_raised_destroy"),
  [defines.events.on_entity_died] = _on_removed("on_entity_died"),
  [defines.events.on_player_rotated_entity] = _on_changed("on_player_rotated_entity", "entity"),
  [defines.events.on_player_flipped_entity] = _on_changed("on_player_flipped_entity", "entity"),
  [defines.events.on_entity_settings_pasted] = _on_changed("on_entity_settings_pasted", "destination"),
  [defines.events.on_gui_closed] = _on_changed("on_gui_closed", "entity"),
  [defines.events.on_research_started] = _on_research("on_research_started"),
  [defines.events.on_research_finished] = _on_research("on_research_finished"),
  [defines.events.on_research_cancelled] = _on_research_cancelled,
  [defines.events.on_research_reversed] = _on_research("on_research_reversed"),
  [defines.events.on_resource_depleted] = _on_resource_depleted,
  [defines.events.on_chunk_charted] = _on_chunk_charted,
}

return M
