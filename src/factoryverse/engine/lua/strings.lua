-- Bounded versions of the C library functions that can run long or allocate without limit, installed in every Lua
-- state before any mod code runs. The instruction hook (budget and watchdog) never fires inside a C function, so:
--   * string.find/match/gmatch/gsub call Lua's C matcher when an upper bound of its work is small, and otherwise a
--     faithful pure-Lua port of Lua 5.2.4's lstrlib matcher (same results and errors), inside which the hook fires;
--   * string.rep and table.concat refuse a result longer than the engine's per-string limit;
--   * table.sort without a comparator sorts a large table with a Lua comparator (the same order of comparisons).
-- Results for normal sizes are those of the C functions themselves. Argument errors are raised here with the C
-- library's wording, reported at the caller, as luaL_argerror and luaL_error do.
local limits = ...
local STRING_LIMIT = limits.string_limit  -- bytes
local COST_LIMIT = limits.cost_limit      -- upper bound of C matcher steps allowed without the port

local c_find, c_match, c_gmatch, c_gsub, c_rep = string.find, string.match, string.gmatch, string.gsub, string.rep
local c_concat, c_sort, unpack = table.concat, table.sort, table.unpack
local byte, char, sub = string.byte, string.char, string.sub
local type, tostring, tonumber, error, select, pcall = type, tostring, tonumber, error, select, pcall
local getinfo = debug.getinfo
local floor, ceil, min, huge = math.floor, math.ceil, math.min, math.huge

local SOURCE = getinfo(1, "S").source

-- -- errors, as the C library reports them --------------------------------------------------------------------

-- The level, relative to the function calling this one, of the first frame outside this file: the code that
-- called the library function, where luaL_error puts the position.
local function outside_level()
  local level = 3
  while true do
    local info = getinfo(level, "S")
    if info == nil or info.source ~= SOURCE then return level - 1 end
    level = level + 1
  end
end

local function raise(msg)
  error(msg, outside_level())
end

-- luaL_argerror: named as the call site named the function (a method call doesn't count self), or "string.find"
-- when the call site gives no name (Lua then finds the function in its loaded modules).
local function argerror(narg, fname, extramsg)
  local level = outside_level()
  local ar = getinfo(level - 1, "n") or {}  -- the library function itself, as its caller called it
  local name = ar.name
  if ar.namewhat == "method" then
    narg = narg - 1
    if narg == 0 then
      error("calling '" .. tostring(name) .. "' on bad self (" .. extramsg .. ")", level)
    end
  end
  if name == nil then name = fname end
  error("bad argument #" .. narg .. " to '" .. name .. "' (" .. extramsg .. ")", level)
end

local function typename(nargs, i, v)
  if i > nargs then return "no value" end
  return type(v)
end

local function check_string(nargs, i, v, fname)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return tostring(v) end
  argerror(i, fname, "string expected, got " .. typename(nargs, i, v))
end

-- lua_tointegerx: a number or a numeric string, truncated toward zero as the C cast does (x86-64 gives the lowest
-- integer for NaN and out-of-range values).
local function to_integer(v)
  if type(v) == "string" then v = tonumber(v) end
  if type(v) ~= "number" then return nil end
  if v ~= v or v >= 2^63 or v < -2^63 then return -2^63 end
  if v >= 0 then return floor(v) end
  return ceil(v)
end

local function check_integer(nargs, i, v, fname)
  local n = to_integer(v)
  if n == nil then argerror(i, fname, "number expected, got " .. typename(nargs, i, v)) end
  return n
end

-- luaL_checkint: the integer, then truncated to a 32-bit int.
local function check_int(nargs, i, v, fname)
  local n = check_integer(nargs, i, v, fname) % 2^32
  if n >= 2^31 then n = n - 2^32 end
  return n
end

-- Results of a C call made under pcall: its errors carry no position (pcall is the caller), so they are raised again
-- at the library function's caller, as the C function would have reported them.
local function finish(ok, ...)
  if ok then return ... end
  local msg = ...
  if msg == "not enough memory" or type(msg) ~= "string" then error(msg, 0) end
  raise(msg)
end

-- -- the matcher: a port of Lua 5.2.4's lstrlib.c --------------------------------------------------------------

local MAXCCALLS = 200
local MAXCAPTURES = 32
local CAP_UNFINISHED, CAP_POSITION = -1, -2

-- Character classes as the running C library sees them (its locale included): probed once per class letter.
local class_tables = {}
local function class_table(cl)
  local t = class_tables[cl]
  if t == nil then
    t = {}
    local pattern = "[%" .. char(cl) .. "]"
    for c = 0, 255 do t[c] = c_find(char(c), pattern) ~= nil end
    class_tables[cl] = t
  end
  return t
end

local function new_state(src, pat)
  return { src = src, n = #src, pat = pat, p_end = #pat + 1, level = 0, depth = MAXCCALLS, cinit = {}, clen = {} }
end

local function class_end(ms, p)
  local pat = ms.pat
  local c = byte(pat, p)
  p = p + 1
  if c == 37 then  -- %
    if p == ms.p_end then raise("malformed pattern (ends with '%')") end
    return p + 1
  elseif c == 91 then  -- [
    if byte(pat, p) == 94 then p = p + 1 end
    repeat
      if p == ms.p_end then raise("malformed pattern (missing ']')") end
      local cc = byte(pat, p)
      p = p + 1
      if cc == 37 and p < ms.p_end then p = p + 1 end
    until byte(pat, p) == 93
    return p + 1
  end
  return p
end

local function match_bracket_class(ms, c, p, ec)
  local pat = ms.pat
  local sig = true
  if byte(pat, p + 1) == 94 then
    sig = false
    p = p + 1
  end
  p = p + 1
  while p < ec do
    local pc = byte(pat, p)
    if pc == 37 then
      p = p + 1
      if class_table(byte(pat, p))[c] then return sig end
      p = p + 1
    elseif byte(pat, p + 1) == 45 and p + 2 < ec then
      if pc <= c and c <= byte(pat, p + 2) then return sig end
      p = p + 3
    else
      if pc == c then return sig end
      p = p + 1
    end
  end
  return not sig
end

local function single_match(ms, s, p, ep)
  if s > ms.n then return false end
  local c = byte(ms.src, s)
  local pc = byte(ms.pat, p)
  if pc == 46 then return true
  elseif pc == 37 then return class_table(byte(ms.pat, p + 1))[c]
  elseif pc == 91 then return match_bracket_class(ms, c, p, ep - 1)
  end
  return pc == c
end

local function match_balance(ms, s, p)
  if p >= ms.p_end - 1 then raise("malformed pattern (missing arguments to '%b')") end
  local src, pat = ms.src, ms.pat
  if (byte(src, s) or 0) ~= byte(pat, p) then return nil end
  local b, e = byte(pat, p), byte(pat, p + 1)
  local cont = 1
  s = s + 1
  while s <= ms.n do
    local c = byte(src, s)
    if c == e then
      cont = cont - 1
      if cont == 0 then return s + 1 end
    elseif c == b then
      cont = cont + 1
    end
    s = s + 1
  end
  return nil
end

local do_match

local function max_expand(ms, s, p, ep)
  local i = 0
  while single_match(ms, s + i, p, ep) do i = i + 1 end
  while i >= 0 do
    local res = do_match(ms, s + i, ep + 1)
    if res then return res end
    i = i - 1
  end
  return nil
end

local function min_expand(ms, s, p, ep)
  while true do
    local res = do_match(ms, s, ep + 1)
    if res then return res end
    if single_match(ms, s, p, ep) then s = s + 1 else return nil end
  end
end

local function start_capture(ms, s, p, what)
  local level = ms.level
  if level >= MAXCAPTURES then raise("too many captures") end
  ms.cinit[level + 1] = s
  ms.clen[level + 1] = what
  ms.level = level + 1
  local res = do_match(ms, s, p)
  if not res then ms.level = ms.level - 1 end
  return res
end

local function end_capture(ms, s, p)
  local l
  for i = ms.level, 1, -1 do
    if ms.clen[i] == CAP_UNFINISHED then l = i break end
  end
  if l == nil then raise("invalid pattern capture") end
  ms.clen[l] = s - ms.cinit[l]
  local res = do_match(ms, s, p)
  if not res then ms.clen[l] = CAP_UNFINISHED end
  return res
end

local function match_capture(ms, s, digit)
  local l = digit - 49
  if l < 0 or l >= ms.level or ms.clen[l + 1] == CAP_UNFINISHED then
    raise("invalid capture index %" .. (l + 1))
  end
  local len, init = ms.clen[l + 1], ms.cinit[l + 1]
  if len >= 0 and ms.n + 1 - s >= len and sub(ms.src, init, init + len - 1) == sub(ms.src, s, s + len - 1) then
    return s + len
  end
  return nil
end

do_match = function(ms, s, p)
  local depth = ms.depth
  if depth == 0 then raise("pattern too complex") end
  ms.depth = depth - 1
  local pat, p_end = ms.pat, ms.p_end
  while p ~= p_end do
    local pc = byte(pat, p)
    local nc = byte(pat, p + 1)
    if pc == 40 then  -- (
      if nc == 41 then s = start_capture(ms, s, p + 2, CAP_POSITION)
      else s = start_capture(ms, s, p + 1, CAP_UNFINISHED) end
      break
    elseif pc == 41 then  -- )
      s = end_capture(ms, s, p + 1)
      break
    elseif pc == 36 and p + 1 == p_end then  -- $ at the end
      if s ~= ms.n + 1 then s = nil end
      break
    elseif pc == 37 and nc == 98 then  -- %b
      s = match_balance(ms, s, p + 2)
      if s == nil then break end
      p = p + 4
    elseif pc == 37 and nc == 102 then  -- %f
      p = p + 2
      if byte(pat, p) ~= 91 then raise("missing '[' after '%f' in pattern") end
      local ep = class_end(ms, p)
      local previous = (s == 1) and 0 or byte(ms.src, s - 1)
      local current = byte(ms.src, s) or 0
      if not match_bracket_class(ms, previous, p, ep - 1) and match_bracket_class(ms, current, p, ep - 1) then
        p = ep
      else
        s = nil
        break
      end
    elseif pc == 37 and nc ~= nil and nc >= 48 and nc <= 57 then  -- %0-%9
      s = match_capture(ms, s, nc)
      if s == nil then break end
      p = p + 2
    else
      local ep = class_end(ms, p)
      local epc = byte(pat, ep)
      if not single_match(ms, s, p, ep) then
        if epc == 42 or epc == 63 or epc == 45 then  -- * ? -: accept empty
          p = ep + 1
        else
          s = nil
          break
        end
      elseif epc == 63 then  -- ?
        local res = do_match(ms, s + 1, ep + 1)
        if res then
          s = res
          break
        end
        p = ep + 1
      elseif epc == 43 then  -- +
        s = max_expand(ms, s + 1, p, ep)
        break
      elseif epc == 42 then  -- *
        s = max_expand(ms, s, p, ep)
        break
      elseif epc == 45 then  -- -
        s = min_expand(ms, s, p, ep)
        break
      else
        s = s + 1
        p = ep
      end
    end
  end
  ms.depth = ms.depth + 1
  return s
end

local function get_capture(ms, i, s, e)
  if i >= ms.level then
    if i == 0 then return sub(ms.src, s, e - 1) end
    raise("invalid capture index")
  end
  local l = ms.clen[i + 1]
  if l == CAP_UNFINISHED then raise("unfinished capture") end
  if l == CAP_POSITION then return ms.cinit[i + 1] end
  local init = ms.cinit[i + 1]
  return sub(ms.src, init, init + l - 1)
end

local function captures(ms, s, e)
  local n = (ms.level == 0 and s) and 1 or ms.level
  if n == 0 then return end
  if n == 1 then return get_capture(ms, 0, s, e) end
  local t = {}
  for i = 1, n do t[i] = get_capture(ms, i - 1, s, e) end
  return unpack(t, 1, n)
end

local SPECIALS = "[%^%$%*%+%?%.%(%[%%%-]"

local function plain_find(s, init, p)
  local lp = #p
  if lp == 0 then return init end
  local last = #s - lp + 1
  local first = sub(p, 1, 1)
  local i = init
  while i <= last do
    i = c_find(s, first, i, true)
    if i == nil or i > last then return nil end
    if sub(s, i, i + lp - 1) == p then return i end
    i = i + 1
  end
  return nil
end

local function posrelat(pos, len)
  if pos >= 0 then return pos end
  if -pos > len then return 0 end
  return len + pos + 1
end

-- str_find_aux: s and p are strings, init an integer, plain a boolean.
local function port_find_aux(find, s, p, init, plain)
  local ls = #s
  init = posrelat(init, ls)
  if init < 1 then
    init = 1
  elseif init > ls + 1 then
    return nil
  end
  if find and (plain or c_find(p, SPECIALS) == nil) then
    local pos = plain_find(s, init, p)
    if pos then return pos, pos + #p - 1 end
    return nil
  end
  local ms = new_state(s, p)
  local anchor = byte(p, 1) == 94
  local p0 = anchor and 2 or 1
  local s1 = init
  repeat
    ms.level = 0
    local res = do_match(ms, s1, p0)
    if res then
      if find then return s1, res - 1, captures(ms, nil, nil) end
      return captures(ms, s1, res)
    end
    s1 = s1 + 1
  until s1 > ls + 1 or anchor
  return nil
end

local function port_gmatch(s, p)
  local ls = #s
  local start = 0
  return function()
    local ms = new_state(s, p)
    local src = start + 1
    while src <= ls + 1 do
      ms.level = 0
      local e = do_match(ms, src, 1)
      if e then
        start = (e == src) and e or e - 1
        return captures(ms, src, e)
      end
      src = src + 1
    end
  end
end

local function add_s(ms, s, e, news)
  local l = #news
  local out, n = {}, 0
  local i = 1
  while i <= l do
    local j = c_find(news, "%", i, true)
    if j == nil then
      n = n + 1
      out[n] = sub(news, i)
      break
    end
    if j > i then
      n = n + 1
      out[n] = sub(news, i, j - 1)
    end
    local d = byte(news, j + 1) or 0
    n = n + 1
    if d < 48 or d > 57 then
      if d ~= 37 then raise("invalid use of '%' in replacement string") end
      out[n] = "%"
    elseif d == 48 then
      out[n] = sub(ms.src, s, e - 1)
    else
      out[n] = tostring(get_capture(ms, d - 49, s, e))
    end
    i = j + 2
  end
  return c_concat(out, "", 1, n)
end

local function add_value(ms, s, e, repl, tr)
  local v
  if tr == "function" then
    v = repl(captures(ms, s, e))
  elseif tr == "table" then
    v = repl[get_capture(ms, 0, s, e)]
  else
    return add_s(ms, s, e, repl)
  end
  if not v then return sub(ms.src, s, e - 1) end
  local t = type(v)
  if t == "number" then return tostring(v) end
  if t ~= "string" then raise("invalid replacement value (a " .. t .. ")") end
  return v
end

-- str_gsub: repl is a string (numbers already converted), a function or a table; max_s a count or huge.
local function port_gsub(src, p, repl, tr, max_s)
  local srcl = #src
  local anchor = byte(p, 1) == 94
  local p0 = anchor and 2 or 1
  local ms = new_state(src, p)
  local out, nb, n = {}, 0, 0
  local s = 1
  while n < max_s do
    ms.level = 0
    local e = do_match(ms, s, p0)
    if e then
      n = n + 1
      nb = nb + 1
      out[nb] = add_value(ms, s, e, repl, tr)
    end
    if e and e > s then
      s = e
    elseif s <= srcl then
      nb = nb + 1
      out[nb] = sub(src, s, s)
      s = s + 1
    else
      break
    end
    if anchor then break end
  end
  nb = nb + 1
  out[nb] = sub(src, s)
  return c_concat(out, "", 1, nb), n
end

-- -- the cost gate ---------------------------------------------------------------------------------------------

-- A pattern's shape for the cost bound, or false when it is malformed anywhere (the port then raises the C
-- matcher's error exactly when and if the matcher reaches it). Cached: patterns are nearly always literals.
local shapes, shape_count = {}, 0
local function pattern_shape(p, skip_anchor)
  local key = skip_anchor and p or "\0" .. p
  local shape = shapes[key]
  if shape ~= nil then return shape end
  local plen = #p
  local ms = { pat = p, p_end = plen + 1 }
  local caps = {}
  local items = {}  -- "cap" (transparent), "fixed", "opt", or the class text of a quantified item
  local linear = 0  -- %b and back references: each scans up to the subject's length
  local i = (skip_anchor and byte(p, 1) == 94) and 2 or 1
  local ok = pcall(function()
    while i <= plen do
      local c, d = byte(p, i), byte(p, i + 1)
      if c == 40 then
        caps[#caps + 1] = (d == 41) and "pos" or "open"
        i = i + ((d == 41) and 2 or 1)
        if #caps > MAXCAPTURES then error("") end
        items[#items + 1] = "cap"
      elseif c == 41 then
        local closed = false
        for k = #caps, 1, -1 do
          if caps[k] == "open" then caps[k] = "closed" closed = true break end
        end
        if not closed then error("") end
        i = i + 1
        items[#items + 1] = "cap"
      elseif c == 36 and i == plen then
        i = i + 1
        items[#items + 1] = "fixed"
      elseif c == 37 and d == 98 then
        if i + 3 > plen then error("") end
        linear = linear + 1
        i = i + 4
        items[#items + 1] = "fixed"
      elseif c == 37 and d == 102 then
        i = i + 2
        if byte(p, i) ~= 91 then error("") end
        i = class_end(ms, i)
        items[#items + 1] = "fixed"
      elseif c == 37 and d ~= nil and d >= 48 and d <= 57 then
        local l = d - 48
        if l < 1 or l > #caps or caps[l] == "open" then error("") end
        linear = linear + 1
        i = i + 2
        items[#items + 1] = "fixed"
      else
        local e = class_end(ms, i)
        local suffix = byte(p, e)
        if suffix == 42 or suffix == 43 or suffix == 45 then
          local cls = sub(p, i, e - 1)
          if #cls == 1 and cls ~= "." and c_find(cls, SPECIALS) then cls = "%" .. cls end
          items[#items + 1] = cls
          i = e + 1
        elseif suffix == 63 then
          items[#items + 1] = "opt"
          i = e + 1
        else
          items[#items + 1] = "fixed"
          i = e
        end
      end
    end
    for k = 1, #caps do
      if caps[k] == "open" then error("") end
    end
    -- Each capture bracket and each quantified or optional item is one level of the C matcher's recursion; near
    -- its limit of MAXCCALLS, "pattern too complex" is for the port to raise, at the right place.
    local nesting = 2 * #caps
    for k = 1, #items do
      if items[k] ~= "cap" and items[k] ~= "fixed" then nesting = nesting + 1 end
    end
    if nesting >= MAXCCALLS - 10 then error("") end
  end)
  if not ok then
    shape = false
  else
    -- A quantified item followed only by capture brackets succeeds on its first try: it branches no further.
    local trailing = true
    local quantified, leading = {}, {}
    local opts, dots, trailing_dots = 0, 0, 0
    for k = #items, 1, -1 do
      local item = items[k]
      if item == "opt" then
        if not trailing then opts = opts + 1 end
        trailing = false
      elseif item == "." then
        if trailing then trailing_dots = trailing_dots + 1 else dots = dots + 1 end
        trailing = false
      elseif item ~= "cap" and item ~= "fixed" then
        quantified[#quantified + 1] = item
        if not trailing then leading[#leading + 1] = item end
        trailing = false
      elseif item == "fixed" then
        trailing = false
      end
    end
    shape = {
      plen = plen, linear = linear, opts = opts, dots = dots, trailing_dots = trailing_dots,
      classes = quantified, branching = #leading,
    }
  end
  if shape_count >= 512 then shapes, shape_count = {}, 0 end
  shapes[key] = shape
  shape_count = shape_count + 1
  return shape
end

-- Is the C matcher's work on subject s bounded by COST_LIMIT? starts: how many start positions it may try.
-- Bound: starts x (paths through the pattern) x (work along one path), where a quantified item branches at most
-- (its longest run in s + 1) ways and an optional item two ways.
local function cheap(s, shape, starts)
  if not shape then return false end
  local n = #s
  local base = starts * 2 ^ shape.opts * (n + 1) ^ shape.dots
  local per_path = shape.plen + (shape.linear + shape.dots + shape.trailing_dots) * n
  local classes = shape.classes
  local k, q = #classes, shape.branching
  if base * per_path > COST_LIMIT then return false end
  if k == 0 or base * (n + 1) ^ q * (per_path + k * n) <= COST_LIMIT then return true end
  -- Bound each class's longest run by L - 1 (no run of L in s): the largest L that keeps the bound under the
  -- limit, checked by the C matcher itself on a pattern with no backtracking (at most n x L steps).
  local L
  if q == 0 then
    L = floor((COST_LIMIT / base - per_path) / k)
  else
    L = floor((COST_LIMIT / (base * per_path)) ^ (1 / q))
    while L >= 1 and base * L ^ q * (per_path + k * L) > COST_LIMIT do L = floor(L / 2) end
  end
  L = min(L, floor(COST_LIMIT / n))
  if L < 1 then return false end
  for i = 1, k do
    if c_find(s, c_rep(classes[i], L)) then return false end
  end
  return true
end

-- -- the library functions ------------------------------------------------------------------------------------

-- Made per function (not shared through a tail call): argerror reads the name the caller used for this frame.
local function find_aux(find, fname) return function(...)
  local nargs = select("#", ...)
  local s, p, init, plain = ...
  if type(s) ~= "string" then s = check_string(nargs, 1, s, fname) end
  if type(p) ~= "string" then p = check_string(nargs, 2, p, fname) end
  local ini = 1
  if init ~= nil then ini = check_integer(nargs, 3, init, fname) end
  local n = #s
  local start = posrelat(ini, n)
  if start < 1 then start = 1 end
  local starts = n - start + 2
  if find and (plain or c_find(p, SPECIALS) == nil) then
    if starts * (#p + 1) <= COST_LIMIT then return finish(pcall(c_find, s, p, init, plain)) end
  else
    local shape = pattern_shape(p, true)
    if shape and byte(p, 1) == 94 then starts = 1 end
    if cheap(s, shape, starts) then
      return finish(pcall(find and c_find or c_match, s, p, init, plain))
    end
  end
  return port_find_aux(find, s, p, ini, plain and true or false)
end end

local find = find_aux(true, "string.find")
local match = find_aux(false, "string.match")

local function gmatch(...)
  local nargs = select("#", ...)
  local s, p = ...
  if type(s) ~= "string" then s = check_string(nargs, 1, s, "string.gmatch") end
  if type(p) ~= "string" then p = check_string(nargs, 2, p, "string.gmatch") end
  -- gmatch has no anchor: a leading '^' is an ordinary character.
  if cheap(s, pattern_shape(p, false), #s + 1) then return c_gmatch(s, p) end
  return port_gmatch(s, p)
end

local function gsub(...)
  local nargs = select("#", ...)
  local s, p, repl, max_n = ...
  if type(s) ~= "string" then s = check_string(nargs, 1, s, "string.gsub") end
  if type(p) ~= "string" then p = check_string(nargs, 2, p, "string.gsub") end
  local tr = type(repl)
  local max_s = #s + 1
  if max_n ~= nil then
    max_s = check_integer(nargs, 4, max_n, "string.gsub")
    if max_s < 0 then max_s = huge end  -- the C code keeps it in a size_t
  end
  if tr ~= "number" and tr ~= "string" and tr ~= "function" and tr ~= "table" then
    argerror(3, "string.gsub", "string/function/table expected")
  end
  local shape = pattern_shape(p, true)
  local starts = (shape and byte(p, 1) == 94) and 1 or #s + 1
  if cheap(s, shape, starts) then
    if tr == "function" or tr == "table" then
      -- Called directly (not under pcall) so that errors in the mod's replacement function keep their traceback;
      -- the C check of the returned value is made here instead, to report it at gsub's caller as C does.
      local lookup = repl
      local function checked(...)
        local v
        if tr == "function" then v = lookup(...) else v = lookup[(...)] end
        local t = type(v)
        if v and t ~= "string" and t ~= "number" then
          local info = getinfo(4, "Sl")  -- checked <- C gsub <- this function <- its caller
          local where = (info and info.currentline > 0) and (info.short_src .. ":" .. info.currentline .. ": ") or ""
          error(where .. "invalid replacement value (a " .. t .. ")", 0)
        end
        return v
      end
      local result, count = c_gsub(s, p, checked, max_n)
      return result, count
    end
    return finish(pcall(c_gsub, s, p, repl, max_n))
  end
  if tr == "number" then repl = tostring(repl) end
  return port_gsub(s, p, repl, tr, max_s)
end

local function over_limit(what, size)
  raise(what .. ": the result would be " .. size .. " bytes, over the engine's limit of " .. STRING_LIMIT
    .. " bytes per string (see docs/known-differences.md)")
end

local function rep(...)
  local nargs = select("#", ...)
  local s, count, sep = ...
  s = check_string(nargs, 1, s, "string.rep")
  local n = check_int(nargs, 2, count, "string.rep")
  local lsep = 0
  if sep ~= nil then lsep = #check_string(nargs, 3, sep, "string.rep") end
  if n <= 0 then return "" end
  local total = #s * n + lsep * (n - 1)
  -- Nothing to copy: the C loop would still turn n times.
  if total == 0 then return "" end
  if total > STRING_LIMIT then over_limit("string.rep", total) end
  return c_rep(s, count, sep)
end

local CONCAT_CHUNK = 4096

local function concat(...)
  local nargs = select("#", ...)
  local t, sep, i, j = ...
  if sep == nil then sep = "" else sep = check_string(nargs, 2, sep, "table.concat") end
  if type(t) ~= "table" then argerror(1, "table.concat", "table expected, got " .. typename(nargs, 1, t)) end
  local first = (i == nil) and 1 or check_int(nargs, 3, i, "table.concat")
  local last
  if j == nil then
    last = to_integer(#t)
    if last == nil then raise("object length is not a number") end
    last = last % 2^32
    if last >= 2^31 then last = last - 2^32 end
  else
    last = check_int(nargs, 4, j, "table.concat")
  end
  if last - first < CONCAT_CHUNK then return finish(pcall(c_concat, t, sep, first, last)) end
  -- Many items: joined a chunk at a time, so the hook runs between chunks and the length is checked as it grows.
  local pieces, np, total, lsep = {}, 0, 0, #sep
  local k = first
  while k <= last do
    local stop = min(k + CONCAT_CHUNK - 1, last)
    local piece = finish(pcall(c_concat, t, sep, k, stop))
    total = total + #piece + (np > 0 and lsep or 0)
    if total > STRING_LIMIT then over_limit("table.concat", "at least " .. total) end
    np = np + 1
    pieces[np] = piece
    k = stop + 1
  end
  return c_concat(pieces, sep, 1, np)
end

-- The C sort compares with lua_lessthan, which never reaches the hook; the same comparison from Lua does.
local SORT_LIMIT = 20000
local function less_than(a, b) return a < b end
local ENGINE_PREFIX = "^" .. SOURCE:sub(2):gsub("%p", "%%%0") .. ":%d+: "

local function sort(...)
  local nargs = select("#", ...)
  local t, comp = ...
  if type(t) ~= "table" then argerror(1, "table.sort", "table expected, got " .. typename(nargs, 1, t)) end
  local n = to_integer(#t)
  if n == nil then raise("object length is not a number") end
  if comp ~= nil and type(comp) ~= "function" then
    argerror(2, "table.sort", "function expected, got " .. type(comp))
  end
  -- Called directly: a mod's comparator keeps its errors and traceback, and C's own comparison errors carry no
  -- position whoever calls sort.
  if comp ~= nil or n <= SORT_LIMIT then
    c_sort(t, comp)
    return
  end
  local ok, err = pcall(c_sort, t, less_than)
  if ok then return end
  -- A comparison error reads as the C sort reports it: no position (the comparison ran in C there).
  if type(err) == "string" then err = c_gsub(err, ENGINE_PREFIX, "", 1) end
  if err == "invalid order function for sorting" then raise(err) end
  error(err, 0)
end

return {
  find = find, match = match, gmatch = gmatch, gsub = gsub, rep = rep, concat = concat, sort = sort,
  -- The port on its own (arguments already valid, as the functions above check them) and the C originals, for the
  -- engine's fidelity tests.
  port = {
    find = function(s, p, init, plain)
      return port_find_aux(true, s, p, init == nil and 1 or to_integer(init), plain and true or false)
    end,
    match = function(s, p, init) return port_find_aux(false, s, p, init == nil and 1 or to_integer(init), false) end,
    gmatch = port_gmatch,
    gsub = function(s, p, repl, max_n)
      local tr = type(repl)
      if tr == "number" then repl = tostring(repl) tr = "string" end
      local max_s = (max_n == nil) and #s + 1 or to_integer(max_n)
      if max_s < 0 then max_s = huge end
      return port_gsub(s, p, repl, tr, max_s)
    end,
  },
  -- Whether a call would go to the C matcher (for benchmarks/pattern_gate.py).
  gate = function(kind, s, p)
    if kind == "gmatch" then return cheap(s, pattern_shape(p, false), #s + 1) end
    local shape = pattern_shape(p, true)
    return cheap(s, shape, (shape and byte(p, 1) == 94) and 1 or #s + 1)
  end,
  c = { find = c_find, match = c_match, gmatch = c_gmatch, gsub = c_gsub, rep = c_rep, concat = c_concat, sort = c_sort },
}
