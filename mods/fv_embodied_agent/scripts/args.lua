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

--- A prototype looked up by name in one of the `prototypes` tables; unknown names raise `code`.
---@param group string the `prototypes` table (entity, item, recipe, technology, tile)
---@param code string the error code for an unknown name
---@param name any
---@param where string the parameter's name, for the message
---@param example string a real name, for the message
---@return any
local function _prototype(group, code, name, where, example)
  local checked = M.string(name, where)
  local prototype = prototypes[group][checked]
  if not prototype then
    M.fail(code, where .. ": there is no " .. group .. " prototype named " .. M.describe(name)
      .. "; use a name from the game's prototypes, e.g. \"" .. example .. "\"")
  end
  return prototype
end

---@param name any
---@param where string|nil the parameter's name (default entity_name)
---@return LuaEntityPrototype
function M.entity_prototype(name, where)
  return _prototype("entity", "unknown_entity", name, where or "entity_name", "stone-furnace")
end

---@param name any
---@param where string|nil the parameter's name (default item_name)
---@return LuaItemPrototype
function M.item_prototype(name, where)
  return _prototype("item", "unknown_item", name, where or "item_name", "coal")
end

---@param name any
---@param where string|nil the parameter's name (default recipe_name)
---@return LuaRecipePrototype
function M.recipe_prototype(name, where)
  return _prototype("recipe", "unknown_recipe", name, where or "recipe_name", "iron-gear-wheel")
end

---@param name any
---@param where string|nil the parameter's name (default technology_name)
---@return LuaTechnologyPrototype
function M.technology_prototype(name, where)
  return _prototype("technology", "unknown_technology", name, where or "technology_name", "automation")
end

---@param name any
---@param where string|nil the parameter's name (default tile_name)
---@return LuaTilePrototype
function M.tile_prototype(name, where)
  return _prototype("tile", "invalid_argument", name, where or "tile_name", "grass-1")
end

--- Accept {left_top = pos, right_bottom = pos} and {pos, pos}; the corners must be ordered.
---@param value any
---@param name string
---@return BoundingBox
function M.area(value, name)
  if type(value) == "table" then
    local lt = value.left_top or value[1]
    local rb = value.right_bottom or value[2]
    if type(lt) == "table" and type(rb) == "table" then
      local a = M.position(lt, name .. ".left_top")
      local b = M.position(rb, name .. ".right_bottom")
      if a.x >= b.x or a.y >= b.y then
        M.fail("invalid_argument", name .. " must have left_top above and left of right_bottom, got "
          .. a.x .. "," .. a.y .. " and " .. b.x .. "," .. b.y)
      end
      return { left_top = a, right_bottom = b }
    end
  end
  M.fail("invalid_argument", name .. " must be an area {left_top = {x, y}, right_bottom = {x, y}}, got " .. M.describe(value))
end

return M
