"""Per-agent accessors, bound to an agent as `agent.walking`, `agent.mining`, `agent.crafting`, `agent.research`,
`agent.inventory` and `agent.reachable_view` (the map-wide `agent.remote_view` is a RemoteView)."""

from factoryverse.sdk.accessors.crafting import CraftingQueue, CraftJob, Crafting, Recipe
from factoryverse.sdk.accessors.inventory import Inventory
from factoryverse.sdk.accessors.movement import Mining, Walking
from factoryverse.sdk.accessors.reachable_view import ReachableView, Resource
from factoryverse.sdk.accessors.research import Research, ResearchJob, ResearchQueue, Technology

__all__ = ["Walking", "Mining", "Crafting", "CraftJob", "CraftingQueue", "Recipe", "Research", "ResearchJob",
           "ResearchQueue", "Technology", "Inventory", "ReachableView", "Resource"]
