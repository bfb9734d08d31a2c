-- The one validator every call of the `map` interface goes through, driven by the methods' declarations (data:
-- name, doc, params with types, defaults and bounds, returns, errors), so what describe() hands out is exactly what
-- is checked. fv_embodied_agent (scripts/declared.lua) and fv_placement_hints (scripts/declare.lua) hold validators
-- of the same shape; this mod keeps its own, reduced to the parameter types `map` declares, so it works alone.

---@class FvSnapshotParam
---@field name string
---@field type "string"|"integer"|"number"|"boolean"|"object"
---@field doc string
---@field optional boolean|nil may be nil
---@field default any used when the caller passes nil
---@field min number|nil inclusive lower bound (numbers)
---@field max number|nil inclusive upper bound (numbers), or longest length (strings)
---@field enum string[]|nil allowed values (strings)
---@field pattern string|nil a Lua pattern the whole string must match (strings)
---@field fields FvSnapshotParam[]|nil the named fields of an object; other keys are refused

---@class FvSnapshotDeclare
local M = {}

--- Raise a typed error. Level 0 keeps Lua's file:line prefix out of the text the SDK parses.
---@param code string an error code from remote_interfaces.json
---@param message string what was wrong and what to do
function M.fail(code, message)
  error("[fv:" .. code .. "] " .. message, 0)
end

---@param value any
---@return string
local function _show(value)
  if type(value) == "string" then return string.format("%q", value) end
  if type(value) == "number" or type(value) == "boolean" or value == nil then return tostring(value) end
  return type(value)
end

---@param value any
---@param name string
---@param param FvSnapshotParam
---@return number
local function _number(value, name, param)
  local finite = type(value) == "number" and value == value and value ~= math.huge and value ~= -math.huge
  if not finite or (param.type == "integer" and value % 1 ~= 0) then
    M.fail("invalid_argument", name .. " must be " .. (param.type == "integer" and "an integer" or "a number")
      .. ", got " .. _show(value))
  end
  if (param.min and value < param.min) or (param.max and value > param.max) then
    M.fail("invalid_argument", name .. " must be between " .. tostring(param.min or "-inf") .. " and "
      .. tostring(param.max or "inf") .. ", got " .. value)
  end
  return value
end

---@param value any
---@param name string
---@param param FvSnapshotParam
---@return string
local function _string(value, name, param)
  if type(value) ~= "string" or value == "" then
    M.fail("invalid_argument", name .. " must be a non-empty string, got " .. _show(value))
  end
  if param.max and #value > param.max then
    M.fail("invalid_argument", name .. " must be at most " .. param.max .. " characters, got " .. #value)
  end
  if param.pattern and not value:match(param.pattern) then
    M.fail("invalid_argument", name .. " must match the Lua pattern " .. param.pattern .. " (" .. param.doc
      .. "), got " .. _show(value))
  end
  if param.enum then
    for _, allowed in ipairs(param.enum) do if value == allowed then return value end end
    M.fail("invalid_argument", name .. " must be one of " .. table.concat(param.enum, ", ") .. ", got " .. _show(value))
  end
  return value
end

local _check

--- A table of named fields, each declared like a parameter; an unknown key is refused rather than ignored.
---@param value any
---@param name string
---@param param FvSnapshotParam
---@return table
local function _object(value, name, param)
  if type(value) ~= "table" then M.fail("invalid_argument", name .. " must be a table, got " .. _show(value)) end
  local known = {}
  for _, field in ipairs(param.fields or {}) do known[field.name] = field end
  for key in pairs(value) do
    if not known[key] then
      local names = {}
      for _, field in ipairs(param.fields or {}) do names[#names + 1] = field.name end
      M.fail("invalid_argument", name .. " has no field " .. _show(key) .. "; it takes " .. table.concat(names, ", "))
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
---@param param FvSnapshotParam
---@return any
_check = function(value, name, param)
  if value == nil then
    if type(param.default) == "table" then return _check({}, name, { type = param.type, fields = param.fields }) end
    if param.default ~= nil then return param.default end
    if param.optional then return nil end
    M.fail("invalid_argument", name .. " is required (" .. param.type .. ")")
  end
  local kind = param.type
  if kind == "string" then return _string(value, name, param) end
  if kind == "integer" or kind == "number" then return _number(value, name, param) end
  if kind == "object" then return _object(value, name, param) end
  if kind == "boolean" then
    if type(value) ~= "boolean" then M.fail("invalid_argument", name .. " must be true or false, got " .. _show(value)) end
    return value
  end
  error("declaration of " .. name .. " has unknown type " .. tostring(kind))
end

--- The interface function for a declared method: checks every argument before `fn` runs (so a refused call changes
--- nothing), then calls `fn` with the checked ones. Every parameter `map` declares is positional; a method whose one
--- parameter is an object takes that object as its single table argument.
---@param declaration table
---@param fn function
---@return function
function M.wrap(declaration, fn)
  local params = declaration.params
  return function(...)
    local count = select("#", ...)
    if count > #params then
      M.fail("invalid_argument", declaration.name .. " takes at most " .. #params .. " arguments, got " .. count)
    end
    local given, checked = { ... }, {}
    for i, param in ipairs(params) do checked[i] = _check(given[i], param.name, param) end
    return fn(table.unpack(checked, 1, #params))
  end
end

--- The declaration as describe() gives it: plain data, safe to serialise.
---@param declaration table
---@return table
function M.describe(declaration)
  return { name = declaration.name, doc = declaration.doc, params = declaration.params,
    returns = declaration.returns, errors = declaration.errors }
end

return M
