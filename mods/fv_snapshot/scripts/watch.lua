-- Changes no event announces: a machine's status, the items in its inventories, a recipe or filter set by a script
-- (the agent mod sets them through the API, which raises nothing). Entities in written chunks are watched and
-- sampled a slice at a time every _SAMPLE_TICKS, so a big factory costs a bounded amount of Lua per sample; a
-- changed entity is sent once per sample as one entity_changed delta with all its components.
local components = require("scripts.components")
local power = require("scripts.power")
local records = require("scripts.records")
local writer = require("scripts.writer")

---@class FvWatchState
---@field list LuaEntity[] watched entities, swap-removed so the sampler can walk them by index
---@field units integer[] the unit_number of list[i], kept apart because a gone entity's own can no longer be read
---@field index table<integer, integer> unit_number -> position in list
---@field prints table<integer, string> unit_number -> fingerprint when last written
---@field places table<integer, FvWatchPlace> unit_number -> where its last record put it, for its removal delta
---@field cursor integer next list position the sampler reads

---@class FvWatchPlace
---@field surface string
---@field name string
---@field x number
---@field y number

---@class FvWatch
local M = {}

-- 16 records per sample keeps a sample near 2.5 ms on the embedded engine (a machine's record and fingerprint cost
-- about what 5 resource tiles do, _SAMPLE_COST in the bootstrap's units); a factory of N watched entities is seen
-- whole every N / 16 * 5 ticks.
local _SAMPLE_TICKS = 5
local _SAMPLE_BUDGET = 16
local _SAMPLE_COST = 5

---@return FvWatchState
local function _state()
  return storage.snapshot.watch
end

---@return FvWatchState
function M.new_state()
  return { list = {}, units = {}, index = {}, prints = {}, places = {}, cursor = 1 }
end

local _on_sample

--- on_nth_tick is registered only while something is watched: an empty map runs none of this mod's Lua.
function M.register()
  local state = storage.snapshot and storage.snapshot.watch
  script.on_nth_tick(_SAMPLE_TICKS, (state and state.list[1]) and _on_sample or nil)
end

--- The work the sampler does on `tick`, in the bootstrap's units (scripts/snapshot.lua), so that a tick both run on
--- stays within one budget.
---@param tick integer
---@return integer
function M.cost_at(tick)
  if tick % _SAMPLE_TICKS ~= 0 then return 0 end
  if power.due(tick) then return power.cost() end
  return math.min(_SAMPLE_BUDGET, #_state().list) * _SAMPLE_COST
end

--- Watch an entity whose record was just written; `record` is that record, so its fingerprint is the baseline.
---@param entity LuaEntity
---@param record table
function M.add(entity, record)
  local state = _state()
  local unit = entity.unit_number
  if not state.index[unit] then
    local at = #state.list + 1
    state.list[at], state.units[at], state.index[unit] = entity, unit, at
    if at == 1 then M.register() end
    power.add(entity, record.entity_type)
  end
  state.prints[unit] = components.fingerprint(record)
  -- Vehicles move, so the place is the last record's.
  state.places[unit] = { surface = record.surface, name = record.name, x = record.x, y = record.y }
end

--- Stop watching; reads no entity, since the one moved into the freed slot may be gone already (a revived ghost,
--- destroy() without raise_destroy) and reading a gone entity raises.
---@param unit_number integer
function M.remove(unit_number)
  local state = _state()
  local at = state.index[unit_number]
  if not at then return end
  local last = #state.list
  local list, units = state.list, state.units
  list[at], units[at] = list[last], units[last]
  list[last], units[last] = nil, nil
  state.index[unit_number], state.prints[unit_number], state.places[unit_number] = nil, nil, nil
  if at ~= last then state.index[units[at]] = at end
  power.remove(unit_number)
  if not list[1] then M.register() end
end

--- Forget everything (a new bootstrap watches what it writes again).
function M.reset()
  storage.snapshot.watch = M.new_state()
  storage.snapshot.power = power.new_state()
  M.register()
end

--- Send the entity's record as a change now if it differs from the last one sent.
---@param cause string
---@param entity LuaEntity
---@return boolean sent
function M.check(cause, entity)
  local state = _state()
  local unit = entity.unit_number
  local record = records.entity(entity)
  local print = components.fingerprint(record)
  if state.index[unit] and state.prints[unit] == print and cause == "sampled" then return false end
  M.add(entity, record)
  writer.emit_delta(entity.surface.name, records.entity_changed(cause, record))
  return true
end

--- An entity gone without an event we hear (a revived ghost, destroy() without raise_destroy): the map still holds
--- it, so its removal is sent from its last record's place.
---@param unit integer
local function _forget_gone(unit)
  local place = _state().places[unit]
  M.remove(unit)
  if place then writer.emit_delta(place.surface, records.entity_removed_at("sampled", unit, place)) end
end

---@param event NthTickEventData
_on_sample = function(event)
  local state = _state()
  local count = #state.list
  if count == 0 then return end
  -- Every power sample takes one entity sample's tick, so no tick carries both.
  if power.due(event.tick) then
    power.sample()
    return
  end
  local position = state.cursor
  for _ = 1, math.min(_SAMPLE_BUDGET, count) do
    if position > #state.list then position = 1 end
    local entity = state.list[position]
    if entity.valid then
      M.check("sampled", entity)
      position = position + 1
    else
      -- Gone without an event we hear: its slot now holds another, read at this position next.
      _forget_gone(state.units[position])
    end
    if not state.list[1] then break end
  end
  state.cursor = position
end

return M
