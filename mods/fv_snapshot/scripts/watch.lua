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
---@field index table<integer, integer> unit_number -> position in list
---@field prints table<integer, string> unit_number -> fingerprint when last written
---@field cursor integer next list position the sampler reads

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
  return { list = {}, index = {}, prints = {}, cursor = 1 }
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
    state.list[#state.list + 1] = entity
    state.index[unit] = #state.list
    if #state.list == 1 then M.register() end
    power.add(entity, record.entity_type)
  end
  state.prints[unit] = components.fingerprint(record)
end

---@param unit_number integer
function M.remove(unit_number)
  local state = _state()
  local at = state.index[unit_number]
  if not at then return end
  local last = #state.list
  local moved = state.list[last]
  state.list[at], state.list[last] = moved, nil
  state.index[unit_number], state.prints[unit_number] = nil, nil
  power.remove(unit_number)
  if at ~= last then state.index[moved.unit_number] = at end
  if not state.list[1] then M.register() end
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
      -- Removed without an event we hear (e.g. destroy() without raise_destroy): its slot now holds another.
      for unit, at in pairs(state.index) do
        if at == position then M.remove(unit) break end
      end
    end
    if not state.list[1] then break end
  end
  state.cursor = position
end

return M
