-- The bootstrap: writes the init files of every charted chunk, a few chunks per tick, then marks the snapshot
-- complete in status.jsonl.
--
-- Consistency rule shared with scripts/deltas.lua: a change is sent as a delta only if its chunk's init files are
-- already written. Changes in chunks still waiting are picked up when those chunks are written, so nothing is
-- lost or doubled, and every delta sent during a bootstrap has a seq above the `seq` of its status records.
local records = require("scripts.records")
local writer = require("scripts.writer")

---@class FvSnapshotState
---@field phase "waiting"|"bootstrap"|"complete" waiting: no run id yet, so nothing is written
---@field run_id string|nil the run this game's records belong to, set by whoever started the server
---@field seq integer last delta seq written
---@field start_seq integer seq when the current bootstrap began
---@field udp_port integer
---@field queue {surface: string, cx: integer, cy: integer}[] chunks waiting for their init files
---@field queue_head integer
---@field queued table<string, table<string, true>> surface -> chunk key, for chunks in the queue
---@field written table<string, table<string, true>> surface -> chunk key, for chunks whose files are written
---@field chunks integer number of written chunks

---@class FvSnapshot
local M = {}

-- Writing a chunk scans up to 1024 tiles and its entities; a few per tick keeps a big map from freezing the game.
local _CHUNKS_PER_TICK = 4
-- The area the player force charts at start: a headless server has no player whose character would chart it.
local _START_CHART_RADIUS = 96
local _CHUNK_SIZE = 32

---@param cx integer
---@param cy integer
---@return string
local function _key(cx, cy)
  return cx .. "," .. cy
end

---@param surface_name string
---@param position MapPosition
---@return boolean
function M.is_written(surface_name, position)
  local cx, cy = records.chunk_of(position)
  local written = storage.snapshot.written[surface_name]
  return written ~= nil and written[_key(cx, cy)] == true
end

---@param surface_name string
---@param cx integer
---@param cy integer
---@return boolean
function M.is_known_chunk(surface_name, cx, cy)
  local key = _key(cx, cy)
  local state = storage.snapshot
  return (state.written[surface_name] or {})[key] == true or (state.queued[surface_name] or {})[key] == true
end

---@param surface_name string
---@param cx integer
---@param cy integer
function M.enqueue(surface_name, cx, cy)
  local state = storage.snapshot
  if M.is_known_chunk(surface_name, cx, cy) then return end
  state.queue[#state.queue + 1] = { surface = surface_name, cx = cx, cy = cy }
  state.queued[surface_name] = state.queued[surface_name] or {}
  state.queued[surface_name][_key(cx, cy)] = true
end

--- Write the four init files of one chunk and mark it written.
---@param surface LuaSurface
---@param cx integer
---@param cy integer
function M.write_chunk(surface, cx, cy)
  local name = surface.name
  local area = {
    left_top = { x = cx * _CHUNK_SIZE, y = cy * _CHUNK_SIZE },
    right_bottom = { x = (cx + 1) * _CHUNK_SIZE, y = (cy + 1) * _CHUNK_SIZE },
  }
  local resources, entities, water = {}, {}, {}
  for _, entity in pairs(surface.find_entities_filtered({ area = area })) do
    local ecx, ecy = records.chunk_of(entity.position)
    -- The area search also returns neighbours overlapping the border; each entity belongs to its center's chunk.
    if ecx == cx and ecy == cy then
      local kind = records.classify(entity)
      if kind == "resource_tile" then
        resources[#resources + 1] = records.resource_tile(entity)
      elseif kind == "resource_entity" then
        entities[#entities + 1] = records.resource_entity(entity)
      elseif kind == "entity" then
        entities[#entities + 1] = records.entity(entity)
      end
    end
  end
  for _, tile in pairs(surface.find_tiles_filtered({ area = area, collision_mask = "water_tile" })) do
    water[#water + 1] = records.water_tile(name, tile)
  end
  writer.write_chunk_file(name, cx, cy, "resources", resources)
  writer.write_chunk_file(name, cx, cy, "entities", entities)
  writer.write_chunk_file(name, cx, cy, "water", water)
  -- Written last: a reader that finds chunk-init.jsonl knows the chunk's other files are complete.
  writer.write_chunk_file(name, cx, cy, "chunk", { records.chunk(name, cx, cy) })
  local state = storage.snapshot
  local key = _key(cx, cy)
  if state.queued[name] then state.queued[name][key] = nil end
  state.written[name] = state.written[name] or {}
  if not state.written[name][key] then
    state.written[name][key] = true
    state.chunks = state.chunks + 1
  end
end

---@param surface LuaSurface
---@param chunk ChunkPositionAndArea
---@return boolean
local function _charted(surface, chunk)
  for _, force in pairs(game.forces) do
    if force.is_chunk_charted(surface, { x = chunk.x, y = chunk.y }) then return true end
  end
  return false
end

--- Start a (new) bootstrap over every chunk any force has charted on nauvis.
function M.begin()
  local state = storage.snapshot
  assert(state.run_id, "fv_snapshot: a bootstrap needs a run id (map.set_snapshot_config{run_id = ...})")
  state.phase = "bootstrap"
  state.start_seq = state.seq
  state.queue, state.queue_head, state.queued, state.written, state.chunks = {}, 1, {}, {}, 0
  local surface = game.surfaces["nauvis"]
  for chunk in surface.get_chunks() do
    if _charted(surface, chunk) then M.enqueue(surface.name, chunk.x, chunk.y) end
  end
  writer.append_status(records.status("bootstrap", state.start_seq, 0))
  M.tick_while_bootstrapping()
end

--- Whether the start area's chart (asked in on_init) is still being carried out. Charting takes some ticks after
--- `LuaForce.chart`; the chunks it adds arrive through on_chunk_charted (scripts/deltas.lua), so a bootstrap begun
--- meanwhile waits for them instead of completing without the start area.
---@return boolean
local function _start_chart_pending()
  local force, surface = game.forces["player"], game.surfaces["nauvis"]
  if not (force and surface) then return false end
  local last = math.floor((_START_CHART_RADIUS - 1) / _CHUNK_SIZE)
  for cy = -last - 1, last do
    for cx = -last - 1, last do
      if force.is_chunk_requested_for_charting(surface, { x = cx, y = cy }) then return true end
    end
  end
  return false
end

---@param _ EventData.on_tick
local function _on_tick(_)
  local state = storage.snapshot
  if state.phase ~= "bootstrap" then
    script.on_event(defines.events.on_tick, nil)
    return
  end
  local last = math.min(#state.queue, state.queue_head + _CHUNKS_PER_TICK - 1)
  for index = state.queue_head, last do
    local entry = state.queue[index]
    local surface = game.surfaces[entry.surface]
    -- A surface deleted since the chunk was queued has nothing left to write.
    if surface then M.write_chunk(surface, entry.cx, entry.cy) end
  end
  state.queue_head = last + 1
  if state.queue_head > #state.queue and not _start_chart_pending() then
    state.phase = "complete"
    state.queue, state.queue_head, state.queued = {}, 1, {}
    writer.append_status(records.status("complete", state.start_seq, state.chunks))
    script.on_event(defines.events.on_tick, nil)
  end
end

-- on_tick is registered only while a bootstrap runs, so an idle game runs none of this mod's Lua per tick
-- (Factorio's advice for on_tick handlers). Registrations are not saved: on_load registers it again from storage.
function M.tick_while_bootstrapping()
  local state = storage.snapshot
  if state and state.phase == "bootstrap" then
    script.on_event(defines.events.on_tick, _on_tick)
  end
end

--- Begin the run `run_id`: the files of any earlier run are removed first, so no reader can mix two runs, and the
--- new run's deltas count from seq 1. Giving the current run id again changes nothing.
---@param run_id string
---@return boolean started whether a new run began
function M.start_run(run_id)
  local state = storage.snapshot
  if state.run_id == run_id then return false end
  helpers.remove_path(writer.ROOT)
  state.run_id = run_id
  state.seq = 0
  M.begin()
  return true
end

function M.on_init()
  -- Nothing is written until a run id arrives (map.set_snapshot_config): the game cannot make one up itself, since
  -- its Lua has no clock and math.random follows the map seed, and records without one could be mixed with an
  -- earlier game's files.
  storage.snapshot = {
    phase = "waiting", run_id = nil, seq = 0, start_seq = 0, udp_port = writer.DEFAULT_UDP_PORT,
    queue = {}, queue_head = 1, queued = {}, written = {}, chunks = 0,
  }
  local radius = _START_CHART_RADIUS
  game.forces["player"].chart(game.surfaces["nauvis"], {
    left_top = { x = -radius, y = -radius }, right_bottom = { x = radius, y = radius },
  })
end

function M.on_load()
  M.tick_while_bootstrapping()
end

return M
