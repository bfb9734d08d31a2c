-- The `placement_hints` remote interface: each method declared once, checked by scripts/declare.lua, and
-- described by describe(). src/factoryverse/schemas/remote_interfaces.json mirrors these declarations (a test
-- compares them parameter by parameter).

local connections = require("scripts.connections")
local declare = require("scripts.declare")
local info = require("scripts.info")
local meta = require("scripts.meta")
local scan = require("scripts.scan")
local validation = require("scripts.validation")

---@class FvPlacementInterface
local M = {}

-- Area scans ask can_place_entity once per grid position (four times for water), so one call stays bounded.
local MAX_AREA_TILES = 4096

---@param default integer
---@return table
local function _max_results(default)
  return { name = "max_results", type = "integer", min = 1, max = 1000, default = default,
    doc = "stop after this many; `truncated` says whether more were found" }
end

local ENTITY = { name = "entity_name", type = "string", doc = "an entity prototype name" }
local POSITION = { name = "position", type = "position", doc = "{x, y} or {x=, y=}" }
local DIRECTION = { name = "direction", type = "direction", default = 0, doc = "defines.direction (0..15), default north" }
local AREA = { name = "area", type = "area", max_tiles = MAX_AREA_TILES,
  doc = "{left_top={x,y}, right_bottom={x,y}} or {{x,y},{x,y}}, at most " .. MAX_AREA_TILES .. " tiles" }

---@type table[]
M.DECLARATIONS = {
  {
    name = "version", params = {}, returns = "{interface, schema_version, mod_version}", errors = {},
    doc = "the interface's contract version and the mod's version",
    fn = function() return meta.version("placement_hints") end,
  },
  {
    name = "describe", params = {}, returns = "{interface, mod_version, methods: [declaration]}", errors = {},
    doc = "every method's declaration: parameters with types, defaults and bounds, returns, errors",
  },
  {
    name = "validate_placement", params = { ENTITY, POSITION, DIRECTION },
    returns = "{valid, entity_name, position, reason?: 'unknown_entity'|'blocked', blockers?: [{name, position}]}",
    errors = { "invalid_argument" },
    doc = "can the player force place the entity there on nauvis (LuaSurface.can_place_entity); when not, what is in the way",
    fn = validation.validate_placement,
  },
  {
    name = "validate_positions",
    params = { ENTITY, { name = "positions", type = "array", min = 1, max = 1000, items = { name = "position", type = "position" },
      doc = "1 to 1000 positions" }, DIRECTION },
    returns = "{entity_name, direction, results: [validate_placement's answer], valid_count}",
    errors = { "invalid_argument" },
    doc = "validate_placement for each position",
    fn = validation.validate_positions,
  },
  {
    name = "get_valid_placements",
    params = { ENTITY, AREA, { name = "options", type = "object", default = {}, doc = "{direction?, max_results?}",
      fields = { DIRECTION, _max_results(100) } } },
    returns = "{entity_name, direction, positions: [{x, y}], count, truncated}",
    errors = { "invalid_argument", "unknown_entity" },
    doc = "build-grid positions on the tiles the area touches where the entity can be placed",
    fn = scan.get_valid_placements,
  },
  {
    name = "get_resource_placements",
    params = { ENTITY, AREA, { name = "options", type = "object", default = {},
      doc = "{resource_name?, direction?, max_results?}",
      fields = { { name = "resource_name", type = "string", optional = true, doc = "only this resource (default: any the drill mines)" },
        DIRECTION, _max_results(50) } } },
    returns = "{entity_name, direction, mining_radius, placements: [{position, direction, tiles, resources: {name: amount}}], count, truncated}",
    errors = { "invalid_argument", "unknown_entity" },
    doc = "positions inside the area where the mining drill can stand with every tile of its mining area over ore it can mine",
    fn = scan.get_resource_placements,
  },
  {
    name = "get_water_placements",
    params = { ENTITY, AREA, { name = "options", type = "object", default = {}, doc = "{max_results?}",
      fields = { _max_results(50) } } },
    returns = "{entity_name, placements: [{position, direction}], count, truncated}",
    errors = { "invalid_argument", "unknown_entity" },
    doc = "positions and facings within two tiles of water where the entity (an offshore pump) can be placed",
    fn = scan.get_water_placements,
  },
  {
    name = "get_item_drop_connections",
    params = { ENTITY, POSITION, { name = "target_name", type = "string", doc = "what should receive the items, e.g. \"iron-chest\"" },
      { name = "options", type = "object", default = {}, doc = "{direction?, max_results?}",
        fields = { { name = "direction", type = "direction", optional = true,
          doc = "the source's facing when it is not built yet (default: all four)" }, _max_results(50) } } },
    returns = "{entity_name, position, built, target_name, connections: [{direction, drop_position, position, valid, occupied_by?}], count, truncated}",
    errors = { "invalid_argument", "unknown_entity" },
    doc = "where to put the target so it covers the source's drop position (a built drill's drop_position, else the prototype's vector_to_place_result)",
    fn = connections.get_item_drop_connections,
  },
  {
    name = "get_fluid_connections",
    params = { ENTITY, POSITION, { name = "target_name", type = "string", doc = "what to connect, e.g. \"pipe\"" },
      { name = "options", type = "object", default = {}, doc = "{direction?, target_direction?, max_results?}",
        fields = { { name = "direction", type = "direction", optional = true, doc = "the source's facing when it is not built yet (default north)" },
          { name = "target_direction", type = "direction", optional = true, doc = "only this facing of the target (default: all four)" },
          _max_results(50) } } },
    returns = "{entity_name, position, direction, built, target_name, connections: [{position, direction, valid, source_connection, target_connection}], count, truncated}",
    errors = { "invalid_argument", "unknown_entity" },
    doc = "where to put the target so one of its pipe connections meets one of the source's (fluid box connection definitions)",
    fn = connections.get_fluid_connections,
  },
  {
    name = "get_inserter_placements",
    params = { { name = "inserter_name", type = "string", doc = "an inserter prototype name" }, ENTITY, POSITION,
      { name = "options", type = "object", default = {}, doc = "{role?, max_results?}",
        fields = { { name = "role", type = "string", optional = true, enum = { "pickup", "drop" },
          doc = "pickup: the inserter takes from the entity; drop: it puts into it (default both)" }, _max_results(50) } } },
    returns = "{inserter_name, entity: {name, position}, placements: [{position, direction, role, pickup_position, drop_position, other_end?}], count, truncated}",
    errors = { "invalid_argument", "unknown_entity", "entity_not_found" },
    doc = "where an inserter can stand to take from or put into a built entity (the prototype's pickup and drop vectors)",
    fn = connections.get_inserter_placements,
  },
  {
    name = "get_pole_connections",
    params = { { name = "pole_name", type = "string", doc = "an electric pole prototype name" }, ENTITY, POSITION,
      { name = "options", type = "object", default = {}, doc = "{require_network?, max_results?}",
        fields = { { name = "require_network", type = "boolean", optional = true,
          doc = "only spots within wire reach of a built pole (default true)" }, _max_results(50) } } },
    returns = "{pole_name, entity: {name, position}, supply_area_distance, max_wire_distance, placements: [{position, connects_to: [{name, position, distance}]}], count, truncated}",
    errors = { "invalid_argument", "unknown_entity", "entity_not_found" },
    doc = "where a pole can stand to power a built entity (supply area) and join a network (wire reach)",
    fn = connections.get_pole_connections,
  },
  {
    name = "get_entity_output_info", params = { ENTITY, POSITION },
    returns = "{name, type, position, direction, drop_position?, drop_into?, mining_area?, mining_target?, pickup_position?, pickup_target?, drop_target?, fluid_outputs: [point]}",
    errors = { "invalid_argument", "unknown_entity", "entity_not_found" },
    doc = "what a built entity outputs and where, as the game reports it (drop_position, pickup_position, targets, fluid outputs)",
    fn = info.get_entity_output_info,
  },
  {
    name = "get_fluid_connection_points",
    params = { ENTITY, { name = "position", type = "position", optional = true, doc = "default: points relative to the entity's centre" }, DIRECTION },
    returns = "{entity_name, direction, relative, position?, points: [{fluidbox_index, production_type, connection_type, flow_direction, direction, position, target_position?, max_underground_distance?}], count}",
    errors = { "invalid_argument", "unknown_entity" },
    doc = "the entity's pipe connections facing that way, from its prototype's fluid box connection definitions",
    fn = info.get_fluid_connection_points,
  },
  {
    name = "get_entity_footprint",
    params = { ENTITY, { name = "position", type = "position", optional = true, doc = "default: boxes relative to the entity's centre" }, DIRECTION },
    returns = "{entity_name, type, direction, tile_width, tile_height, collision_box, selection_box, collision_layers, position?, tiles?: [{x, y}]}",
    errors = { "invalid_argument", "unknown_entity" },
    doc = "the entity's size and boxes facing that way, and with a position the tiles it covers",
    fn = info.get_entity_footprint,
  },
}

---@return table
function M.describe()
  local methods = {}
  for _, declaration in ipairs(M.DECLARATIONS) do methods[#methods + 1] = declare.describe(declaration) end
  return { interface = "placement_hints", mod_version = meta.MOD_VERSION, methods = methods }
end

function M.add_remote_interface()
  local functions = {}
  for _, declaration in ipairs(M.DECLARATIONS) do
    local fn = declaration.fn or (declaration.name == "describe" and M.describe)
    functions[declaration.name] = declare.wrap(declaration, fn)
  end
  remote.add_interface("placement_hints", functions)
end

return M
