-- helpers.table_to_json, in Lua: encoding where the table lives avoids copying every table into Python first.
-- Returns the encoder function. Semantics: 1..n tables are arrays, other tables objects (keys as strings), an
-- empty table is `{}` as in the game (clients of real servers report "{}", not "[]"); API objects, functions, NaN
-- and infinities cannot be encoded.
local type, pairs, next, tostring, tonumber, error, getmetatable = type, pairs, next, tostring, tonumber, error, getmetatable
local format, gsub, byte, concat, floor, huge = string.format, string.gsub, string.byte, table.concat, math.floor, math.huge

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local function escape_char(c)
  return escapes[c] or format("\\u%04x", byte(c))
end

local function number(v)
  if v ~= v or v == huge or v == -huge then
    error("table_to_json: cannot encode NaN or infinity", 0)
  end
  if floor(v) == v and v > -9007199254740992 and v < 9007199254740992 then
    return format("%d", v)
  end
  -- Shortest text that reads back as the same double.
  local s = format("%.14g", v)
  if tonumber(s) ~= v then s = format("%.17g", v) end
  return s
end

local encode

local function is_array(t)
  local n = #t
  if n == 0 then return false end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

encode = function(v, out, depth)
  local kind = type(v)
  if kind == "string" then
    out[#out + 1] = '"' .. gsub(v, '[%c"\\]', escape_char) .. '"'
  elseif kind == "number" then
    out[#out + 1] = number(v)
  elseif kind == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif kind == "nil" then
    out[#out + 1] = "null"
  elseif kind == "table" then
    local mt = getmetatable(v)
    if type(mt) == "string" then
      error("table_to_json: cannot encode a " .. mt, 0)
    end
    if depth > 100 then
      error("table_to_json: table nested too deeply (a cycle?)", 0)
    end
    if next(v) == nil then
      out[#out + 1] = "{}"
    elseif is_array(v) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], out, depth + 1)
      end
      out[#out + 1] = "]"
    else
      out[#out + 1] = "{"
      local first = true
      for k, x in pairs(v) do
        local kt = type(k)
        if kt ~= "string" and kt ~= "number" then
          error("table_to_json: cannot encode a " .. kt .. " key", 0)
        end
        if not first then out[#out + 1] = "," end
        first = false
        out[#out + 1] = '"' .. gsub(kt == "number" and number(k) or k, '[%c"\\]', escape_char) .. '":'
        encode(x, out, depth + 1)
      end
      out[#out + 1] = "}"
    end
  else
    error("table_to_json: cannot encode a " .. kind, 0)
  end
end

return function(value)
  local out = {}
  encode(value, out, 0)
  return concat(out)
end
