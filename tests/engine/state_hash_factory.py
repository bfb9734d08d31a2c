"""One deterministic game, run by tests/engine/test_state_hash.py in separate processes: prints its state hashes.

``python -m tests.engine.state_hash_factory SCRIPT_OUTPUT [TICKS] [EVERY]``

An engine with the three mods and a fixed seed; fv_snapshot gets a fixed run id; an agent walks to coal, mines it
by hand (a path request, walking, a multi-tick action), builds a burner mining drill on iron ore feeding a stone
furnace and fuels both; then the game runs TICKS ticks (10,000 by default), printing ``<tick> <hash>`` every EVERY
ticks, then ``plates <n>`` (the furnace's output, so a broken factory shows). Commands are sent at fixed ticks, so
two runs of this script are the same game: any difference between their hashes is nondeterminism in the engine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash, state_sections

SEED = 1
RUN_ID = "state-hash-determinism"
# Nothing listens: the datagrams are part of what the mods do, not of the game state.
UDP_PORT = 9
POLL_TICKS = 10
MAX_ACTION_TICKS = 5_000


def lua(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + code)
    if reply.startswith("Cannot execute command"):
        raise RuntimeError(reply)
    return reply


def call(engine: Engine, interface: str, method: str, *args: str) -> Any:
    reply = lua(engine, f"rcon.print(helpers.table_to_json({{r = remote.call('{interface}', '{method}', {', '.join(args)})}}))")
    return json.loads(reply).get("r")


def wait_action(engine: Engine, interface: str, started: Any) -> dict:
    action_id = started["action_id"]
    for _ in range(MAX_ACTION_TICKS // POLL_TICKS):
        engine.run_ticks(POLL_TICKS)
        result = call(engine, interface, "get_action_result", str(action_id))
        if result["status"] == "completed":
            record = result["record"]
            if not record.get("success"):
                raise RuntimeError(f"action {action_id} failed: {record}")
            return record
    raise RuntimeError(f"action {action_id} did not complete within {MAX_ACTION_TICKS} ticks")


# The nearest coal tile, and the nearest spot for a north-facing burner drill on four iron-ore tiles with room for
# a stone furnace at its drop position; ties broken by position, so the choice never depends on search order.
_FIND_SITES = """
local s = game.surfaces.nauvis
local function nearest(list)
  table.sort(list, function(a, b)
    local da, db = a.x * a.x + a.y * a.y, b.x * b.x + b.y * b.y
    if da ~= db then return da < db end
    if a.y ~= b.y then return a.y < b.y end
    return a.x < b.x
  end)
  return list
end
local coal = {}
for _, e in pairs(s.find_entities_filtered{name = 'coal', position = {0, 0}, radius = 60}) do
  coal[#coal + 1] = {x = e.position.x, y = e.position.y}
end
local ore = {}
for _, e in pairs(s.find_entities_filtered{name = 'iron-ore', position = {0, 0}, radius = 60}) do
  ore[math.floor(e.position.x) .. ',' .. math.floor(e.position.y)] = true
end
local spots = {}
for key in pairs(ore) do
  local x, y = key:match('(-?%d+),(-?%d+)')
  x, y = tonumber(x), tonumber(y)
  if ore[(x - 1) .. ',' .. y] and ore[x .. ',' .. (y - 1)] and ore[(x - 1) .. ',' .. (y - 1)] then
    spots[#spots + 1] = {x = x, y = y}
  end
end
local site
for _, p in ipairs(nearest(spots)) do
  if s.can_place_entity{name = 'burner-mining-drill', position = p, direction = defines.direction.north}
     and s.can_place_entity{name = 'stone-furnace', position = {p.x, p.y - 2}} then
    site = p
    break
  end
end
rcon.print(helpers.table_to_json({coal = nearest(coal)[1], site = site}))
"""


def build_factory(engine: Engine) -> dict:
    call(engine, "map", "set_snapshot_config", f"{{run_id = '{RUN_ID}', udp_port = {UDP_PORT}}}")
    sites = json.loads(lua(engine, _FIND_SITES))
    coal, site = sites["coal"], sites["site"]
    agent = call(engine, "agent", "create_agent", str(UDP_PORT), "{position = {x = 0, y = 0}}")
    me = agent["interface_name"]
    call(engine, "admin", "add_items", str(agent["agent_id"]), "{['burner-mining-drill'] = 1, ['stone-furnace'] = 1, coal = 10}")
    wait_action(engine, me, call(engine, me, "walk_to", f"{{x = {coal['x']}, y = {coal['y']}}}", "{radius = 1}"))
    wait_action(engine, me, call(engine, me, "mine_resource", "'coal'", "5"))
    x, y = site["x"], site["y"]
    wait_action(engine, me, call(engine, me, "walk_to", f"{{x = {x + 0.5}, y = {y + 3.5}}}", "{radius = 1}"))
    call(engine, me, "place_entity", "'burner-mining-drill'", f"{{x = {x}, y = {y}}}", "defines.direction.north")
    call(engine, me, "place_entity", "'stone-furnace'", f"{{x = {x}, y = {y - 2}}}")
    call(engine, me, "put_inventory_item", "'coal'", "10", "'burner-mining-drill'", f"{{x = {x}, y = {y}}}")
    call(engine, me, "put_inventory_item", "'coal'", "5", "'stone-furnace'", f"{{x = {x}, y = {y - 2}}}")
    return {"interface": me, "furnace": (x, y - 2)}


def main(argv: list[str]) -> int:
    script_output = Path(argv[0])
    ticks = int(argv[1]) if len(argv) > 1 else 10_000
    every = int(argv[2]) if len(argv) > 2 else 1_000
    engine = Engine(seed=SEED, script_output=script_output)
    factory = build_factory(engine)
    start = engine.tick
    print(f"{engine.tick} {state_hash(engine)}", flush=True)
    while engine.tick - start < ticks:
        engine.run_ticks(every)
        print(f"{engine.tick} {state_hash(engine)}", flush=True)
    fx, fy = factory["furnace"]
    state = call(engine, factory["interface"], "inspect_entity", "'stone-furnace'", f"{{x = {fx}, y = {fy}}}")
    plates = (state.get("inventories") or {}).get("output", {}).get("iron-plate", 0)
    print(f"plates {plates}", flush=True)
    print("sections " + json.dumps(state_sections(engine), sort_keys=True), flush=True)
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
