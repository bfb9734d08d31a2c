-- Method declarations and the one validator every call of the `placement_hints` interface goes through.
-- A declaration is data (name, doc, params with types, defaults and bounds, returns, errors), so describe() can
-- hand it out as it is and src/factoryverse/schemas/remote_interfaces.json is checked against it by a test.
-- fv_embodied_agent has a declaration module of the same shape; this mod keeps its own copy so it works alone.

---@class FvHintsDeclare
local M = {}

-- Factorio's maps end one million tiles from the origin in every direction.
M.MAP_LIMIT = 1000000

--- Raise a typed error. Level 0 keeps Lua's file:line prefix out of the text the SDK parses.
---@param code string an error code from remote_interfaces.json
---@param message string what was wrong and what to do
function M.fail(code, message)
  error("[fv:" .. code .. "] " .. message, 0)
end

---@param value any
---@return string
function M.show(value)
  if type(value) == "string" then return string.format("%q", value) end
  if type(value) == "number" or type(value) == "boolean" or value == nil then return tostring(value) end
  return type(value)
end

---@param value any
---@return boolean
local function _is_finite(value)
  return type(value) == "number" and value == value and value ~= math.huge and value ~= -math.huge
end

---@param value any
---@param name string
---@return MapPosition
local function _position(value, name)
  if type(value) == "table" then
    local x, y = value.x, value.y
    if x == nil and y == nil then x, y = value[1], value[2] end
    if _is_finite(x) and _is_finite(y) then
      if math.abs(x) > M.MAP_LIMIT or math.abs(y) > M.MAP_LIMIT then
        M.fail("invalid_argument", name .. " (" .. x .. ", " .. y .. ") is outside the map; Factorio maps end "
          .. M.MAP_LIMIT .. " tiles from the origin")
      end
      return { x = x, y = y }
    end
  end
  M.fail("invalid_argument", name .. " must be a position {x=number, y=number}, got " .. M.show(value))
end

---@param value any
---@param name string
---@param param table the declaration, for max_tiles
---@return BoundingBox
local function _area(value, name, param)
  if type(value) ~= "table" then
    M.fail("invalid_argument", name .. " must be an area {left_top={x,y}, right_bottom={x,y}}, got " .. M.show(value))
  end
  local lt = _position(value.left_top or value[1], name .. ".left_top")
  local rb = _position(value.right_bottom or value[2], name .. ".right_bottom")
  if rb.x <= lt.x or rb.y <= lt.y then
    M.fail("invalid_argument", name .. " must have right_bottom below and right of left_top, got (" .. lt.x .. ", "
      .. lt.y .. ")-(" .. rb.x .. ", " .. rb.y .. ")")
  end
  local tiles = (math.ceil(rb.x) - math.floor(lt.x)) * (math.ceil(rb.y) - math.floor(lt.y))
  if param.max_tiles and tiles > param.max_tiles then
    M.fail("invalid_argument", name .. " covers " .. tiles .. " tiles; at most " .. param.max_tiles
      .. " per call, so split it")
  end
  return { left_top = lt, right_bottom = rb }
end

---@param value any
---@param name string
---@param param table
---@return number
local function _number(value, name, param)
  if not _is_finite(value) or (param.type == "integer" and value % 1 ~= 0) then
    M.fail("invalid_argument", name .. " must be " .. (param.type == "integer" and "an integer" or "a number")
      .. ", got " .. M.show(value))
  end
  if (param.min and value < param.min) or (param.max and value > param.max) then
    M.fail("invalid_argument", name .. " must be between " .. tostring(param.min or "-inf") .. " and "
      .. tostring(param.max or "inf") .. ", got " .. value)
  end
  return value
end

local _check

--- Each entry is checked as the declaration's `items`; `min`/`max` bound the count.
---@param value any
---@param name string
---@param param table
---@return any[]
local function _array(value, name, param)
  if type(value) ~= "table" then M.fail("invalid_argument", name .. " must be an array, got " .. M.show(value)) end
  local count = #value
  for key in pairs(value) do
    if type(key) ~= "number" or key % 1 ~= 0 or key < 1 or key > count then
      M.fail("invalid_argument", name .. " must be an array (keys 1..n), got key " .. M.show(key))
    end
  end
  if (param.min and count < param.min) or (param.max and count > param.max) then
    M.fail("invalid_argument", name .. " must hold " .. (param.min or 0) .. " to " .. (param.max or "any")
      .. " entries, got " .. count)
  end
  local out = {}
  for i = 1, count do out[i] = _check(value[i], name .. "[" .. i .. "]", param.items) end
  return out
end

--- A table of named fields, each declared like a parameter; an unknown key is refused rather than ignored.
---@param value any
---@param name string
---@param param table
---@return table
local function _object(value, name, param)
  if type(value) ~= "table" then M.fail("invalid_argument", name .. " must be a table, got " .. M.show(value)) end
  local known = {}
  for _, field in ipairs(param.fields or {}) do known[field.name] = field end
  for key in pairs(value) do
    if not known[key] then
      local names = {}
      for _, field in ipairs(param.fields or {}) do names[#names + 1] = field.name end
      M.fail("invalid_argument", name .. " has no field " .. M.show(key) .. "; it takes " .. table.concat(names, ", "))
    end
  end
  local out = {}
  for _, field in ipairs(param.fields or {}) do
    out[field.name] = _check(value[field.name], name .. "." .. field.name, field)
  end
  return out
end

---@param value any
---@param name string
---@param param table
---@return any
_check = function(value, name, param)
  if value == nil then
    -- A table default goes through the check too, so its own fields get their defaults.
    if type(param.default) == "table" then return _check({}, name, { type = param.type, fields = param.fields }) end
    if param.default ~= nil then return param.default end
    if param.optional then return nil end
    M.fail("invalid_argument", name .. " is required (" .. param.type .. ")")
  end
  local kind = param.type
  if kind == "string" then
    if type(value) ~= "string" or value == "" then
      M.fail("invalid_argument", name .. " must be a non-empty string, got " .. M.show(value))
    end
    if param.enum then
      for _, allowed in ipairs(param.enum) do if value == allowed then return value end end
      M.fail("invalid_argument", name .. " must be one of " .. table.concat(param.enum, ", ") .. ", got " .. M.show(value))
    end
    return value
  elseif kind == "boolean" then
    if type(value) ~= "boolean" then M.fail("invalid_argument", name .. " must be true or false, got " .. M.show(value)) end
    return value
  elseif kind == "integer" or kind == "number" then
    return _number(value, name, param)
  elseif kind == "direction" then
    -- defines.direction in Factorio 2.x: 16 directions, 0..15.
    return _number(value, name, { type = "integer", min = 0, max = 15 })
  elseif kind == "position" then
    return _position(value, name)
  elseif kind == "area" then
    return _area(value, name, param)
  elseif kind == "array" then
    return _array(value, name, param)
  elseif kind == "object" then
    return _object(value, name, param)
  end
  error("declaration of " .. name .. " has unknown type " .. tostring(kind))
end

--- The interface function for a declared method: checks every argument, then calls `fn` with the checked ones.
--- Two call forms: positional, and one table of named parameters (`{entity_name = ..., position = ...}`), told
--- apart by the first parameter, which is a name (a string) in every method of this interface.
---@param declaration table
---@param fn function
---@return function
function M.wrap(declaration, fn)
  local params = declaration.params
  return function(...)
    local given = { ... }
    local count = select("#", ...)
    if count == 1 and type(given[1]) == "table" and params[1] and params[1].type == "string" then
      local named = given[1]
      given = {}
      local known = {}
      for i, param in ipairs(params) do
        known[param.name] = true
        given[i] = named[param.name]
      end
      for key in pairs(named) do
        if not known[key] then
          M.fail("invalid_argument", declaration.name .. " has no parameter " .. M.show(key))
        end
      end
      count = #params
    end
    if count > #params then
      M.fail("invalid_argument", declaration.name .. " takes at most " .. #params .. " arguments, got " .. count)
    end
    local checked = {}
    for i, param in ipairs(params) do checked[i] = _check(given[i], param.name, param) end
    return fn(table.unpack(checked, 1, #params))
  end
end

--- The declaration as describe() gives it: plain data, safe to serialise.
---@param declaration table
---@return table
function M.describe(declaration)
  return {
    name = declaration.name,
    doc = declaration.doc,
    params = declaration.params,
    returns = declaration.returns,
    errors = declaration.errors,
  }
end

return M
