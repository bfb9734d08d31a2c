"""get_production_stats(): the force's item and fluid production statistics, from the game's LuaFlowStatistics.

No mod declares a remote method for them (fv_embodied_agent's admin interface has add_items, clear_inventory and
unlock_technology only), so they are read with /sc through LuaForce.get_item_production_statistics and
get_fluid_production_statistics, members that Factorio 2.0 and 2.1 both have. In these statistics `input_counts`
is what was produced and `output_counts` what was consumed, since the game's start.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from typing_extensions import Annotated

from factoryverse.sdk.errors import InvalidArgumentError, UnexpectedReplyError
from factoryverse.sdk.remote import long_bracket

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["ProductionStats", "get_production_stats"]

_LUA = """local f = game.forces[{force}]
local s = game.surfaces[{surface}]
if not f or not s then rcon.print("null") return end
local items = f.get_item_production_statistics(s)
local fluids = f.get_fluid_production_statistics(s)
rcon.print(helpers.table_to_json({{tick = game.tick, items_produced = items.input_counts,
  items_consumed = items.output_counts, fluids_produced = fluids.input_counts,
  fluids_consumed = fluids.output_counts}}))"""


def _counts(value: Any) -> Any:
    # The game writes an empty table as [].
    return {} if value == [] else value


_Counts = Annotated[dict[str, float], BeforeValidator(_counts)]


class ProductionStats(BaseModel):
    """What a force produced and consumed on a surface since the game started, per item and fluid.

    Example: (await get_production_stats(agent)).items_produced.get("iron-plate", 0)
    """

    model_config = ConfigDict(frozen=True)

    force: str
    tick: int
    items_produced: _Counts = {}
    items_consumed: _Counts = {}
    fluids_produced: _Counts = {}
    fluids_consumed: _Counts = {}


async def get_production_stats(agent: Agent, force: str | None = None, surface: str = "nauvis") -> ProductionStats:
    """The production statistics of the agent's force (or `force`) on `surface`.

    Example: stats = await get_production_stats(agent); stats.items_consumed.get("coal", 0)
    """
    name = agent.info.force if force is None else force
    if not isinstance(name, str) or not name or not isinstance(surface, str) or not surface:
        raise InvalidArgumentError(f"get_production_stats: force and surface must be names, not {name!r}, {surface!r}")
    code = _LUA.format(force="(" + long_bracket(name) + ")", surface="(" + long_bracket(surface) + ")")
    reply = await agent.rcon.lua(code)
    try:
        raw = json.loads(reply)
    except json.JSONDecodeError as exc:
        raise UnexpectedReplyError(f"get_production_stats: the game answered {reply[:200]!r}", reply=reply) from exc
    if raw is None:
        raise InvalidArgumentError(f"get_production_stats: the game has no force {name!r} or surface {surface!r}")
    return ProductionStats.model_validate({"force": name, **raw})
