"""Helpers researchers know from FLE's tool set, built on the mods and fv_placement_hints:

    pos = await nearest(agent, "iron-ore")                         # the game's nearest tile
    patch = await get_resource_patch(agent, "iron-ore", pos)       # tiles, amount, bounding box
    chest = await place_next_to(agent, "wooden-chest", drill, Direction.EAST, spacing=1)
    await connection_cost(agent, drill, inserter, "transport-belt")  # {"transport-belt": 9}
    await connect(agent, drill, inserter, "transport-belt")        # A* around obstacles, then placed
    await sleep(agent, 2)                                          # two game seconds at any game.speed
    stats = await get_production_stats(agent)                      # LuaFlowStatistics of the agent's force

In a program's namespace (build_namespace) they are bound to the agent: `await nearest("iron-ore")`.
"""

from factoryverse.sdk.helpers.binding import HELPER_NAMES, bind_helpers
from factoryverse.sdk.helpers.placement import next_to_position, place_next_to
from factoryverse.sdk.helpers.production import ProductionStats, get_production_stats
from factoryverse.sdk.helpers.routing import ConnectionPlan, Placement, connect, connection_cost, plan_connection
from factoryverse.sdk.helpers.search import ResourcePatch, get_resource_patch, nearest
from factoryverse.sdk.helpers.timing import sleep

__all__ = [
    "nearest",
    "get_resource_patch",
    "ResourcePatch",
    "place_next_to",
    "next_to_position",
    "connect",
    "connection_cost",
    "plan_connection",
    "ConnectionPlan",
    "Placement",
    "sleep",
    "get_production_stats",
    "ProductionStats",
    "bind_helpers",
    "HELPER_NAMES",
]
