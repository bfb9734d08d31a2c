-- Remote methods declared once: name, parameters (types, defaults, bounds), async or not, what they return, their
-- errors and a one-line doc. One validator checks every call against the declaration, both call forms included
-- (positional, or one table of named parameters as in `remote.call("agent_1", "mine_resource",
-- {resource_name = "iron-ore", max_count = 25})`), and `describe()` hands the declaration to the SDK, the docs and
-- tools/gen_remote_interfaces.py, which writes src/factoryverse/schemas/remote_interfaces.json from it.
local args = require("scripts.args")
local meta = require("scripts.meta")

---@class FvParam
---@field name string
---@field type "string"|"integer"|"number"|"boolean"|"position"|"area"|"object"|"array"|"map"
---@field doc string
---@field optional boolean|nil may be nil (always true when a default is given)
---@field default any used when the caller passes nil
---@field min number|nil inclusive lower bound (numbers), or minimum length (arrays)
---@field max number|nil inclusive upper bound (numbers), or maximum length (arrays)
---@field above number|nil exclusive lower bound (numbers)
---@field enum string[]|nil allowed values (strings)
---@field fields FvParam[]|nil the named fields of an object; other keys are refused
---@field items FvParam|nil what each element of an array is
---@field values FvParam|nil what each value of a map (string keys) is

---@class FvMethod
---@field name string
---@field doc string
---@field params FvParam[]
---@field returns string
---@field errors string[] error codes the method raises besides invalid_argument
---@field async boolean|nil returns an action id at once; the outcome arrives as an action_completed UDP message
---@field mutates boolean|nil changes the game; the result then carries the snapshot `seq` it caused
---@field run fun(context: any, p: table): any the implementation, given validated parameters by name

---@class FvDeclared
local M = {}

local _SCALARS = { string = true, integer = true, number = true, boolean = true }

---@param value any
---@return boolean
local function _finite(value)
  return type(value) == "number" and value == value and value ~= math.huge and value ~= -math.huge
end

---@param param FvParam
---@return string
local function _expected(param)
  local t = param.type
  if t == "integer" or t == "number" then
    local text = t == "integer" and "an integer" or "a number"
    if param.above ~= nil then text = text .. " > " .. param.above end
    if param.min ~= nil and param.max ~= nil then return text .. " between " .. param.min .. " and " .. param.max end
    if param.min ~= nil then return text .. " >= " .. param.min end
    if param.max ~= nil then return text .. " <= " .. param.max end
    return text
  end
  if t == "string" then
    if param.enum then return "one of " .. table.concat(param.enum, ", ") end
    return "a non-empty string"
  end
  if t == "boolean" then return "true or false" end
  if t == "position" then return "a position {x = number, y = number}" end
  if t == "area" then return "an area {left_top = {x, y}, right_bottom = {x, y}}" end
  if t == "array" then return "an array" end
  if t == "map" then return "a table {name = value}" end
  local names = {}
  for _, field in ipairs(param.fields or {}) do names[#names + 1] = field.name end
  return "a table with the fields " .. (#names > 0 and table.concat(names, ", ") or "(none)")
end

---@param where string
---@param param FvParam
---@param value any
local function _refuse(where, param, value)
  args.fail("invalid_argument", where .. " must be " .. _expected(param) .. ", got " .. args.describe(value))
end

local _check

--- Check one value against its declaration; returns the value as the implementation should see it.
---@param where string the parameter's name as the caller wrote it (e.g. "options.radius")
---@param param FvParam
---@param value any
---@return any
_check = function(where, param, value)
  if value == nil then
    -- A table default is built afresh on each call (its fields' defaults applied), so no call shares it.
    if type(param.default) == "table" then return _check(where, param, {}) end
    if param.default ~= nil then return param.default end
    if param.optional then return nil end
    args.fail("invalid_argument", where .. " is required: " .. _expected(param))
  end
  local t = param.type
  if t == "string" then
    if type(value) ~= "string" or value == "" then _refuse(where, param, value) end
    if param.enum then
      for _, allowed in ipairs(param.enum) do
        if value == allowed then return value end
      end
      _refuse(where, param, value)
    end
    return value
  end
  if t == "integer" or t == "number" then
    if not _finite(value) or (t == "integer" and value % 1 ~= 0) then _refuse(where, param, value) end
    if (param.min ~= nil and value < param.min) or (param.max ~= nil and value > param.max)
      or (param.above ~= nil and value <= param.above) then
      _refuse(where, param, value)
    end
    return value
  end
  if t == "boolean" then
    if type(value) ~= "boolean" then _refuse(where, param, value) end
    return value
  end
  if t == "position" then return args.position(value, where) end
  if t == "area" then return args.area(value, where) end
  if type(value) ~= "table" then _refuse(where, param, value) end
  if t == "array" then
    local count = 0
    for key in pairs(value) do
      if type(key) ~= "number" then _refuse(where, param, value) end
      count = count + 1
    end
    if count ~= #value then _refuse(where, param, value) end
    if (param.min and count < param.min) or (param.max and count > param.max) then
      args.fail("invalid_argument", where .. " must hold " .. (param.min or 0) .. " to " .. (param.max or "any number of")
        .. " elements, got " .. count)
    end
    local out = {}
    for index, element in ipairs(value) do
      out[index] = param.items and _check(where .. "[" .. index .. "]", param.items, element) or element
    end
    return out
  end
  if t == "map" then
    local out = {}
    local count = 0
    for key, element in pairs(value) do
      if type(key) ~= "string" then
        args.fail("invalid_argument", where .. " must be " .. _expected(param) .. " with string keys, got the key "
          .. args.describe(key))
      end
      out[key] = param.values and _check(where .. "[" .. key .. "]", param.values, element) or element
      count = count + 1
    end
    if param.min and count < param.min then
      args.fail("invalid_argument", where .. " must hold at least " .. param.min .. " entries, got " .. count)
    end
    return out
  end
  -- object
  local known = {}
  for _, field in ipairs(param.fields or {}) do known[field.name] = field end
  for key in pairs(value) do
    if not known[key] then
      args.fail("invalid_argument", where .. " has no field " .. args.describe(key) .. "; it takes "
        .. _expected(param):gsub("^a table with the fields ", ""))
    end
  end
  local out = {}
  for _, field in ipairs(param.fields or {}) do
    out[field.name] = _check(where .. "." .. field.name, field, value[field.name])
  end
  return out
end

--- Whether a value can be mistaken for a table of named parameters: a table whose keys include a parameter name.
---@param method FvMethod
---@param value any
---@return boolean
local function _is_named_table(method, value)
  if type(value) ~= "table" then return false end
  local first = method.params[1]
  if first == nil then return next(value) ~= nil end
  if _SCALARS[first.type] then return true end
  for _, param in ipairs(method.params) do
    if value[param.name] ~= nil then return true end
  end
  return false
end

---@param method FvMethod
---@return string
local function _param_names(method)
  local names = {}
  for _, param in ipairs(method.params) do names[#names + 1] = param.name end
  return #names > 0 and table.concat(names, ", ") or "no parameters"
end

--- The call's parameters by name, checked; raises invalid_argument naming the first wrong one.
---@param method FvMethod
---@param n integer how many arguments the caller passed
---@param raw table the arguments, positionally
---@return table
function M.bind(method, n, raw)
  local params = method.params
  local given = {}
  if n == 1 and _is_named_table(method, raw[1]) then
    for key in pairs(raw[1]) do
      local found = false
      for _, param in ipairs(params) do
        if param.name == key then found = true end
      end
      if not found then
        args.fail("invalid_argument", method.name .. " has no parameter " .. args.describe(key) .. "; its parameters are "
          .. _param_names(method))
      end
    end
    given = raw[1]
  else
    if n > #params then
      args.fail("invalid_argument", method.name .. " takes at most " .. #params .. " parameters (" .. _param_names(method)
        .. "), got " .. n)
    end
    for index, param in ipairs(params) do given[param.name] = raw[index] end
  end
  local bound = {}
  for _, param in ipairs(params) do
    bound[param.name] = _check(param.name, param, given[param.name])
  end
  return bound
end

--- The last seq fv_snapshot has emitted, when that mod is present and writing; nil otherwise.
---@return integer|nil
local function _snapshot_seq()
  local map = remote.interfaces["map"]
  if not (map and map["get_snapshot_status"]) then return nil end
  local status = remote.call("map", "get_snapshot_status")
  if status.phase == "waiting" then return nil end
  return status.seq
end
M.snapshot_seq = _snapshot_seq

--- Run a mutation and add `seq` (the last snapshot delta it caused) to its result when it caused any.
---@param method FvMethod
---@param context any
---@param bound table
---@return any
local function _run(method, context, bound)
  if not method.mutates then return method.run(context, bound) end
  local before = _snapshot_seq()
  local result = method.run(context, bound)
  local after = _snapshot_seq()
  if type(result) == "table" and after ~= nil and after ~= before then
    result.seq = after
  end
  return result
end

---@param method FvMethod
---@return table
local function _describe_method(method)
  ---@param param FvParam
  local function param_view(param)
    local view = {
      name = param.name, type = param.type, doc = param.doc, default = param.default,
      optional = (param.optional or param.default ~= nil) or nil,
      min = param.min, max = param.max, above = param.above, enum = param.enum,
    }
    if param.fields then
      view.fields = {}
      for index, field in ipairs(param.fields) do view.fields[index] = param_view(field) end
    end
    if param.items then view.items = param_view(param.items) end
    if param.values then view.values = param_view(param.values) end
    return view
  end
  local params = {}
  for index, param in ipairs(method.params) do params[index] = param_view(param) end
  -- Any declared method refuses bad arguments (or arguments to a method without parameters) this way.
  local errors = { "invalid_argument" }
  for _, code in ipairs(method.errors) do errors[#errors + 1] = code end
  return {
    name = method.name, doc = method.doc, params = params, returns = method.returns,
    errors = method.run and errors or method.errors, async = method.async or false, mutates = method.mutates or false,
  }
end

local _VERSION = {
  name = "version", doc = "This interface's name, contract version and mod version.", params = {},
  returns = "{interface, schema_version, mod_version}", errors = {},
}
local _DESCRIBE = {
  name = "describe", doc = "The declaration of every method of this interface, as remote_interfaces.json has it.",
  params = {}, returns = "{interface, mod, doc, methods: [{name, doc, params, returns, errors, async, mutates}]}",
  errors = {},
}

--- Check that declarations are well formed; a mistake here is a bug of this mod, found when it loads.
---@param interface string
---@param methods FvMethod[]
local function _validate_declarations(interface, methods)
  local seen = {}
  for _, method in ipairs(methods) do
    assert(type(method.name) == "string" and method.doc and method.returns and method.errors,
      interface .. ": a method lacks name, doc, returns or errors")
    assert(not seen[method.name], interface .. "." .. method.name .. " is declared twice")
    seen[method.name] = true
    local names = {}
    for _, param in ipairs(method.params) do
      assert(param.doc and param.type, interface .. "." .. method.name .. "." .. tostring(param.name) .. " lacks doc or type")
      names[param.name] = true
    end
    -- A first parameter that is an object with a field named like a parameter would make the call forms ambiguous.
    local first = method.params[1]
    for _, field in ipairs(first and first.fields or {}) do
      assert(not names[field.name], interface .. "." .. method.name .. ": field " .. field.name .. " shadows a parameter")
    end
  end
end

--- The functions table for remote.add_interface: version(), describe() and every declared method.
---@param interface string the interface's name as registered (e.g. "agent_3")
---@param doc string one line about the interface
---@param methods FvMethod[]
---@param context_of fun(): any looked up on every call (e.g. the agent), so nothing stale survives a save/load
---@param guard (fun(method: FvMethod))|nil runs before validation (e.g. refuse while a setting disables the interface)
---@return table<string, function>
function M.interface(interface, doc, methods, context_of, guard)
  _validate_declarations(interface, methods)
  local functions = {
    version = function() return meta.version(interface) end,
    describe = function() return M.describe(interface, doc, methods) end,
  }
  for _, method in ipairs(methods) do
    ---@param ... any the caller's arguments
    functions[method.name] = function(...)
      if guard then guard(method) end
      local bound = M.bind(method, select("#", ...), { ... })
      return _run(method, context_of(), bound)
    end
  end
  return functions
end

--- The declaration of an interface, with version() and describe() first.
---@param interface string
---@param doc string
---@param methods FvMethod[]
---@return table
function M.describe(interface, doc, methods)
  local list = { _describe_method(_VERSION), _describe_method(_DESCRIBE) }
  for _, method in ipairs(methods) do list[#list + 1] = _describe_method(method) end
  return { interface = interface, mod = meta.MOD_NAME, doc = doc, schema_version = meta.INTERFACE_SCHEMA_VERSION,
    methods = list }
end

return M
