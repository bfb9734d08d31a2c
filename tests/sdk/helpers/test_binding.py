"""The helpers' public names, and the same helpers bound to the agent in a program's namespace."""

from __future__ import annotations

import ast

import pytest

import factoryverse.sdk.helpers as helpers
from factoryverse.sdk import MapPosition, build_namespace

from tests.sdk.conftest import Game, run

pytestmark = pytest.mark.usefixtures("fresh_agents")


def test_the_helpers_api_is_pinned():
    assert set(helpers.__all__) == {
        "nearest", "get_resource_patch", "ResourcePatch", "place_next_to", "next_to_position", "connect",
        "connection_cost", "plan_connection", "ConnectionPlan", "Placement", "sleep", "get_production_stats",
        "ProductionStats", "bind_helpers", "HELPER_NAMES",
    }
    assert all(hasattr(helpers, name) for name in helpers.__all__)


def test_a_program_calls_the_helpers_without_passing_the_agent(game: Game):
    program = (
        "ore = await nearest('iron-ore')\n"
        "patch = await get_resource_patch('iron-ore', ore)\n"
        "stats = await get_production_stats()\n"
        "cost = await connection_cost(MapPosition(ore.x + 30, ore.y + 30), MapPosition(ore.x + 30, ore.y + 40),"
        " 'small-electric-pole')\n"
    )

    async def scenario():
        async with game.client() as client:
            agent = await client.create_agent((27, 3))
            ns = build_namespace(agent)
            code = compile(program, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            await eval(code, ns)
            return ns, agent

    ns, agent = run(scenario())
    assert set(helpers.HELPER_NAMES) <= set(ns)
    assert ns["nearest"].__doc__ == helpers.nearest.__doc__
    assert ns["patch"].size >= 1 and ns["patch"].bounding_box.contains(ns["ore"])
    assert ns["stats"].force == agent.info.force
    # Ten tiles apart, a small pole's 7.5-tile wire reach needs a pole at each end and one between.
    assert ns["cost"] == {"small-electric-pole": 3}
    assert isinstance(ns["ore"], MapPosition)
