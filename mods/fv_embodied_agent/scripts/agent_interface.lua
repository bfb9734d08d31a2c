-- The per-agent remote interface `agent_<id>`: one interface per agent so a caller cannot act for another.
local args = require("scripts.args")
local inspect = require("scripts.actions.inspect")
local inventory = require("scripts.actions.inventory")
local meta = require("scripts.meta")
local notify = require("scripts.notify")
local mining = require("scripts.actions.mining")
local placement = require("scripts.actions.placement")
local registry = require("scripts.registry")
local walking = require("scripts.actions.walking")

---@class FvAgentInterface
local M = {}

--- The interface's functions. Each call looks the agent up again, so nothing stale outlives a save/load.
---@param agent_id integer
---@return table<string, function>
function M.build(agent_id)
  local interface_name = registry.interface_name(agent_id)
  return {
    version = function()
      return meta.version(interface_name)
    end,
    ---@param position MapPosition
    ---@param options {radius?: number}|nil
    walk_to = function(position, options)
      return walking.start(registry.get(agent_id), position, options)
    end,
    ---@param resource_name string
    ---@param max_count integer|nil
    ---@param position MapPosition|nil
    mine_resource = function(resource_name, max_count, position)
      return mining.start(registry.get(agent_id), resource_name, max_count, position)
    end,
    ---@param entity_name string
    ---@param position MapPosition
    ---@param direction defines.direction|nil
    place_entity = function(entity_name, position, direction)
      return placement.place(registry.get(agent_id), entity_name, position, direction)
    end,
    ---@param entity_name string
    ---@param position MapPosition
    pickup_entity = function(entity_name, position)
      return placement.pickup(registry.get(agent_id), entity_name, position)
    end,
    ---@param item_name string
    ---@param count integer
    ---@param entity_name string
    ---@param position MapPosition
    ---@param inventory_kind "fuel"|"input"|"output"|"chest"|nil
    put_inventory_item = function(item_name, count, entity_name, position, inventory_kind)
      return inventory.put(registry.get(agent_id), item_name, count, entity_name, position, inventory_kind)
    end,
    ---@param item_name string
    ---@param count integer
    ---@param entity_name string
    ---@param position MapPosition
    ---@param inventory_kind "fuel"|"input"|"output"|"chest"|nil
    take_inventory_item = function(item_name, count, entity_name, position, inventory_kind)
      return inventory.take(registry.get(agent_id), item_name, count, entity_name, position, inventory_kind)
    end,
    get_inventory_items = function()
      return inventory.items(registry.get(agent_id))
    end,
    inspect = function()
      return inspect.agent(registry.get(agent_id))
    end,
    --- For a client whose UDP completion did not arrive: the outcome from the agent's completion log.
    ---@param action_id integer
    get_action_result = function(action_id)
      local agent = registry.get(agent_id)
      return notify.result(agent, args.integer(action_id, "action_id", 1))
    end,
    ---@param entity_name string
    ---@param position MapPosition
    inspect_entity = function(entity_name, position)
      return inspect.entity(registry.get(agent_id), entity_name, position)
    end,
  }
end

--- Register agent_<id>. Called at creation and again from on_load, because remote interfaces live in the Lua
--- state and are not saved.
---@param agent_id integer
function M.register(agent_id)
  local name = registry.interface_name(agent_id)
  if not remote.interfaces[name] then
    remote.add_interface(name, M.build(agent_id))
  end
end

---@param agent_id integer
function M.unregister(agent_id)
  remote.remove_interface(registry.interface_name(agent_id))
end

return M
