-- The mod's on_tick handler, registered only while an action needs it. An idle game (no agent walking a path or
-- mining) then runs none of this mod's Lua per tick, which is Factorio's advice for on_tick handlers: register
-- them when there is work and unregister them when it is done. The registration is not saved with the game, so
-- on_load registers it again from what storage says (the game requires conditional handlers to be restored there,
-- or a loaded game would behave differently from the one that saved it).

---@class FvTickWork
---@field has_work fun(): boolean whether storage holds work for on_tick
---@field on_tick fun(event: EventData.on_tick)

---@class FvTicker
local M = {}

-- The action modules run in this fixed order each tick (walking first, as when each registered its own handler
-- through event_handler in control.lua's order), whatever order they were required in.
local _ORDER = { "walking", "mining", "crafting" }

---@type table<string, FvTickWork>
local _work = {}

---@param event EventData.on_tick
local function _on_tick(event)
  for _, name in ipairs(_ORDER) do
    local work = _work[name]
    if work then work.on_tick(event) end
  end
  if not M.has_work() then
    script.on_event(defines.events.on_tick, nil)
  end
end

--- Add an action module's tick work under one of the names in _ORDER.
---@param name string
---@param work FvTickWork
function M.add(name, work)
  _work[name] = work
end

---@return boolean
function M.has_work()
  for _, name in ipairs(_ORDER) do
    local work = _work[name]
    if work and work.has_work() then return true end
  end
  return false
end

--- Make sure on_tick runs from the next tick on; called whenever an action gets per-tick work.
-- Asks the game rather than keeping a flag: a flag in this state could disagree with the registration (a fresh
-- state after a load), and state that must survive a save belongs in storage, which on_load may not write.
function M.wake()
  if script.get_event_handler(defines.events.on_tick) ~= _on_tick then
    script.on_event(defines.events.on_tick, _on_tick)
  end
end

function M.on_load()
  -- on_load may read storage but not change it; registering handlers is what it is for.
  if M.has_work() then M.wake() end
end

return M
