"""The helpers bound to one agent, as a program's names: `await nearest("iron-ore")`, `await connect(a, b)`."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable

from factoryverse.sdk.helpers.placement import place_next_to
from factoryverse.sdk.helpers.production import get_production_stats
from factoryverse.sdk.helpers.routing import connect, connection_cost
from factoryverse.sdk.helpers.search import get_resource_patch, nearest
from factoryverse.sdk.helpers.timing import sleep

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["HELPER_NAMES", "bind_helpers"]

_HELPERS: dict[str, Callable[..., Any]] = {
    "nearest": nearest,
    "get_resource_patch": get_resource_patch,
    "place_next_to": place_next_to,
    "connect": connect,
    "connection_cost": connection_cost,
    "sleep": sleep,
    "get_production_stats": get_production_stats,
}
HELPER_NAMES = tuple(_HELPERS)


def bind_helpers(agent: Agent) -> dict[str, Callable[..., Any]]:
    """{name: helper with `agent` bound as its first argument} for every helper."""
    out: dict[str, Callable[..., Any]] = {}
    for name, helper in _HELPERS.items():
        bound = functools.partial(helper, agent)
        functools.update_wrapper(bound, helper)
        out[name] = bound
    return out
