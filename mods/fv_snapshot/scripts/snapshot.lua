-- The bootstrap: writes the init files of every charted chunk, a slice of records per tick, then marks the snapshot
-- complete in status.jsonl. Chunks charted later go through the same queue and are announced by chunk_charted.
--
-- Consistency rule shared with scripts/deltas.lua: a change is sent as a delta only if its chunk's init files are
-- already written. Changes in chunks still waiting are picked up when those chunks are written, so nothing is
-- lost or doubled, and every delta sent during a bootstrap has a seq above the `seq` of its status records. A
-- change in the chunk being written (its records already half on disk) restarts that chunk.
local records = require("scripts.records")
local writer = require("scripts.writer")
local watch = require("scripts.watch")
local components = require("scripts.components")
local power = require("scripts.power")

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
---@field charted_by string[] the forces whose charted chunks the snapshot covers (see _chart_forces)
---@field watch FvWatchState entities sampled for changes (scripts/watch.lua)
---@field power FvPowerState the watched poles, whose networks are sampled (scripts/power.lua)
---@field current FvChunkWork|nil the chunk whose files are being written, a slice per tick
---@field baseline table[]|nil the electric_network records read at a bootstrap's end, written the tick after

---@class FvChunkWork
---@field surface string
---@field cx integer
---@field cy integer
---@field strip integer strips of the chunk searched so far (0 to _STRIPS)
---@field entities LuaEntity[]|nil the last searched strip's entities and resources
---@field water {name: string, position: TilePosition}[]|nil the last searched strip's water tiles
---@field next integer next index into entities, then into water
---@field started table<string, true> files already begun (later slices append)
---@field restart boolean a change hit an entity already written: begin the chunk again

---@class FvSnapshot
local M = {}

-- Work a tick may do, in units of about one resource tile record (read, schema-checked, turned into JSON: ~30 us on
-- the embedded engine). The game has no clock, so ticks are bounded by counting what they do, weighted by its cost:
-- a machine's record reads its inventories, fuel and targets (see components.cost), a tree's only its position and
-- box. A chunk is searched a strip at a time, since an ore-covered or lake chunk holds 1024 tiles and one search of
-- it alone would stall a tick; a strip's search costs _SEARCH_COST plus a unit per _SEARCH_ENTITIES_PER_UNIT
-- entities and per _SEARCH_WATER_PER_UNIT water tiles found. Each file a slice writes to costs _FILE_COST. A tick
-- the watch sampler runs on leaves the bootstrap only what the sample does not use.
-- Measured with benchmarks/snapshot_bootstrap.py --factory 1000 (5,000 entities, 36 chunks), timing the module
-- functions from Python (CPU time, batches of every strip): a strip's search takes ~400 us plus ~18 us per entity
-- found (~1.2 ms for the factory's densest strips) and ~3 us per water tile, a file write (open, append, close)
-- ~220 us, a water or resource tile record ~30 us, a machine's record 110-220 us. The old weights (a search 12 units
-- plus one per 3 results, file writes free) left up to 1.5 ms of a tick outside the count, and the worst ticks added
-- 4.5-10 ms against the 5 ms issue 10 allows; with these (and the completion's files a tick after its last poles)
-- the worst added 2.8-3.5 ms with 1,000 groups, 3.2-3.9 ms with none and 2.8-3.2 ms with 200, over several runs
-- on a shared 2-core machine, in fewer ticks (1,598 instead of 1,735 at 1,000 groups). A budget of 40 units is
-- ~1.2 ms of counted work: the rest of the 5 ms is for what no count sees (Lua's own collector, which runs inside
-- whichever tick allocates, and a loaded machine) and for the overshoot of one record or a chunk's last files.
local _TICK_BUDGET = 40
local _SEARCH_COST = 13
local _SEARCH_ENTITIES_PER_UNIT = 2
local _SEARCH_WATER_PER_UNIT = 10
local _FILE_COST = 7
local _STRIP_ROWS = 2
local _STRIPS = 16 -- 32 / _STRIP_ROWS
-- A strip of ore or a dense factory: one entity on each of its tiles. Above the budget, so a search only ever
-- begins a tick.
local _SEARCH_WORST = _SEARCH_COST + math.ceil(32 * _STRIP_ROWS / _SEARCH_ENTITIES_PER_UNIT)
-- Finishing a chunk writes the files it has not begun (empty) and its chunk-init record.
local _KINDS = { "resources", "entities", "water" }
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

---@param surface_name string
---@param position MapPosition
---@return boolean
function M.is_being_written(surface_name, position)
  local work = storage.snapshot.current
  if not work or work.surface ~= surface_name then return false end
  local cx, cy = records.chunk_of(position)
  return work.cx == cx and work.cy == cy
end

--- A change in the chunk being written: its records on disk may predate it, so the chunk is written again.
function M.restart_current()
  storage.snapshot.current.restart = true
end

---@param surface_name string
---@param cx integer
---@param cy integer
---@return FvChunkWork
local function _begin_chunk(surface_name, cx, cy)
  return { surface = surface_name, cx = cx, cy = cy, strip = 0, next = 1, started = {}, restart = false }
end

--- Search the chunk's next strip; its entities and water replace the previous strip's, all written by now.
---@param surface LuaSurface
---@param work FvChunkWork
---@return integer cost
local function _search_strip(surface, work)
  local top = work.cy * _CHUNK_SIZE + work.strip * _STRIP_ROWS
  local area = {
    left_top = { x = work.cx * _CHUNK_SIZE, y = top },
    right_bottom = { x = (work.cx + 1) * _CHUNK_SIZE, y = top + _STRIP_ROWS },
  }
  local entities = {}
  for _, entity in pairs(surface.find_entities_filtered({ area = area })) do
    local position = entity.position
    local ecx, ecy = records.chunk_of(position)
    -- The area search also returns neighbours overlapping the border; each entity belongs to the chunk and strip
    -- holding its center.
    if ecx == work.cx and ecy == work.cy and position.y >= top and position.y < top + _STRIP_ROWS
        and records.classify(entity) then
      entities[#entities + 1] = entity
    end
  end
  local water = {}
  for _, tile in pairs(surface.find_tiles_filtered({ area = area, collision_mask = "water_tile" })) do
    water[#water + 1] = { name = tile.name, position = tile.position }
  end
  work.entities, work.water, work.next, work.strip = entities, water, 1, work.strip + 1
  return _SEARCH_COST + math.floor(#entities / _SEARCH_ENTITIES_PER_UNIT) + math.floor(#water / _SEARCH_WATER_PER_UNIT)
end

---@param work FvChunkWork
---@param kind "resources"|"entities"|"water"|"chunk"
---@param lines table[]
local function _write(work, kind, lines)
  if not lines[1] and work.started[kind] then return end
  writer.write_chunk_records(work.surface, work.cx, work.cy, kind, lines, work.started[kind] == true)
  work.started[kind] = true
end

--- Write the chunk's records (searching it strip by strip) until `budget` is spent; true when its files are complete.
---@param surface LuaSurface
---@param work FvChunkWork
---@param budget integer
---@return boolean done, integer used
local function _write_slice(surface, work, budget)
  local used = 0
  local resources, entities, water = {}, {}, {}
  while used < budget do
    local count = work.entities and #work.entities or 0
    local total = work.entities and count + #work.water or 0
    if work.next > total then
      if work.strip >= _STRIPS then break end
      -- A search's results are known only after it, so one starts only with room left for a strip full of them.
      if used > 0 and budget - used < _SEARCH_WORST then break end
      used = used + _search_strip(surface, work)
    else
      local index = work.next
      if index <= count then
        local entity = work.entities[index]
        -- Removed since the search: its removal restarted the chunk if it raised an event; otherwise it is skipped.
        if entity.valid then
          local kind = records.classify(entity)
          if kind == "resource_tile" then
            if not resources[1] then used = used + _FILE_COST end
            resources[#resources + 1] = records.resource_tile(entity)
            used = used + 1
          elseif kind == "resource_entity" then
            if not entities[1] then used = used + _FILE_COST end
            entities[#entities + 1] = records.resource_entity(entity)
            used = used + 2
          elseif kind == "entity" then
            if not entities[1] then used = used + _FILE_COST end
            local record = records.entity(entity)
            entities[#entities + 1] = record
            watch.add(entity, record)
            used = used + components.cost(record.entity_type)
          end
        end
      else
        if not water[1] then used = used + _FILE_COST end
        water[#water + 1] = records.water_tile(work.surface, work.water[index - count])
        used = used + 1
      end
      work.next = index + 1
    end
  end
  _write(work, "resources", resources)
  _write(work, "entities", entities)
  _write(work, "water", water)
  local done = work.strip >= _STRIPS and work.next > #work.entities + #work.water
  return done, used
end

--- Mark a chunk's files complete: chunk-init.jsonl is written last, so a reader that finds it knows the other
--- files are whole.
---@param work FvChunkWork
---@return integer cost
local function _finish_chunk(work)
  -- A chunk with no records still gets its (empty) files, so readers can tell "none" from "not written yet".
  local files = 1
  for _, kind in ipairs(_KINDS) do
    if not work.started[kind] then files = files + 1 end
    _write(work, kind, {})
  end
  writer.write_chunk_records(work.surface, work.cx, work.cy, "chunk", { records.chunk(work.surface, work.cx, work.cy) },
    false)
  local state, key = storage.snapshot, _key(work.cx, work.cy)
  if state.queued[work.surface] then state.queued[work.surface][key] = nil end
  state.written[work.surface] = state.written[work.surface] or {}
  if not state.written[work.surface][key] then
    state.written[work.surface][key] = true
    state.chunks = state.chunks + 1
  end
  -- After a bootstrap, a chunk is news: charted since.
  if state.phase == "complete" then
    writer.emit_delta(work.surface, records.chunk_charted(work.surface, work.cx, work.cy))
  end
  return files * _FILE_COST
end

--- Spend one tick's budget on the queue; true when the queue was already empty and no chunk half written, so that
--- the bootstrap's completion (power networks and research) gets a tick of its own.
---@return boolean idle
local function _work()
  local state = storage.snapshot
  local full = _TICK_BUDGET - watch.cost_at(game.tick)
  local budget = full
  if not state.current and state.queue_head > #state.queue then return true end
  while budget > 0 do
    local work = state.current
    if work and work.restart then
      work = _begin_chunk(work.surface, work.cx, work.cy)
      state.current = work
    end
    if not work then
      if state.queue_head > #state.queue then return false end
      -- A chunk begins with a search, whose results are known only after it: after other work this tick, the next
      -- chunk waits unless a strip full of results still fits.
      if budget < full and budget < _SEARCH_WORST then return false end
      local entry = state.queue[state.queue_head]
      state.queue_head = state.queue_head + 1
      work = _begin_chunk(entry.surface, entry.cx, entry.cy)
      state.current = work
    end
    local surface = game.surfaces[work.surface]
    if surface then
      local done, used = _write_slice(surface, work, budget)
      budget = budget - used
      if done then
        local cost = _finish_chunk(work)
        state.current = nil
        budget = budget - cost
      end
    else
      -- A surface deleted since the chunk was queued has nothing left to write.
      state.current = nil
    end
  end
  return false
end

-- Forces that chart nothing a player or agent saw: the biters' and the world's own.
local _NOT_CHARTING = { enemy = true, neutral = true }

--- Whose map the snapshot shows: every force that plays (the player force, and each agent's own force), since on a
--- headless server agents have no players and the agent mod charts around each agent for its force.
---@return string[]
local function _chart_forces()
  local names = {}
  for name in pairs(game.forces) do
    if not _NOT_CHARTING[name] then names[#names + 1] = name end
  end
  table.sort(names)
  return names
end

---@param surface LuaSurface
---@param chunk ChunkPositionAndArea
---@return boolean
local function _charted(surface, chunk)
  for _, name in ipairs(storage.snapshot.charted_by) do
    local force = game.forces[name]
    if force and force.is_chunk_charted(surface, { x = chunk.x, y = chunk.y }) then return true end
  end
  return false
end

--- Power networks and research are not chunk data: written whole when a bootstrap completes.
---@param networks table[] the electric_network records of the poles in the written chunks (scripts/power.lua)
local function _write_power_and_research(networks)
  writer.write_file(writer.power_file("nauvis"), networks)
  local research = {}
  for _, name in ipairs(storage.snapshot.charted_by) do
    local force = game.forces[name]
    if force then research[#research + 1] = records.research(force) end
  end
  writer.write_file(writer.RESEARCH_FILE, research)
end

--- Start a (new) bootstrap over every chunk any force has charted on nauvis.
function M.begin()
  local state = storage.snapshot
  assert(state.run_id, "fv_snapshot: a bootstrap needs a run id (map.set_snapshot_config{run_id = ...})")
  state.phase = "bootstrap"
  state.start_seq = state.seq
  state.queue, state.queue_head, state.queued, state.written, state.chunks = {}, 1, {}, {}, 0
  state.current, state.baseline = nil, nil
  state.charted_by = _chart_forces()
  watch.reset()
  local surface = game.surfaces["nauvis"]
  for chunk in surface.get_chunks() do
    if _charted(surface, chunk) then M.enqueue(surface.name, chunk.x, chunk.y) end
  end
  writer.append_status(records.status("bootstrap", state.start_seq, 0))
  M.tick_while_writing()
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
  if state.phase == "waiting" then
    script.on_event(defines.events.on_tick, nil)
    return
  end
  local idle = _work()
  if not idle then return end
  if state.phase == "bootstrap" then
    if _start_chart_pending() then return end
    -- A big factory's poles are read over several ticks, like its chunks. The files follow a tick after the last
    -- poles: reading those networks and writing power, research and status in one tick cost up to 5 ms with 200
    -- machine groups (benchmarks/snapshot_bootstrap.py), none of it counted by the budget.
    if not state.baseline then
      state.baseline = power.baseline_step("nauvis")
      return
    end
    state.phase = "complete"
    _write_power_and_research(state.baseline)
    state.baseline = nil
    writer.append_status(records.status("complete", state.start_seq, state.chunks))
  end
  state.queue, state.queue_head, state.queued = {}, 1, {}
  script.on_event(defines.events.on_tick, nil)
end

-- on_tick is registered only while chunks wait to be written, so an idle game runs none of this mod's Lua per tick
-- (Factorio's advice for on_tick handlers). Registrations are not saved: on_load registers it again from storage.
function M.tick_while_writing()
  local state = storage.snapshot
  if state and state.phase ~= "waiting" and (state.phase == "bootstrap" or state.current
      or state.queue_head <= #state.queue) then
    script.on_event(defines.events.on_tick, _on_tick)
  end
end

--- Queue a chunk charted after the bootstrap; its chunk_charted delta follows once its files are written.
---@param surface_name string
---@param cx integer
---@param cy integer
function M.chart_later(surface_name, cx, cy)
  M.enqueue(surface_name, cx, cy)
  M.tick_while_writing()
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
    queue = {}, queue_head = 1, queued = {}, written = {}, chunks = 0, charted_by = {}, watch = watch.new_state(),
    power = power.new_state(),
  }
  local radius = _START_CHART_RADIUS
  game.forces["player"].chart(game.surfaces["nauvis"], {
    left_top = { x = -radius, y = -radius }, right_bottom = { x = radius, y = radius },
  })
end

function M.on_load()
  M.tick_while_writing()
  watch.register()
end

return M
