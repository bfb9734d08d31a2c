-- The `lab_grid` remote interface: the cells, one cell, and putting a cell back as it started. Declared like the
-- mod's other interfaces (scripts/declared.lua), so it answers version() and describe() and checks its arguments.
-- An agent goes into a cell through the agent interface, once reset_cell has made the cell's force: create_agent
-- with options.force = cell.force and options.position = cell.spawn.
local args = require("__fv_embodied_agent__/scripts/args")
local build = require("build")
local declared = require("__fv_embodied_agent__/scripts/declared")
local grid = require("grid")
local layout = require("layout")

---@class FvLabGridInterface
local M = {}

M.NAME = "lab_grid"
M.DOC = "The lab-grid scenario's cells: 64 isolated squares, each with a force of its own and the same resources."

local _INDEX = { name = "index", type = "integer", min = 1, max = layout.CELLS, doc = "cell index, 1..64 row by row" }

--- reset_cell once the grid is laid out; before, a clear refusal.
---@param index integer
---@return {index: integer, removed: integer, characters: integer}
local function _reset_cell(index)
  local status = build.status()
  if not status.ready then
    args.fail("invalid_state", "the grid is still being laid out (step " .. status.step .. " of " .. status.steps
      .. "); wait until lab_grid.status().ready")
  end
  return grid.reset_cell(index)
end

---@type FvMethod[]
M.METHODS = {
  {
    name = "status", doc = "Whether the grid is laid out (it takes a few hundred ticks after the game starts).",
    params = {}, returns = "{ready, step?, steps?, ready_tick?}", errors = {},
    run = function() return build.status() end,
  },
  {
    name = "cells", doc = "Every cell: index, force, area, spawn position for its agents, whether its force exists.",
    params = {}, returns = "[{index, force, area, spawn, claimed}]", errors = {},
    run = function()
      local out = {}
      for index = 1, layout.CELLS do out[index] = grid.cell(index) end
      return out
    end,
  },
  {
    name = "cell", doc = "One cell: index, force, area, spawn position for its agents, whether its force exists.",
    params = { _INDEX }, returns = "{index, force, area, spawn, claimed}", errors = {},
    run = function(_, p) return grid.cell(p.index) end,
  },
  {
    name = "reset_cell", mutates = true,
    doc = "Start a cell afresh: entities but characters removed, floor and ore laid again, its force made or its "
      .. "research reset.",
    params = { _INDEX }, returns = "{index, removed, characters}", errors = { "invalid_state" },
    run = function(_, p) return _reset_cell(p.index) end,
  },
}

function M.add_remote_interface()
  remote.add_interface(M.NAME, declared.interface(M.NAME, M.DOC, M.METHODS, function() return nil end))
end

return M
