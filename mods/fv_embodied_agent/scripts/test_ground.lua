-- The `test_ground` interface: shape a map for a scenario or a test (place resources, clear an area, set tiles).
-- Disabled with `admin` by the setting fv_embodied_agent-enable-admin.
local args = require("scripts.args")
local declared = require("scripts.declared")
local dev_switch = require("scripts.dev_switch")

---@class FvTestGround
local M = {}

M.DOC = "Scenario utilities: place resources, clear an area, set tiles; disabled with admin."

-- Largest area one call may change, so a call stays a bounded amount of work in one tick.
local _MAX_TILES = 4096

---@param area BoundingBox
---@return integer x0, integer y0, integer x1, integer y1 the tiles covered (inclusive)
local function _tiles(area)
  local x0, y0 = math.floor(area.left_top.x), math.floor(area.left_top.y)
  local x1, y1 = math.ceil(area.right_bottom.x) - 1, math.ceil(area.right_bottom.y) - 1
  local count = (x1 - x0 + 1) * (y1 - y0 + 1)
  if count > _MAX_TILES then
    args.fail("invalid_argument", "area covers " .. count .. " tiles; at most " .. _MAX_TILES .. " per call")
  end
  return x0, y0, x1, y1
end

---@param area BoundingBox
local function _generate(area)
  local surface = game.surfaces["nauvis"]
  local center = { x = (area.left_top.x + area.right_bottom.x) / 2, y = (area.left_top.y + area.right_bottom.y) / 2 }
  local radius = math.ceil(math.max(area.right_bottom.x - area.left_top.x, area.right_bottom.y - area.left_top.y) / 64) + 1
  surface.request_to_generate_chunks(center, radius)
  surface.force_generate_chunk_requests()
  return surface
end

---@param p {resource_name: string, area: BoundingBox, amount: integer}
---@return {placed: integer, resource: string}
local function _place_resources(p)
  local prototype = args.entity_prototype(p.resource_name, "resource_name")
  if prototype.type ~= "resource" then
    args.fail("invalid_argument", "resource_name: " .. prototype.name .. " is a " .. prototype.type .. ", not a resource")
  end
  local x0, y0, x1, y1 = _tiles(p.area)
  local surface = _generate(p.area)
  local placed = 0
  for y = y0, y1 do
    for x = x0, x1 do
      local position = { x = x + 0.5, y = y + 0.5 }
      local existing = surface.find_entities_filtered({ position = position, type = "resource" })
      for _, entity in pairs(existing) do entity.destroy() end
      if surface.create_entity({ name = prototype.name, position = position, amount = p.amount }) then
        placed = placed + 1
      end
    end
  end
  return { placed = placed, resource = prototype.name }
end

---@param p {area: BoundingBox, keep_resources: boolean}
---@return {removed: integer}
local function _clear_area(p)
  _tiles(p.area)
  local surface = _generate(p.area)
  local removed = 0
  for _, entity in pairs(surface.find_entities_filtered({ area = p.area })) do
    local keep = entity.type == "character" or (p.keep_resources and entity.type == "resource")
    if not keep and entity.valid then
      entity.destroy({ raise_destroy = true })
      removed = removed + 1
    end
  end
  return { removed = removed }
end

---@param p {tile_name: string, area: BoundingBox}
---@return {tiles: integer}
local function _set_tiles(p)
  local prototype = args.tile_prototype(p.tile_name)
  local x0, y0, x1, y1 = _tiles(p.area)
  local surface = _generate(p.area)
  local tiles = {}
  for y = y0, y1 do
    for x = x0, x1 do tiles[#tiles + 1] = { name = prototype.name, position = { x = x, y = y } } end
  end
  surface.set_tiles(tiles, true, true, true, true)
  return { tiles = #tiles }
end

local _AREA = { name = "area", type = "area", doc = "{left_top = {x, y}, right_bottom = {x, y}}, at most 4096 tiles" }

---@type FvMethod[]
M.METHODS = {
  {
    name = "place_resources", mutates = true, doc = "Put a resource on every tile of an area (replacing what was there).",
    params = { { name = "resource_name", type = "string", doc = "e.g. iron-ore" }, _AREA,
      { name = "amount", type = "integer", min = 1, max = 4294967295, default = 1000, doc = "units per tile" } },
    returns = "{placed, resource}", errors = { "disabled", "unknown_entity" },
    run = function(_, p) return _place_resources(p) end,
  },
  {
    name = "clear_area", mutates = true, doc = "Remove every entity but characters from an area.",
    params = { _AREA, { name = "keep_resources", type = "boolean", default = false, doc = "leave ore in place" } },
    returns = "{removed}", errors = { "disabled" },
    run = function(_, p) return _clear_area(p) end,
  },
  {
    name = "set_tiles", mutates = true, doc = "Set every tile of an area (entities in the way are removed).",
    params = { { name = "tile_name", type = "string", doc = "e.g. grass-1, water, concrete" }, _AREA },
    returns = "{tiles}", errors = { "disabled" },
    run = function(_, p) return _set_tiles(p) end,
  },
}

function M.add_remote_interface()
  remote.add_interface("test_ground", declared.interface("test_ground", M.DOC, M.METHODS, function() return nil end,
    dev_switch.guard("test_ground")))
end

return M
