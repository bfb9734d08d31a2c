-- Hand crafting through the character's own crafting queue (LuaControl.begin_crafting, cancel_crafting,
-- crafting_queue, get_craftable_count). The game crafts; this module keeps one action per craft_enqueue call and
-- tells when its crafts are done by reading the queue: crafts of one recipe finish in the order they were queued,
-- so the crafts of a recipe still in the queue belong to that recipe's latest actions.
local args = require("scripts.args")
local notify = require("scripts.notify")
local registry = require("scripts.registry")
local ticker = require("scripts.ticker")

---@class FvCraftAction
---@field action_id integer
---@field recipe string
---@field count integer crafts asked for (less after craft_dequeue)
---@field remaining integer crafts still in the queue

---@class FvCrafting
local M = {}

--- Crafts per recipe still in the character's queue, the intermediates it queued by itself left out.
---@param character LuaEntity
---@return table<string, integer>
local function _queued(character)
  local totals = {}
  for _, entry in pairs(character.crafting_queue or {}) do
    if not entry.prerequisite then
      totals[entry.recipe] = (totals[entry.recipe] or 0) + entry.count
    end
  end
  return totals
end

--- Share each recipe's queued crafts among its actions, newest first; return the actions that are done.
---@param agent FvAgent
---@return FvCraftAction[]
local function _account(agent)
  local left = _queued(agent.character)
  local done = {}
  local crafts = agent.crafts or {}
  for index = #crafts, 1, -1 do
    local action = crafts[index]
    local mine = math.min(action.count, left[action.recipe] or 0)
    left[action.recipe] = (left[action.recipe] or 0) - mine
    action.remaining = mine
  end
  local kept = {}
  for _, action in ipairs(crafts) do
    if action.remaining == 0 then done[#done + 1] = action else kept[#kept + 1] = action end
  end
  -- An agent that never crafted keeps no list, so a refused call leaves its storage as it was.
  if agent.crafts ~= nil then agent.crafts = kept end
  return done
end

---@param agent FvAgent
---@param action FvCraftAction
---@param success boolean
---@param err string|nil
local function _report(agent, action, success, err)
  notify.action_completed(agent, action.action_id, "craft_enqueue", success,
    { recipe = action.recipe, count = action.count - action.remaining }, err)
end

--- Report the actions whose crafts are all done.
---@param agent FvAgent
local function _settle(agent)
  for _, action in ipairs(_account(agent)) do _report(agent, action, true, nil) end
end

--- Queue crafts; completion arrives once the crafted items are in the main inventory.
---@param agent FvAgent
---@param p {recipe_name: string, count: integer}
---@return {action_id: integer, action: string, recipe: string, count: integer}
function M.enqueue(agent, p)
  local recipe = args.recipe_prototype(p.recipe_name)
  local character = agent.character
  local enabled = character.force.recipes[recipe.name]
  if not (enabled and enabled.enabled) then
    args.fail("invalid_state", "recipe_name: " .. recipe.name .. " is not enabled for the agent's force yet; "
      .. "research the technology that unlocks it first")
  end
  _settle(agent)
  local craftable = character.get_craftable_count(recipe.name)
  if craftable > 0 and craftable < p.count then
    args.fail("not_in_inventory", "the agent's inventory holds ingredients for " .. craftable .. " " .. recipe.name
      .. ", not " .. p.count .. "; nothing was queued")
  end
  -- With nothing craftable the game is still asked, so its own refusal (e.g. a recipe hands cannot make) comes back.
  local ok, started = pcall(character.begin_crafting, { recipe = recipe.name, count = p.count, silent = true })
  if not ok then
    args.fail("game_refused", "the game refused to craft " .. recipe.name .. ": " .. tostring(started))
  end
  if started == 0 then
    args.fail("not_in_inventory", "the agent's inventory lacks the ingredients for " .. recipe.name
      .. "; get_recipes shows what is craftable now")
  end
  agent.crafts = agent.crafts or {}
  local action = { action_id = registry.next_action_id(), recipe = recipe.name, count = started, remaining = started }
  agent.crafts[#agent.crafts + 1] = action
  ticker.wake()
  return { action_id = action.action_id, action = "craft_enqueue", recipe = recipe.name, count = started }
end

--- Take crafts of a recipe out of the queue, newest first; actions left with none report cancelled.
---@param agent FvAgent
---@param p {recipe_name: string, count: integer|nil}
---@return {recipe: string, cancelled: integer}
function M.dequeue(agent, p)
  local recipe = args.recipe_prototype(p.recipe_name)
  local character = agent.character
  _settle(agent)
  local queued = _queued(character)[recipe.name] or 0
  if queued == 0 then
    args.fail("invalid_state", "recipe_name: no " .. recipe.name .. " crafts are in the agent's queue; "
      .. "get_crafting_queue shows what is")
  end
  local wanted = math.min(p.count or queued, queued)
  local left = wanted
  local queue = character.crafting_queue or {}
  for index = #queue, 1, -1 do
    local entry = queue[index]
    if left > 0 and entry.recipe == recipe.name and not entry.prerequisite then
      local take = math.min(left, entry.count)
      character.cancel_crafting({ index = entry.index, count = take })
      left = left - take
    end
  end
  local cancelled = wanted - left
  local still = cancelled
  local crafts = agent.crafts or {}
  for index = #crafts, 1, -1 do
    local action = crafts[index]
    if still > 0 and action.recipe == recipe.name then
      local take = math.min(still, action.remaining)
      action.count = action.count - take
      action.remaining = action.remaining - take
      still = still - take
    end
  end
  local kept = {}
  for _, action in ipairs(crafts) do
    if action.count == 0 then
      _report(agent, action, false, "[fv:cancelled] craft_dequeue took every craft of this action out of the queue")
    else
      kept[#kept + 1] = action
    end
  end
  agent.crafts = kept
  return { recipe = recipe.name, cancelled = cancelled }
end

---@param agent FvAgent
---@return {recipe: string, count: integer, prerequisite: boolean}[]
function M.queue(agent)
  local out = {}
  for _, entry in pairs(agent.character.crafting_queue or {}) do
    out[#out + 1] = { recipe = entry.recipe, count = entry.count, prerequisite = entry.prerequisite }
  end
  return { entries = out, progress = agent.character.crafting_queue_progress, size = #out }
end

--- The recipes the agent may hand-craft, and how many of each its inventory allows right now.
---@param agent FvAgent
---@param p {craftable_only: boolean}
---@return table[]
function M.recipes(agent, p)
  local character = agent.character
  local categories = character.prototype.crafting_categories or {}
  -- has_category, not category: 2.1 replaced LuaRecipe.category by categories, and only has_category is in both.
  ---@param recipe LuaRecipe
  local function by_hand(recipe)
    for category in pairs(categories) do
      if recipe.has_category(category) then return true end
    end
    return false
  end
  local out = {}
  for name, recipe in pairs(character.force.recipes) do
    if recipe.enabled and by_hand(recipe) then
      local craftable = character.get_craftable_count(name)
      if craftable > 0 or not p.craftable_only then
        local ingredients = {}
        for _, ingredient in pairs(recipe.ingredients) do
          ingredients[#ingredients + 1] = { name = ingredient.name, amount = ingredient.amount, type = ingredient.type }
        end
        local products = {}
        for _, product in pairs(recipe.products) do
          products[#products + 1] = { name = product.name, amount = product.amount, type = product.type }
        end
        out[#out + 1] = { name = name, craftable = craftable, energy = recipe.energy, ingredients = ingredients,
          products = products }
      end
    end
  end
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

---@param _ EventData.on_tick
local function _on_tick(_)
  for _, agent in pairs(storage.agents) do
    if agent.crafts and #agent.crafts > 0 then
      if not agent.character.valid then
        for _, action in ipairs(agent.crafts) do
          _report(agent, action, false, "[fv:unknown_agent] agent " .. agent.id .. "'s character no longer exists")
        end
        agent.crafts = {}
      else
        _settle(agent)
      end
    end
  end
end

---@return boolean
local function _has_work()
  for _, agent in pairs(storage.agents) do
    if agent.crafts and #agent.crafts > 0 then return true end
  end
  return false
end

ticker.add("crafting", { has_work = _has_work, on_tick = _on_tick })

---@param agent FvAgent
---@param action_id integer
---@return table|nil
function M.progress(agent, action_id)
  for _, action in ipairs(agent.crafts or {}) do
    if action.action_id == action_id then
      return { action = "craft_enqueue", recipe = action.recipe, count = action.count,
        crafted = action.count - action.remaining, remaining = action.remaining }
    end
  end
  return nil
end

---@type FvMethod[]
M.methods = {
  {
    name = "craft_enqueue", async = true, mutates = true,
    doc = "Queue hand crafts of a recipe in the character's crafting queue (intermediates are queued by the game).",
    params = {
      { name = "recipe_name", type = "string", doc = "the recipe, e.g. iron-gear-wheel" },
      { name = "count", type = "integer", min = 1, max = 1000, default = 1, doc = "how many crafts" },
    },
    returns = "{action_id, action = 'craft_enqueue', recipe, count}; completion over UDP: result {recipe, count}",
    errors = { "unknown_recipe", "invalid_state", "not_in_inventory", "game_refused", "cancelled" },
    run = M.enqueue,
  },
  {
    name = "craft_dequeue", mutates = true,
    doc = "Take queued crafts of a recipe out of the queue, newest first; ingredients return to the inventory.",
    params = {
      { name = "recipe_name", type = "string", doc = "the recipe" },
      { name = "count", type = "integer", min = 1, optional = true, doc = "how many; omitted: all queued" },
    },
    returns = "{recipe, cancelled}", errors = { "unknown_recipe", "invalid_state" },
    run = M.dequeue,
  },
  {
    name = "get_crafting_queue", doc = "The character's crafting queue and the progress of its first craft.",
    params = {}, returns = "{entries: [{recipe, count, prerequisite}], progress, size}", errors = {},
    run = M.queue,
  },
  {
    name = "get_recipes", doc = "Enabled hand-craftable recipes, with how many the inventory allows now.",
    params = { { name = "craftable_only", type = "boolean", default = false,
      doc = "only recipes craftable from the inventory now" } },
    returns = "[{name, craftable, energy, ingredients: [{name, amount, type}], products: [{name, amount, type}]}]",
    errors = {},
    run = M.recipes,
  },
}

return M
