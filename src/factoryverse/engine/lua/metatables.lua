-- script.register_metatable, in Lua: the registry must hold the metatables themselves (a call into Python would
-- copy them), and a save links tables in `storage` to them by name (engine/save/storage_codec.py).
-- Returns the method. One registry per state (this file runs once per state). The engine asks for the registry
-- by calling the method with a Python object, a userdata no mod can make.
local type, select, error, tostring = type, select, error, tostring
local by_name, names = {}, setmetatable({}, {__mode = "k"})

local function describe(v)
  return v == nil and "nil" or type(v)
end

return function(...)
  local n = select("#", ...)
  local name, metatable = ...
  if n == 1 and type(name) == "userdata" then return {by_name = by_name, names = names} end
  if n ~= 2 then
    error("Arguments count error for 'register_metatable': Expected 2 arguments but " .. n ..
      (n == 1 and " was" or " were") .. " given", 2)
  end
  if type(name) ~= "string" then
    error("Invalid argument #1 (name) to 'register_metatable': expected string, got " .. describe(name), 2)
  end
  if type(metatable) ~= "table" then
    error("Invalid argument #2 (metatable) to 'register_metatable': expected table, got " .. describe(metatable), 2)
  end
  local known = by_name[name]
  if known ~= nil and known ~= metatable then
    -- Names are unique per mod (LuaBootstrap::register_metatable); the wording is the engine's.
    error("The metatable name '" .. tostring(name) .. "' is already registered with another table", 2)
  end
  by_name[name] = metatable
  names[metatable] = name
end
