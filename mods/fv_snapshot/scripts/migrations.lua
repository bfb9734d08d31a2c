-- Storage versioning: records which mod and storage-schema version wrote the save and upgrades older saves.
local meta = require("scripts.meta")
local watch = require("scripts.watch")
local power = require("scripts.power")

---@class FvSnapshotMigrations
local M = {}

-- _STEPS[n] upgrades storage from schema n-1 to schema n.
---@type table<integer, fun()>
local _STEPS = {
  -- 2: records carry the run id. A schema-1 save's files have none, so its snapshot state is dropped and the mod
  -- waits for a run id (map.set_snapshot_config) before it writes again.
  [2] = function()
    local state = storage.snapshot
    if not state then return end
    state.phase, state.run_id = "waiting", nil
    state.queue, state.queue_head, state.queued, state.written, state.chunks = {}, 1, {}, {}, 0
  end,
  -- 3: records carry components and wire schema 3 has new record types. The files on disk are schema 2, which no
  -- schema-3 reader accepts, so the run ends as in step 2: the next run id starts a fresh snapshot in new files.
  [3] = function()
    local state = storage.snapshot
    if not state then return end
    state.phase, state.run_id = "waiting", nil
    state.queue, state.queue_head, state.queued, state.written, state.chunks = {}, 1, {}, {}, 0
    state.charted_by = {}
    state.watch = watch.new_state()
    watch.register()
  end,
  -- 4: a chunk is searched and written a strip at a time. A chunk a schema-3 save was writing holds the whole
  -- chunk's search and no strip count, so it is written again from its start (its files are rewritten, not appended).
  [4] = function()
    local state = storage.snapshot
    if state and state.current then state.current.restart = true end
  end,
  -- 5: power networks are sampled for power_changed deltas from the watched poles. The poles a schema-4 save
  -- already watches are tracked from its watch list, and the networks as they are now become the baseline, so the
  -- first deltas after the load are changes made after it.
  [5] = function()
    local state = storage.snapshot
    if not state then return end
    state.power = power.new_state()
    for _, entity in ipairs(state.watch.list) do
      if entity.valid and entity.type == "electric-pole" then power.add(entity, "electric-pole") end
    end
    for surface in pairs(state.written) do power.baseline(surface) end
  end,
  -- 6: the watch list keeps each slot's unit number and each entity's place. A schema-5 list may hold entities gone
  -- without an event, and one whose removal failed half-way (it read a gone entity's unit_number) left the sampler
  -- stuck on a slot its index lost. The list is rebuilt from the entities still there; the gone ones' places were
  -- never kept, so the map learns of them only through a new bootstrap.
  [6] = function()
    local state = storage.snapshot
    if not (state and state.watch) then return end
    local old = state.watch
    local units_of = {}
    for unit, at in pairs(old.index) do units_of[at] = unit end
    state.watch = watch.new_state()
    local rebuilt = state.watch
    for at, entity in ipairs(old.list) do
      if entity.valid then
        local unit, position, n = entity.unit_number, entity.position, #rebuilt.list + 1
        rebuilt.list[n], rebuilt.units[n], rebuilt.index[unit], rebuilt.prints[unit] = entity, unit, n, old.prints[unit]
        rebuilt.places[unit] = { surface = entity.surface.name, name = entity.name, x = position.x, y = position.y }
      elseif units_of[at] then
        power.remove(units_of[at])
      end
    end
    watch.register()
  end,
}

function M.on_init()
  storage.mod_version = meta.MOD_VERSION
  storage.schema_version = meta.STORAGE_SCHEMA_VERSION
end

---@param _ ConfigurationChangedData
function M.on_configuration_changed(_)
  local from = storage.schema_version or 0
  if from > meta.STORAGE_SCHEMA_VERSION then
    -- A newer mod wrote this save; running older code on it could corrupt it silently, so say so loudly.
    log(meta.MOD_NAME .. ": save has storage schema " .. from .. " but this mod version only knows up to "
      .. meta.STORAGE_SCHEMA_VERSION .. "; update the mod")
    return
  end
  for version = from + 1, meta.STORAGE_SCHEMA_VERSION do
    local step = _STEPS[version]
    if step then step() end
  end
  storage.schema_version = meta.STORAGE_SCHEMA_VERSION
  storage.mod_version = meta.MOD_VERSION
end

return M
