-- Runs once in every Lua state the engine creates, before any mod code. It receives the Python bridge and
-- returns the functions the engine uses to build API proxies and to run code under an instruction budget.
-- A proxy holds no Python object, only its engine object id (in a table local to this chunk); the engine resolves
-- the id in Python, so mod code can never reach a Python object.
local bridge = ...

local py_check = bridge.check  -- nil, or why the running call must stop (the watchdog, the memory limit)
local error, pcall, tostring, type, setmetatable, rawequal, select = error, pcall, tostring, type, setmetatable, rawequal, select
local sethook, getinfo = debug.sethook, debug.getinfo
local traceback = debug.traceback
-- Captured now: mod code may reassign these globals (`table = nil`), and the engine's own code must keep working.
local raw_xpcall, rawget, rawset = xpcall, rawget, rawset
local floor, max, pack, unpack = math.floor, math.max, table.pack, table.unpack
local gc_count = collectgarbage  -- removed from the sandbox after this chunk ran

-- Why ids and not Python objects: lupa 2.8 keeps one userdata per Python object in a weak-valued registry table,
-- slots from luaL_ref, and frees an object's slot only in the userdata's __gc. Lua 5.2 clears a dead userdata from
-- weak values before its __gc runs; in between, luaL_ref (free list empty: `#t + 1`) can give the cleared slot to a
-- new object while lupa still maps the old one to it, so pushing the old object again returns the new object's
-- userdata. A proxy made from such a push ran a LuaForce method on a LuaTile (tests/engine/lua/test_glue.py).
-- Numbers and strings cross without that cache, so an id can't turn into another object.
local oids = setmetatable({}, { __mode = "k" })      -- proxy -> engine object id (the engine's only link to it)
local by_oid = setmetatable({}, { __mode = "v" })    -- engine object id -> proxy (identity across reads)
local classes = {}
-- proxy -> {key -> value} of the members that can never change for its object while it is valid (an entity's name,
-- type, unit_number, prototype): read once through the engine, then answered here without a crossing. The engine
-- calls `invalidate` when an object becomes invalid, which drops its entry, so the next read goes to the engine
-- again and raises Factorio's "API call when ... was invalid" as before.
local constants_of = setmetatable({}, { __mode = "k" })
-- proxy -> {key -> {x, y}} of the positions read, kept until the engine says the object moved (`moved`, called from
-- every move, Surface.move) or became invalid. Each read still gets a table of its own, which the mod may change.
local places_of = setmetatable({}, { __mode = "k" })

-- The engine's bound members (one Python function per class and key, taking the object id) say by how many values
-- they answer what glue builds itself: one is the value; two a position (x, y); three a proxy (class, id, 0); four
-- an error (message, 0, 0, 0), since Factorio's API errors are plain strings that mods match on. Building these here
-- saves a second crossing per read, and answering errors as values spares every successful read a pcall.
local function make_proxy(cls, oid)
  local p = by_oid[oid]
  if p then return p end
  p = {}
  oids[p] = oid
  by_oid[oid] = p
  return setmetatable(p, classes[cls])
end

-- `real` lists every member Factorio gives the class (name -> true if it is read-only), so a mod reading one the
-- engine lacks learns that the engine is behind, not that the game has no such key. getters, setters and methods
-- map keys to the engine's bound functions (methods implemented in Lua are Lua functions); `length` is the bound
-- `#` operator or nil. `constant` names the getters whose value never changes while the object is valid: plain
-- values and proxies are kept per proxy (tables are not: each read must give the mod a table of its own).
-- `placed` names the position getters whose value changes only when the object moves.
-- `index` is the bound `obj[i]` operator for number keys (LuaInventory's stacks) or nil.
local function define_class(cls, getters, setters, methods, length, real, constant, placed, index)
  local mt = { __metatable = cls }
  local function missing(k)
    return cls .. "::" .. tostring(k) .. " is a Factorio API member this engine does not implement yet "
      .. "(see docs/known-differences.md)"
  end
  local method_cache = setmetatable({}, { __mode = "k" })
  mt.__index = function(t, k)
    local known = constants_of[t]
    if known ~= nil then
      local v = known[k]
      if v ~= nil then return v end
    end
    local is_place = placed[k]
    if is_place then
      local places = places_of[t]
      local xy = places and places[k]
      if xy then return { x = xy[1], y = xy[2] } end
    end
    if index ~= nil and type(k) == "number" then
      local v, a, b, c = index(oids[t], k)
      if a == nil then return v end
      if b == nil then return { x = v, y = a } end
      if c == nil then return make_proxy(v, a) end
      error(v, 2)
    end
    local get = getters[k]
    if get ~= nil then
      local v, a, b, c = get(oids[t])
      if a == nil then
        if v ~= nil and constant[k] then
          if known == nil then known = {}; constants_of[t] = known end
          known[k] = v
        end
        return v
      end
      if b == nil then
        if is_place then
          local places = places_of[t]
          if places == nil then places = {}; places_of[t] = places end
          places[k] = { v, a }
        end
        return { x = v, y = a }
      end
      if c == nil then
        local p = make_proxy(v, a)
        if constant[k] then
          if known == nil then known = {}; constants_of[t] = known end
          known[k] = p
        end
        return p
      end
      error(v, 2)
    end
    local m = methods[k]
    if m ~= nil then
      if type(m) == "function" then
        -- Implemented in Lua (stateless, e.g. helpers.table_to_json): no trip through Python.
        return m
      end
      local per_obj = method_cache[t]
      if not per_obj then per_obj = {}; method_cache[t] = per_obj end
      local f = per_obj[k]
      if not f then
        -- Refers to the proxy, not just its id: a mod holding the method (`local f = force.is_chunk_charted`)
        -- keeps the proxy alive, and with it the engine's entry for the id.
        f = function(...)
          local v, a, b, c, d, n = m(oids[t], ...)
          if n ~= nil then  -- several results, each a finished Lua value (LuaEntity.revive)
            if n == 1 then return v elseif n == 2 then return v, a elseif n == 3 then return v, a, b end
            return v, a, b, c
          end
          if a == nil then return v end
          if b == nil then return { x = v, y = a } end
          if c == nil then return make_proxy(v, a) end
          if d ~= nil then return make_proxy(v, a), d end  -- a proxy and a second result (find_item_stack)
          error(v, 2)
        end
        per_obj[k] = f
      end
      return f
    elseif real[k] ~= nil then
      error(missing(k), 2)
    end
    error(cls .. " doesn't contain key " .. tostring(k) .. ".", 2)
  end
  mt.__newindex = function(t, k, v)
    local set = setters[k]
    if set ~= nil then
      local message = set(oids[t], v)
      if message ~= nil then error(message, 2) end
      return
    elseif getters[k] or methods[k] or real[k] == true then
      error(cls .. "::" .. tostring(k) .. " is read only.", 2)
    elseif real[k] == false then
      error(missing(k), 2)
    end
    error(cls .. " doesn't contain key " .. tostring(k) .. ".", 2)
  end
  if length ~= nil then
    mt.__len = function(t)
      local v, a, b, c = length(oids[t])
      if c ~= nil then error(v, 2) end
      return v
    end
  end
  mt.__eq = function(a, b) return oids[a] == oids[b] end
  mt.__tostring = function(t) return "[" .. cls .. ": " .. tostring(oids[t]) .. "]" end
  classes[cls] = mt
end

-- The engine's object `oid` became invalid (an entity destroyed, ...): forget what was kept of its constant members,
-- so reads reach the engine and fail as Factorio's do.
local function invalidate(oid)
  local p = by_oid[oid]
  if p ~= nil then
    constants_of[p] = nil
    places_of[p] = nil
  end
end

-- The engine's object `oid` moved: its next position read asks the engine.
local function moved(oid)
  local p = by_oid[oid]
  if p ~= nil then places_of[p] = nil end
end

-- Returns the engine object id behind a proxy, or nil for any other value (used when mods pass entities as
-- arguments).
local function unwrap(t)
  if type(t) == "table" then return oids[t] end
  return nil
end

-- Instruction budget: a hook every `step` VM instructions; an endless loop in a command or handler raises instead
-- of hanging the game thread. Every `clock_every` hooks it also asks the engine whether the call must stop: the
-- wall-clock watchdog catches loops that spend their time outside the VM (slow API calls) before the budget would,
-- and the state's memory limit catches runaway allocation.
local budget = 0
local step = 1000
local clock_every = 8
local clock_countdown = clock_every
local limit_message = "Instruction limit exceeded"
local exhausted = false  -- the running call's budget, time or memory is spent
local exempt = {}  -- the engine's own frames (run_limited, handler), which must finish cleanly
local depth = 0  -- 1 while run_limited or run_event runs a call
local function hook()
  -- The hook stays set between calls (setting and clearing it cost more than the rest of a handler call); outside
  -- a call it has nothing to count.
  if depth == 0 then return end
  local running = getinfo(2, "f")
  if running and exempt[running.func] then return end
  if exhausted then error(limit_message, 2) end
  budget = budget - 1
  clock_countdown = clock_countdown - 1
  if clock_countdown <= 0 then
    clock_countdown = clock_every
    local stop = py_check()
    if stop then
      limit_message = stop
      budget = 0
    end
  end
  if budget <= 0 then
    -- From now on every instruction fails, so code that catches the error with pcall can't go on looping.
    exhausted = true
    sethook(hook, "", 1)
    error(limit_message, 2)
  end
end

local function handler(err)
  if type(err) ~= "string" then err = tostring(err) end
  return traceback(err, 2)
end

-- After an outermost call that grew the state by more than this (KiB), or ran out of memory, a full collection gives
-- the memory back at once; Lua's incremental collector would otherwise hold it until as much again was allocated.
local collect_after_kb = bridge.collect_after_kb

local str_find = string.find
local function settle(before, ok, first)
  if gc_count("count") - before > collect_after_kb
    or (not ok and type(first) == "string" and str_find(first, "not enough memory", 1, true)) then
    gc_count("collect")
  end
end

-- The start and end of one outermost protected call: a fresh budget (setting the hook restarts its count, so every
-- call's budget starts from the same instruction) and, afterwards, the hook reset if the budget ran out and the
-- memory check. Returns the memory in use at the start, for disarm.
local function arm(instructions, message)
  local before = gc_count("count")
  budget = max(1, floor(instructions / step))
  limit_message = message
  exhausted = false
  clock_countdown = clock_every
  depth = 1
  sethook(hook, "", step)
  return before
end

local function disarm(before, ok, err)
  depth = 0
  if exhausted then sethook(hook, "", step) end
  settle(before, ok, err)
end

-- Calls f(...) in a protected call under a budget of `instructions`; returns true, results... or false, message.
-- Re-entrant: a handler raised from inside a command runs under the command's budget.
local function run_limited(instructions, message, f, ...)
  if depth > 0 then
    return raw_xpcall(f, handler, ...)
  end
  local before = arm(instructions, message)
  local result = pack(raw_xpcall(f, handler, ...))
  disarm(before, result[1], result[2])
  return unpack(result, 1, result.n)
end

-- An event handler with a table of only {name, tick} (on_tick, on_nth_tick's {nth_tick, tick}): the table is made
-- here, sparing the engine a crossing per key. Answers only whether it ran and the error, if any.
local function run_event(instructions, message, f, name, tick, nth_tick)
  if depth > 0 then
    return raw_xpcall(f, handler, { name = name, tick = tick, nth_tick = nth_tick })
  end
  local before = arm(instructions, message)
  local ok, err = raw_xpcall(f, handler, { name = name, tick = tick, nth_tick = nth_tick })
  disarm(before, ok, err)
  if ok then return true end
  return false, err
end
-- An event handler whose table a builder made for its event's shape makes from the values given (engine/lua/
-- event_table.py): one crossing for the whole table. The builder runs inside the protected call, so whatever stops
-- it stops the handler, as a failing handler would.
local function call_built(f, build, ...)
  return f(build(...))
end

local function run_built(instructions, message, f, build, ...)
  local ok, err
  if depth > 0 then
    ok, err = raw_xpcall(call_built, handler, f, build, ...)
  else
    local before = arm(instructions, message)
    ok, err = raw_xpcall(call_built, handler, f, build, ...)
    disarm(before, ok, err)
  end
  if ok then return true end
  return false, err
end
exempt[handler], exempt[run_limited], exempt[run_event], exempt[arm], exempt[disarm] = true, true, true, true, true
exempt[run_built], exempt[call_built] = true, true
-- The engine calls these from inside its own work (destroying or moving an entity), possibly while a mod's call in
-- this state runs: a budget, watchdog or memory stop raised in them would leave that work half done.
exempt[invalidate], exempt[moved] = true, true

-- After an error escaped run_limited itself (only running out of memory can do that): no hook, no open call.
local function reset()
  sethook()
  depth = 0
end

-- A message handler called for the hook's own error runs with hooks off, so it would escape the budget: once the
-- budget is spent, mods' xpcall handlers are skipped and the error passes through unchanged.
xpcall = function(f, msgh, ...)
  return raw_xpcall(f, function(m)
    if exhausted then return m end
    return msgh(m)
  end, ...)
end

-- __gc finalizers also run with hooks off (and whenever the collector decides, which no deterministic game can
-- allow), so objects are never marked for finalization: the field is hidden while the metatable is set.
local raw_setmetatable = setmetatable
_G.setmetatable = function(t, mt)
  local gc = type(mt) == "table" and rawget(mt, "__gc") or nil
  if gc ~= nil then rawset(mt, "__gc", nil) end
  local ok, result = pcall(raw_setmetatable, t, mt)
  if gc ~= nil then rawset(mt, "__gc", gc) end
  if not ok then error(result, 2) end  -- reported at the caller, as the built-in does
  return result
end

-- Python functions installed as globals (require, log, ...) raise Python exceptions; make them Lua strings too.
local function unpack_ok(ok, ...)
  if not ok then
    -- A Python exception arrives as userdata; Factorio's API errors are plain strings, so mods can match on them.
    error(tostring((...)), 3)
  end
  return ...
end

local function wrap(fn)
  return function(...) return unpack_ok(pcall(fn, ...)) end
end

return {
  wrap = wrap,
  define_class = define_class,
  make_proxy = make_proxy,
  unwrap = unwrap,
  invalidate = invalidate,
  moved = moved,
  oids = oids,  -- for the engine only: which ids live proxies still use
  run_limited = run_limited,
  run_event = run_event,
  run_built = run_built,
  reset = reset,
}
