-- Electric networks as deltas. The game raises no event when a network's production or consumption changes, so
-- after the bootstrap the networks of the watched poles are sampled every SAMPLE_TICKS, and one power_changed delta
-- per surface carries the networks whose totals or pole count moved since they were last written. The same pole set
-- writes <surface>/power.jsonl when a bootstrap completes, so the file and the deltas describe the same networks.
-- A sample reads at most _POLES_PER_SAMPLE poles; a bigger factory's round of reads spans several samples and its
-- deltas follow the round's last one.
local records = require("scripts.records")
local writer = require("scripts.writer")

---@class FvPowerState
---@field poles table<integer, LuaEntity> unit_number -> watched electric pole
---@field count integer how many poles are in `poles`
---@field networks integer networks found by the last read, for the cost of the next
---@field prints table<integer, string> network id -> fingerprint when last written
---@field round FvPowerRound|nil the round of pole reads under way

---@class FvPowerRound
---@field units integer[] the poles to read, as they were when the round began
---@field next integer index into units of the next pole to read
---@field networks table<integer, {id: integer, pole: LuaEntity, poles: integer}> network id -> what was read so far

---@class FvPower
local M = {}

-- Once a second of game time: a working network's totals grow every tick, so a shorter period would only fill the
-- log. A multiple of the watch sampler's period (scripts/watch.lua), whose tick it takes over.
M.SAMPLE_TICKS = 60
-- Cost in the bootstrap's units (scripts/snapshot.lua): reading a pole's network id is a fraction of a record, a
-- network's statistics and its fingerprint about what a small machine's record costs.
-- Measured on the embedded engine: a sample of 200 poles in one network takes about 1 ms of CPU.
local _POLES_PER_UNIT = 20
local _NETWORK_COST = 2
local _POLES_PER_SAMPLE = 400
local _POLE_TYPE = "electric-pole"

---@return FvPowerState
function M.new_state()
  return { poles = {}, count = 0, networks = 0, prints = {} }
end

---@return FvPowerState
local function _state()
  return storage.snapshot.power
end

--- Track a watched entity if it is a pole; `entity_type` is its record's, so no extra read is needed.
---@param entity LuaEntity
---@param entity_type string
function M.add(entity, entity_type)
  if entity_type ~= _POLE_TYPE then return end
  local state = _state()
  local unit = entity.unit_number
  if not state.poles[unit] then
    state.poles[unit] = entity
    state.count = state.count + 1
  end
end

---@param unit_number integer
function M.remove(unit_number)
  local state = _state()
  if state.poles[unit_number] then
    state.poles[unit_number] = nil
    state.count = state.count - 1
  end
end

--- Whether `tick` is a power sample's: only once a bootstrap is complete (power.jsonl is the baseline) and while
--- there are poles.
---@param tick integer
---@return boolean
function M.due(tick)
  local state = storage.snapshot
  return tick % M.SAMPLE_TICKS == 0 and state.phase == "complete" and state.power.count > 0
end

---@return integer
function M.cost()
  local state = _state()
  return math.ceil(math.min(state.count, _POLES_PER_SAMPLE) / _POLES_PER_UNIT) + state.networks * _NETWORK_COST
end

--- Count one pole into the network it belongs to now.
---@param networks table<integer, {id: integer, pole: LuaEntity, poles: integer}>
---@param unit integer
---@param pole LuaEntity
local function _read_pole(networks, unit, pole)
  if not pole.valid then
    -- Gone without an event we hear (destroy() without raise_destroy).
    M.remove(unit)
    return
  end
  local id = pole.electric_network_id
  if not id then return end
  local entry = networks[id]
  if not entry then
    entry = { id = id, pole = pole, poles = 0 }
    networks[id] = entry
  end
  entry.poles = entry.poles + 1
end

--- The networks by surface, ids ascending.
---@param networks table<integer, {id: integer, pole: LuaEntity, poles: integer}>
---@return table<string, {id: integer, pole: LuaEntity, poles: integer}[]>
local function _by_surface(networks)
  local by_surface, found = {}, 0
  for _, entry in pairs(networks) do
    if entry.pole.valid then
      local surface = entry.pole.surface.name
      by_surface[surface] = by_surface[surface] or {}
      by_surface[surface][#by_surface[surface] + 1] = entry
      found = found + 1
    end
  end
  for _, list in pairs(by_surface) do
    table.sort(list, function(a, b) return a.id < b.id end)
  end
  _state().networks = found
  return by_surface
end

--- Every tracked pole's network at once (a bootstrap's completion, a migration).
---@return table<string, {id: integer, pole: LuaEntity, poles: integer}[]>
local function _networks()
  local networks = {}
  for unit, pole in pairs(_state().poles) do _read_pole(networks, unit, pole) end
  return _by_surface(networks)
end

--- The parts of a network record a delta is sent for. Built from sorted names, since the order pairs() visits a
--- table in is not part of its content.
---@param record table an electric_network record
---@return string
local function _fingerprint(record)
  local parts = { tostring(record.poles) }
  for _, side in ipairs({ record.production, record.consumption }) do
    local names = {}
    for name in pairs(side) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do parts[#parts + 1] = name .. "=" .. side[name] end
    parts[#parts + 1] = "|"
  end
  return table.concat(parts, ",")
end

--- The networks' records, now the baseline later deltas compare with.
---@param entries {id: integer, pole: LuaEntity, poles: integer}[]
---@return table[]
local function _take_baseline(entries)
  local state, out = _state(), {}
  for _, entry in ipairs(entries) do
    local record = records.power_network(entry.pole, entry.poles)
    state.prints[entry.id] = _fingerprint(record)
    out[#out + 1] = record
  end
  return out
end

--- Every network on `surface_name` as electric_network records, read at once (a migration).
---@param surface_name string
---@return table[]
function M.baseline(surface_name)
  return _take_baseline(_networks()[surface_name] or {})
end

--- Read the next poles of the round; true when the round is complete, with its networks in `state.round.networks`.
---@return boolean done
local function _read_round()
  local state = _state()
  local round = state.round
  if not round then
    local units = {}
    for unit in pairs(state.poles) do units[#units + 1] = unit end
    round = { units = units, next = 1, networks = {} }
    state.round = round
  end
  local last = math.min(#round.units, round.next + _POLES_PER_SAMPLE - 1)
  for index = round.next, last do
    local unit = round.units[index]
    local pole = state.poles[unit]
    -- A pole removed since the round began is no longer tracked and counts for nothing.
    if pole then _read_pole(round.networks, unit, pole) end
  end
  round.next = last + 1
  return round.next > #round.units
end

--- A bootstrap's completion, a tick at a time: nil while poles are still being read (at most _POLES_PER_SAMPLE a
--- tick), then the networks on `surface_name` as electric_network records, the baseline of later deltas.
---@param surface_name string
---@return table[]|nil
function M.baseline_step(surface_name)
  if not _read_round() then return nil end
  local round = _state().round --[[@as FvPowerRound]]
  _state().round = nil
  return _take_baseline(_by_surface(round.networks)[surface_name] or {})
end

--- One sample: the next poles of the round; at the round's end, a power_changed delta per surface whose networks
--- changed since last written.
function M.sample()
  local state = _state()
  if not _read_round() then return end
  local round = state.round --[[@as FvPowerRound]]
  state.round = nil
  local alive = {}
  local by_surface = _by_surface(round.networks)
  local surfaces = {}
  for surface in pairs(by_surface) do surfaces[#surfaces + 1] = surface end
  table.sort(surfaces)
  for _, surface in ipairs(surfaces) do
    local changed, prints = {}, {}
    for _, entry in ipairs(by_surface[surface]) do
      alive[entry.id] = true
      local record = records.power_network(entry.pole, entry.poles)
      local print = _fingerprint(record)
      if state.prints[entry.id] ~= print then
        changed[#changed + 1] = record
        prints[entry.id] = print
      end
    end
    -- The new fingerprints count only once the delta is written; a record the schema refuses is tried again.
    if changed[1] and writer.emit_delta(surface, records.power_changed(surface, changed)) then
      for id, print in pairs(prints) do state.prints[id] = print end
    end
  end
  -- Networks merge and split under new ids; the old ids' fingerprints would only grow the save.
  for id in pairs(state.prints) do
    if not alive[id] then state.prints[id] = nil end
  end
end

return M
