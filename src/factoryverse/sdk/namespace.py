"""The names an agent's program sees: the seed's accessors bound to one agent, and the classes to use with them.

    ns = build_namespace(agent)
    exec(compile("await walking.to(MapPosition(10, 5))", "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT), ns)

`remote_view` is present only when the agent has a map database attached (agent.use_remote_view(view), or
build_namespace(agent, remote_view=view)).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.sdk import entities, errors, items
from factoryverse.sdk.remote_view import RemoteView
from factoryverse.sdk.types import BoundingBox, Direction, MapPosition, Position

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["build_namespace", "ACCESSOR_NAMES"]

ACCESSOR_NAMES = ("walking", "mining", "crafting", "research", "inventory", "reachable_view", "remote_view")


def build_namespace(agent: Agent, remote_view: RemoteView | None = None) -> dict[str, Any]:
    """A fresh dict of the names a program bound to `agent` uses (accessors, entity, item, value and error types).

    `remote_view`, when given, is attached to the agent first (agent.use_remote_view).

    Example: `ns = build_namespace(agent); ns['walking'] is agent.walking`
    """
    if remote_view is not None:
        agent.use_remote_view(remote_view)
    ns: dict[str, Any] = {"agent": agent, "MapPosition": MapPosition, "Position": Position, "Direction": Direction,
                          "BoundingBox": BoundingBox, "RemoteView": RemoteView}
    for name in ACCESSOR_NAMES:
        if name == "remote_view" and agent._remote_view is None:
            continue
        ns[name] = getattr(agent, name)
    for module in (entities, items, errors):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type):
                ns[name] = value
    # FLE-style helpers (nearest, connect, sleep, ...), bound to this agent.
    from factoryverse.sdk.helpers import bind_helpers

    ns.update(bind_helpers(agent))
    return ns
