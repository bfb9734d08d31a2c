-- Argument checks for remote interface calls. Every failure raises "[fv:<code>] <message>" with a code from
-- src/factoryverse/schemas/remote_interfaces.json, which the SDK turns into a typed exception.

---@class FvArgs
local M = {}

--- Raise a typed error. Level 0 keeps Lua's file:line prefix out of the text the SDK parses.
---@param code string an error code from remote_interfaces.json
---@param message string what was wrong and what to do
function M.fail(code, message)
  error("[fv:" .. code .. "] " .. message, 0)
end

---@param value any
---@return string
function M.describe(value)
  if type(value) == "string" then return string.format("%q", value) end
  if type(value) == "number" or type(value) == "boolean" or value == nil then return tostring(value) end
  return type(value)
end

---@param value any
---@return boolean
local function _is_finite(value)
  return type(value) == "number" and value == value and value ~= math.huge and value ~= -math.huge
end

-- Factorio's maps end one million tiles from the origin in every direction.
local _MAP_LIMIT = 1000000

--- Accept both position spellings Factorio accepts ({x=, y=} and {x, y}) and return a fresh {x=, y=} table.
---@param value any
---@param name string the parameter's name, for the message
---@return MapPosition
function M.position(value, name)
  if type(value) == "table" then
    local x = value.x
    local y = value.y
    if x == nil and y == nil then
      x, y = value[1], value[2]
    end
    if _is_finite(x) and _is_finite(y) then
      if math.abs(x) > _MAP_LIMIT or math.abs(y) > _MAP_LIMIT then
        M.fail("invalid_argument", name .. " (" .. x .. ", " .. y .. ") is outside the map; Factorio maps end "
          .. _MAP_LIMIT .. " tiles from the origin")
      end
      return { x = x, y = y }
    end
  end
  M.fail("invalid_argument", name .. " must be a position {x=number, y=number}, got " .. M.describe(value))
end

---@param value any
---@param name string
---@return string
function M.string(value, name)
  if type(value) ~= "string" or value == "" then
    M.fail("invalid_argument", name .. " must be a non-empty string, got " .. M.describe(value))
  end
  return value
end

---@param value any
---@param name string
---@param min number|nil
---@param max number|nil
---@return integer
function M.integer(value, name, min, max)
  if not _is_finite(value) or value % 1 ~= 0 then
    M.fail("invalid_argument", name .. " must be an integer, got " .. M.describe(value))
  end
  if (min and value < min) or (max and value > max) then
    M.fail("invalid_argument", name .. " must be between " .. tostring(min or "-inf") .. " and "
      .. tostring(max or "inf") .. ", got " .. value)
  end
  return value
end

---@param value any
---@param name string
---@return number
function M.positive_number(value, name)
  if not _is_finite(value) or value <= 0 then
    M.fail("invalid_argument", name .. " must be a number > 0, got " .. M.describe(value))
  end
  return value
end

--- nil becomes an empty table so callers can index options without nil checks.
---@param value any
---@param name string
---@return table
function M.options(value, name)
  if value == nil then return {} end
  if type(value) ~= "table" then
    M.fail("invalid_argument", name .. " must be a table or nil, got " .. M.describe(value))
  end
  return value
end

--- Directions are defines.direction values: 0..15 in Factorio 2.x (16 directions).
---@param value any
---@param name string
---@return defines.direction
function M.direction(value, name)
  if value == nil then return defines.direction.north end
  return M.integer(value, name, 0, 15)
end

---@param name any
---@return LuaEntityPrototype
function M.entity_prototype(name)
  local checked = M.string(name, "entity_name")
  local prototype = prototypes.entity[checked]
  if not prototype then
    M.fail("unknown_entity", "there is no entity prototype named " .. M.describe(name)
      .. "; use a name from data.raw, e.g. \"stone-furnace\"")
  end
  return prototype
end

---@param name any
---@return LuaItemPrototype
function M.item_prototype(name)
  local checked = M.string(name, "item_name")
  local prototype = prototypes.item[checked]
  if not prototype then
    M.fail("unknown_item", "there is no item prototype named " .. M.describe(name)
      .. "; use a name from data.raw, e.g. \"coal\"")
  end
  return prototype
end

return M
