"""Generate the mods' Lua copy of the wire schema (src/factoryverse/schemas/wire.schema.json).

Each mod that writes wire records gets its own generated ``scripts/wire_schema.lua`` because the mods do not
depend on each other. The generated module holds the schema's ``$defs`` and ``formats`` as a Lua table plus a
small validator for the JSON-Schema subset the wire schema uses. ``tests/mods/test_lua_static.py`` keeps the
generated files equal to this script's output.

Usage: ``python tools/gen_lua_schema.py`` (write) or ``python tools/gen_lua_schema.py --check`` (exit 1 if stale).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

__all__ = ["ROOT", "SCHEMA_PATH", "TARGETS", "SUPPORTED_KEYWORDS", "render_lua", "expected_outputs", "main"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "src" / "factoryverse" / "schemas" / "wire.schema.json"
TARGETS = (
    ROOT / "mods" / "fv_snapshot" / "scripts" / "wire_schema.lua",
    ROOT / "mods" / "fv_embodied_agent" / "scripts" / "wire_schema.lua",
)

# Keywords the Lua validator enforces; anything else in a definition would be silently ignored, so the
# generator refuses it instead of producing a validator weaker than the schema.
SUPPORTED_KEYWORDS = frozenset(
    {"type", "const", "enum", "required", "properties", "items", "minItems", "maxItems", "minimum", "maximum",
     "minLength", "maxLength", "$ref"}
)
# Prose only: dropped from the Lua copy to keep the mods small.
_DOC_KEYWORDS = frozenset({"description", "title"})

_LUA_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LUA_KEYWORDS = frozenset(
    "and break do else elseif end false for function goto if in local nil not or repeat return then true until "
    "while".split()
)

_VALIDATOR = r'''
---@param value any
---@return boolean
local function _is_array(value)
  local count = 0
  for key in pairs(value) do
    if type(key) ~= "number" or key < 1 or key % 1 ~= 0 then return false end
    count = count + 1
  end
  return count == #value
end

---@param value any
---@return boolean
local function _is_finite_number(value)
  -- NaN and the infinities have no JSON spelling, so they can never be valid wire numbers.
  return type(value) == "number" and value == value and value ~= math.huge and value ~= -math.huge
end

-- An empty Lua table is serialized by helpers.table_to_json as {}, as in the game, so it only counts as an object:
-- a record that needs an array there must carry at least one element.
local _TYPE_CHECKS = {
  object = function(v) return type(v) == "table" and (next(v) == nil or not _is_array(v)) end,
  array = function(v) return type(v) == "table" and next(v) ~= nil and _is_array(v) end,
  string = function(v) return type(v) == "string" end,
  boolean = function(v) return type(v) == "boolean" end,
  number = _is_finite_number,
  integer = function(v) return _is_finite_number(v) and v % 1 == 0 end,
}

---@param value any
---@return string
local function _describe(value)
  if type(value) ~= "table" then return type(value) end
  if next(value) == nil then return "an empty table (serialized as {})" end
  return _is_array(value) and "array" or "object"
end

local _check

---@param schema table
---@param value any
---@param path string
---@return string|nil error
local function _check_object(schema, value, path)
  if schema.required then
    for _, key in ipairs(schema.required) do
      if value[key] == nil then return path .. "." .. key .. " is required" end
    end
  end
  if schema.properties then
    for key, sub in pairs(schema.properties) do
      if value[key] ~= nil then
        local err = _check(sub, value[key], path .. "." .. key)
        if err then return err end
      end
    end
  end
  return nil
end

---@param schema table
---@param value any
---@param path string
---@return string|nil error
local function _check_array(schema, value, path)
  if schema.minItems and #value < schema.minItems then
    return path .. " needs at least " .. schema.minItems .. " items, has " .. #value
  end
  if schema.maxItems and #value > schema.maxItems then
    return path .. " allows at most " .. schema.maxItems .. " items, has " .. #value
  end
  if schema.items then
    for index, item in ipairs(value) do
      local err = _check(schema.items, item, path .. "[" .. index .. "]")
      if err then return err end
    end
  end
  return nil
end

---@param schema table
---@param value any
---@param path string
---@return string|nil error
_check = function(schema, value, path)
  if schema["$ref"] then
    local name = string.match(schema["$ref"], "^#/%$defs/(.+)$")
    local target = name and M.defs[name]
    if not target then return path .. ": unresolvable $ref " .. tostring(schema["$ref"]) end
    return _check(target, value, path)
  end
  if schema.type and not _TYPE_CHECKS[schema.type](value) then
    return path .. " must be of type " .. schema.type .. ", got " .. _describe(value)
  end
  if schema.const ~= nil and value ~= schema.const then
    return path .. " must be " .. tostring(schema.const) .. ", got " .. tostring(value)
  end
  if schema.enum then
    local found = false
    for _, allowed in ipairs(schema.enum) do
      if value == allowed then found = true break end
    end
    if not found then return path .. " = " .. tostring(value) .. " is not one of the allowed values" end
  end
  if type(value) == "number" then
    if schema.minimum and value < schema.minimum then return path .. " must be >= " .. schema.minimum end
    if schema.maximum and value > schema.maximum then return path .. " must be <= " .. schema.maximum end
  end
  if type(value) == "string" then
    -- Byte lengths: the wire's length-limited strings (run ids) are ASCII, where bytes and characters agree.
    if schema.minLength and #value < schema.minLength then
      return path .. " needs at least " .. schema.minLength .. " characters, has " .. #value
    end
    if schema.maxLength and #value > schema.maxLength then
      return path .. " allows at most " .. schema.maxLength .. " characters, has " .. #value
    end
  end
  if type(value) == "table" then
    if schema.type == "object" then return _check_object(schema, value, path) end
    if schema.type == "array" then return _check_array(schema, value, path) end
  end
  return nil
end

--- Check a record against one of the schema's definitions before it leaves the mod.
---@param def_name string a key of M.defs, e.g. "entity_built"
---@param record any
---@return boolean ok
---@return string|nil error what is wrong, with the path inside the record
function M.validate(def_name, record)
  local schema = M.defs[def_name]
  if not schema then return false, "unknown wire definition " .. tostring(def_name) end
  local err = _check(schema, record, def_name)
  return err == nil, err
end

return M
'''


def _lua_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)


def _lua_key(key: str) -> str:
    if _LUA_IDENTIFIER.match(key) and key not in _LUA_KEYWORDS:
        return key
    return "[" + _lua_string(key) + "]"


def _lua_value(value: object, indent: int) -> str:
    pad = "  " * indent
    inner = "  " * (indent + 1)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _lua_string(value)
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return "{" + ", ".join(_lua_value(item, 0) for item in value) + "}"
        return "{\n" + "".join(f"{inner}{_lua_value(item, indent + 1)},\n" for item in value) + pad + "}"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if len(value) <= 3 and all(not isinstance(v, (dict, list)) for v in value.values()):
            return "{" + ", ".join(f"{_lua_key(k)} = {_lua_value(v, 0)}" for k, v in value.items()) + "}"
        rows = "".join(f"{inner}{_lua_key(k)} = {_lua_value(v, indent + 1)},\n" for k, v in value.items())
        return "{\n" + rows + pad + "}"
    raise TypeError(f"cannot render {type(value).__name__} as Lua")


def _strip_and_check(node: object, where: str) -> object:
    """Drop prose keywords and refuse keywords the Lua validator would ignore."""
    if isinstance(node, list):
        return [_strip_and_check(item, where) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, object] = {}
    for key, value in node.items():
        if key in _DOC_KEYWORDS:
            continue
        if key not in SUPPORTED_KEYWORDS:
            raise ValueError(f"{where}: keyword {key!r} is not supported by the Lua validator; extend it first")
        if key == "properties":
            out[key] = {name: _strip_and_check(sub, f"{where}.{name}") for name, sub in value.items()}
        elif key == "items":
            out[key] = _strip_and_check(value, f"{where}[]")
        else:
            out[key] = value
    return out


def render_lua(schema: dict, source_name: str = "src/factoryverse/schemas/wire.schema.json") -> str:
    """Return the text of the generated Lua module for ``schema``."""
    defs = {name: _strip_and_check(body, name) for name, body in schema["$defs"].items()}
    header = (
        f"-- GENERATED by tools/gen_lua_schema.py from {source_name}. Do not edit by hand:\n"
        "-- change the JSON schema and run `python tools/gen_lua_schema.py`.\n"
        "-- Holds the wire definitions and a validator for the JSON-Schema subset they use.\n\n"
        "---@class WireSchema\n"
        "local M = {}\n\n"
    )
    body = (
        f"M.schema_version = {schema['schema_version']}\n\n"
        f"M.formats = {_lua_value(schema['formats'], 0)}\n\n"
        f"M.defs = {_lua_value(defs, 0)}\n"
    )
    return header + body + _VALIDATOR


def expected_outputs() -> dict[Path, str]:
    """Map every generated file to the text it must hold."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    text = render_lua(schema)
    return {target: text for target in TARGETS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is missing or stale")
    args = parser.parse_args(argv)
    stale = []
    for target, text in expected_outputs().items():
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    for target in stale:
        print(f"stale: {target.relative_to(ROOT)}; run python tools/gen_lua_schema.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
