-- string.pack, string.unpack and string.packsize as Factorio backports them from Lua 5.4.6 into its Lua 5.2
-- ("Libraries and functions"). Written in Lua: binary strings never cross into Python, and the instruction budget
-- counts the work. Numbers are 5.2's doubles, so integers are exact up to 2^53, as in the game.
-- Returns {pack = ..., unpack = ..., packsize = ...}.
local type, tonumber, tostring, error, select, ipairs = type, tonumber, tostring, error, select, ipairs
local tunpack = table.unpack or unpack
local byte, char, sub, find, concat = string.byte, string.char, string.sub, string.find, table.concat
local floor, frexp, ldexp, huge = math.floor, math.frexp, math.ldexp, math.huge
local POWERS_OF_TWO = {[1] = true, [2] = true, [4] = true, [8] = true, [16] = true}

local MAXINTSIZE, NATIVE_ALIGN, SZINT = 16, 8, 8

local function argerror(fname, n, msg)
  error("bad argument #" .. n .. " to '" .. fname .. "' (" .. msg .. ")", 0)
end

-- What luaL_checktype says it got: "no value" past the last argument, else the value's type.
local function got(v, absent)
  return absent and "no value" or type(v)
end

local function checkstring(fname, n, v, absent)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return tostring(v) end
  argerror(fname, n, "string expected, got " .. got(v, absent))
end

local function checkinteger(fname, n, v, absent)
  local x = type(v) == "number" and v or (type(v) == "string" and tonumber(v)) or nil
  if x == nil then argerror(fname, n, "number expected, got " .. got(v, absent)) end
  if x ~= x or x ~= floor(x) or x < -2 ^ 63 or x >= 2 ^ 63 then
    argerror(fname, n, "number has no integer representation")
  end
  return x
end

local function checknumber(fname, n, v, absent)
  local x = type(v) == "number" and v or (type(v) == "string" and tonumber(v)) or nil
  if x == nil then argerror(fname, n, "number expected, got " .. got(v, absent)) end
  return x
end

-- The format reader: Lua 5.4's getoption/getdetails. Each call returns kind, size, padding to align.
local function reader(fmt)
  local r = {pos = 1, little = true, maxalign = 1}
  local function num(default)
    local s, e = find(fmt, "^%d+", r.pos)
    if not s then return default end
    r.pos = e + 1
    return tonumber(sub(fmt, s, e))
  end
  local function numlimit(default)
    local n = num(default)
    if n > MAXINTSIZE or n <= 0 then
      error("integral size (" .. n .. ") out of limits [1," .. MAXINTSIZE .. "]", 0)
    end
    return n
  end
  local function option()
    local c = sub(fmt, r.pos, r.pos)
    r.pos = r.pos + 1
    if c == "b" then return "int", 1 elseif c == "B" then return "uint", 1
    elseif c == "h" then return "int", 2 elseif c == "H" then return "uint", 2
    elseif c == "l" or c == "j" then return "int", 8 elseif c == "L" or c == "J" or c == "T" then return "uint", 8
    elseif c == "i" then return "int", numlimit(4) elseif c == "I" then return "uint", numlimit(4)
    elseif c == "f" then return "float", 4 elseif c == "d" or c == "n" then return "double", 8
    elseif c == "s" then return "string", numlimit(8)
    elseif c == "c" then
      local n = num(-1)
      if n == -1 then error("missing size for format option 'c'", 0) end
      return "char", n
    elseif c == "z" then return "zstr", 0
    elseif c == "x" then return "padding", 1
    elseif c == "X" then return "paddalign", 0
    elseif c == " " then return "nop", 0
    elseif c == "<" or c == "=" then r.little = true return "nop", 0
    elseif c == ">" then r.little = false return "nop", 0
    elseif c == "!" then r.maxalign = numlimit(NATIVE_ALIGN) return "nop", 0
    end
    error("invalid format option '" .. c .. "'", 0)
  end
  function r.more() return r.pos <= #fmt end
  function r.details(fname, total)
    local kind, size = option()
    local align = size
    if kind == "paddalign" then
      local k
      if r.pos > #fmt then argerror(fname, 1, "invalid next option for option 'X'") end
      k, align = option()
      if k == "char" or align == 0 then argerror(fname, 1, "invalid next option for option 'X'") end
    end
    if align <= 1 or kind == "char" then return kind, size, 0 end
    if align > r.maxalign then align = r.maxalign end
    if not POWERS_OF_TWO[align] then
      argerror(fname, 1, "format asks for alignment not power of 2")
    end
    return kind, size, (align - total % align) % align
  end
  return r
end

-- Little-endian bytes of an integral double n (two's complement for negatives; % and / by 256 stay exact).
-- Past a Lua integer's 8 bytes only a signed option extends the sign, as 5.4's packint.
local function int_bytes(n, size, little, signed)
  local out = {}
  for i = 1, size do
    local b = (i > SZINT and not signed) and 0 or n % 256
    out[i] = b
    n = (n - b) / 256
  end
  if not little then
    for i = 1, floor(size / 2) do out[i], out[size + 1 - i] = out[size + 1 - i], out[i] end
  end
  return char(tunpack(out))
end

local function bytes_int(fname, s, at, size, little, signed)
  local b = {byte(s, at, at + size - 1)}
  if not little then
    for i = 1, floor(size / 2) do b[i], b[size + 1 - i] = b[size + 1 - i], b[i] end
  end
  local limit = size < SZINT and size or SZINT
  local negative = b[limit] >= 128 and (signed or size >= SZINT)
  local extension = (signed and negative) and 255 or 0
  for i = SZINT + 1, size do  -- bytes past a Lua integer must only extend its sign
    if b[i] ~= extension then
      error(size .. "-byte integer does not fit into Lua Integer", 0)
    end
  end
  local v = 0
  for i = limit, 1, -1 do v = v * 256 + (negative and 255 - b[i] or b[i]) end
  return negative and -v - 1 or v
end

-- IEEE 754 fields of x rounded to `mbits` mantissa bits (round half to even, as a C conversion), as bytes.
local function float_bytes(x, ebits, mbits, little)
  local bias, emax = 2 ^ (ebits - 1) - 1, 2 ^ ebits - 1
  local sign, e, m = 0, 0, 0
  if x < 0 or (x == 0 and 1 / x < 0) then sign, x = 1, -x end
  if x ~= x then e, m = emax, 2 ^ (mbits - 1)
  elseif x == huge then e = emax
  elseif x ~= 0 then
    local fr, ex = frexp(x)
    e = ex - 1 + bias
    local v = e >= 1 and (fr * 2 - 1) * 2 ^ mbits or ldexp(x, mbits - 1 + bias)
    if e < 1 then e = 0 end
    local r = floor(v)
    local d = v - r
    if d > 0.5 or (d == 0.5 and r % 2 == 1) then r = r + 1 end
    if r >= 2 ^ mbits then r, e = r - 2 ^ mbits, e + 1 end
    m = r
    if e >= emax then e, m = emax, 0 end
  end
  local out, acc, nacc = {}, 0, 0
  for _, field in ipairs({{m, mbits}, {e, ebits}, {sign, 1}}) do
    local v, n = field[1], field[2]
    while n > 0 do
      local k = n < 8 - nacc and n or 8 - nacc
      local low = v % 2 ^ k
      acc, v, n, nacc = acc + low * 2 ^ nacc, (v - low) / 2 ^ k, n - k, nacc + k
      if nacc == 8 then out[#out + 1], acc, nacc = acc, 0, 0 end
    end
  end
  if not little then
    local size = #out
    for i = 1, floor(size / 2) do out[i], out[size + 1 - i] = out[size + 1 - i], out[i] end
  end
  return char(tunpack(out))
end

local function bytes_float(s, at, ebits, mbits, little)
  local size = (1 + ebits + mbits) / 8
  local b = {byte(s, at, at + size - 1)}
  if not little then
    for i = 1, floor(size / 2) do b[i], b[size + 1 - i] = b[size + 1 - i], b[i] end
  end
  local bit, fields = 0, {}
  for f, n in ipairs({mbits, ebits, 1}) do
    local v = 0
    for i = 0, n - 1 do
      local k = bit + i
      local by = b[floor(k / 8) + 1]
      if floor(by / 2 ^ (k % 8)) % 2 == 1 then v = v + 2 ^ i end
    end
    fields[f], bit = v, bit + n
  end
  local m, e, sign = fields[1], fields[2], fields[3] == 1 and -1 or 1
  local bias, emax = 2 ^ (ebits - 1) - 1, 2 ^ ebits - 1
  if e == emax then return m == 0 and sign * huge or 0 / 0 end
  if e == 0 then return sign * ldexp(m, 1 - bias - mbits) end
  return sign * ldexp(m + 2 ^ mbits, e - bias - mbits)
end

local function pack(fmt, ...)
  fmt = checkstring("pack", 1, fmt, fmt == nil)
  local r, out, total, arg, given = reader(fmt), {}, 0, 1, select("#", ...)
  while r.more() do
    local kind, size, pad = r.details("pack", total)
    total = total + pad + size
    if pad > 0 then out[#out + 1] = ("\0"):rep(pad) end
    arg = arg + 1
    local v, absent = select(arg - 1, ...), arg - 1 > given
    if kind == "int" then
      local n = checkinteger("pack", arg, v, absent)
      if size < SZINT and (n < -2 ^ (size * 8 - 1) or n >= 2 ^ (size * 8 - 1)) then
        argerror("pack", arg, "integer overflow")
      end
      out[#out + 1] = int_bytes(n, size, r.little, true)
    elseif kind == "uint" then
      local n = checkinteger("pack", arg, v, absent)
      if size < SZINT and (n < 0 or n >= 2 ^ (size * 8)) then argerror("pack", arg, "unsigned overflow") end
      out[#out + 1] = int_bytes(n, size, r.little, false)
    elseif kind == "float" then
      out[#out + 1] = float_bytes(checknumber("pack", arg, v, absent), 8, 23, r.little)
    elseif kind == "double" then
      out[#out + 1] = float_bytes(checknumber("pack", arg, v, absent), 11, 52, r.little)
    elseif kind == "char" then
      local s = checkstring("pack", arg, v, absent)
      if #s > size then argerror("pack", arg, "string longer than given size") end
      out[#out + 1] = s .. ("\0"):rep(size - #s)
    elseif kind == "string" then
      local s = checkstring("pack", arg, v, absent)
      if size < SZINT and #s >= 2 ^ (size * 8) then
        argerror("pack", arg, "string length does not fit in given size")
      end
      out[#out + 1] = int_bytes(#s, size, r.little, false) .. s
      total = total + #s
    elseif kind == "zstr" then
      local s = checkstring("pack", arg, v, absent)
      if find(s, "\0", 1, true) then argerror("pack", arg, "string contains zeros") end
      out[#out + 1] = s .. "\0"
      total = total + #s + 1
    else
      if kind == "padding" then out[#out + 1] = "\0" end
      arg = arg - 1
    end
  end
  return concat(out)
end

local function packsize(fmt)
  fmt = checkstring("packsize", 1, fmt, fmt == nil)
  local r, total = reader(fmt), 0
  while r.more() do
    local kind, size, pad = r.details("packsize", total)
    if kind == "string" or kind == "zstr" then argerror("packsize", 1, "variable-length format") end
    total = total + size + pad
  end
  return total
end

local function unpack_(fmt, data, init)
  fmt = checkstring("unpack", 1, fmt, fmt == nil)
  data = checkstring("unpack", 2, data, data == nil)
  local ld = #data
  local pos = init == nil and 1 or checkinteger("unpack", 3, init)
  if pos <= 0 then pos = (pos == 0 or pos < -ld) and 1 or ld + pos + 1 end
  pos = pos - 1
  if pos > ld then argerror("unpack", 3, "initial position out of string") end
  local r, out = reader(fmt), {}
  while r.more() do
    local kind, size, pad = r.details("unpack", pos)
    if pad + size > ld - pos then argerror("unpack", 2, "data string too short") end
    pos = pos + pad
    local at = pos + 1
    if kind == "int" or kind == "uint" then
      out[#out + 1] = bytes_int("unpack", data, at, size, r.little, kind == "int")
    elseif kind == "float" then
      out[#out + 1] = bytes_float(data, at, 8, 23, r.little)
    elseif kind == "double" then
      out[#out + 1] = bytes_float(data, at, 11, 52, r.little)
    elseif kind == "char" then
      out[#out + 1] = sub(data, at, at + size - 1)
    elseif kind == "string" then
      local len = bytes_int("unpack", data, at, size, r.little, false)
      if len < 0 or len > ld - pos - size then argerror("unpack", 2, "data string too short") end
      out[#out + 1] = sub(data, at + size, at + size + len - 1)
      pos = pos + len
    elseif kind == "zstr" then
      local z = find(data, "\0", at, true)
      if not z then argerror("unpack", 2, "unfinished string for format 'z'") end
      out[#out + 1] = sub(data, at, z - 1)
      pos = pos + (z - at) + 1
    end
    pos = pos + size
  end
  out[#out + 1] = pos + 1
  return tunpack(out, 1, #out)
end

return {pack = pack, unpack = unpack_, packsize = packsize}
