"""The REACHABLE view: what the agent's character can reach now, as the game says (get_reachable).

Every call asks the game, so every call is awaited: `furnace = await reachable_view.get_entity("stone-furnace")`.
Entities come back REACHABLE (full access); resources come back as Resource objects to `await r.mine()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.sdk.entities.base import BaseEntity
from factoryverse.sdk.entities.registry import ghost_entity, reachable_entity
from factoryverse.sdk.errors import EntityNotFoundError, NoResourceInReachError
from factoryverse.sdk.types import MineResult, Position

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["ReachableView", "Resource"]


class Resource:
    """A resource entity in reach (an ore tile): `await resource.mine(max_count=25)`.

    Example: `resources = await reachable_view.get_resources('iron-ore'); await resources[0].mine(max_count=25)`
    """

    def __init__(self, agent: Agent, name: str, position: Position, amount: int) -> None:
        self.agent = agent
        self.name = name
        self.position = position
        self.amount = amount

    async def mine(self, max_count: int = 25, *, timeout: float | None = None) -> MineResult:
        """Hand-mine up to `max_count` units of this tile (the game checks it is still in reach).

        Example: `await (await reachable_view.get_resources('coal'))[0].mine(max_count=10)`
        """
        return await self.agent.mine_resource(self.name, max_count, self.position, timeout=timeout)

    def inspect(self) -> str:
        """The tile as text for a person: resource, position and amount when it was listed.

        Example: `print(resources[0].inspect())`
        """
        return f"{self.name} at {self.position}: {self.amount} left (when listed)"

    def __repr__(self) -> str:
        return f"Resource({self.name!r} at {self.position}, amount={self.amount})"


class ReachableView:
    """Entities, ghosts and resources within the character's reach, nearest first.

    Example: `furnace = await reachable_view.get_entity('stone-furnace')`
    """

    def __init__(self, agent: Agent) -> None:
        self._agent = agent

    async def _reachable(self) -> dict[str, Any]:
        raw = await self._agent.call("get_reachable")
        return raw if isinstance(raw, dict) else {}

    async def get_entities(self, name: str | None = None, entity_type: str | None = None) -> list[BaseEntity]:
        """Real entities in reach (of `name` / of `entity_type` when given), nearest first, each read anew.

        Example: `drills = await reachable_view.get_entities(entity_type='mining-drill')`
        """
        out: list[BaseEntity] = []
        for record in (await self._reachable()).get("entities") or []:
            if record["type"] == "entity-ghost" or record.get("minable_by_hand"):
                continue
            if (name is None or record["name"] == name) and (entity_type is None or record["type"] == entity_type):
                out.append(await reachable_entity(self._agent, record["name"], record["position"]))
        return out

    async def get_entity(self, name: str) -> BaseEntity:
        """The nearest `name` in reach; EntityNotFoundError (walk closer) when none is.

        Example: `furnace = await reachable_view.get_entity('stone-furnace')`
        """
        for record in (await self._reachable()).get("entities") or []:
            if record["name"] == name and record["type"] != "entity-ghost":
                return await reachable_entity(self._agent, name, record["position"])
        raise EntityNotFoundError(
            f"no {name} within the agent's reach; walk closer to one (remote_view.get_entities finds them on the "
            "map) or place one", code="entity_not_found", interface=self._agent.interface_name,
            method="get_reachable",
        )

    async def get_ghosts(self, name: str | None = None) -> list[BaseEntity]:
        """Ghosts in reach (of the entity `name` when given), nearest first, as REACHABLE ghost objects.

        Example: `for ghost in await reachable_view.get_ghosts(): await ghost.build()`
        """
        out: list[BaseEntity] = []
        for record in (await self._reachable()).get("entities") or []:
            inner = record.get("ghost_name")
            if record["type"] == "entity-ghost" and inner and (name is None or inner == name):
                out.append(await ghost_entity(self._agent, inner, record["position"],
                                              unit_number=record.get("unit_number")))
        return out

    async def get_resources(self, name: str | None = None) -> list[Resource]:
        """Resource tiles within resource reach (of `name` when given), nearest first.

        Example: `ore = await reachable_view.get_resources('iron-ore')`
        """
        found = [
            Resource(self._agent, r["name"], Position.of(r["position"]), int(r.get("amount", 0)))
            for r in (await self._reachable()).get("resources") or []
            if name is None or r["name"] == name
        ]
        if not found and name is not None:
            raise NoResourceInReachError(
                f"no {name} within the agent's resource reach; walk to an ore patch first "
                "(remote_view.query('SELECT * FROM resource_patch ...') finds them)",
                code="no_resource_in_reach", interface=self._agent.interface_name, method="get_reachable",
            )
        return found
