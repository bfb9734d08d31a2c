"""Factory objects: entities as Python objects with views.

A REACHABLE view belongs to an agent and sends mutations to the game (which still checks reach on each).
A REMOTE view is what the SDK knows from afar (e.g. the map snapshot): it can be looked at but not changed;
walk within reach and get the REACHABLE view with `agent.entity(name, position)`. A ghost cannot hold items.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, ClassVar

from factoryverse.sdk.errors import UnexpectedReplyError, ViewError
from factoryverse.sdk.types import EntityState, Position, PositionLike

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["EntityView", "BaseEntity", "Furnace", "MiningDrill", "Container", "entity_class_for", "entity_from_state"]


class EntityView(str, enum.Enum):
    REACHABLE = "reachable"
    REMOTE = "remote"


class BaseEntity:
    """Any entity. Subclasses add what their entity type can do."""

    entity_types: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        name: str,
        position: PositionLike,
        *,
        agent: Agent | None = None,
        unit_number: int | None = None,
        view: EntityView = EntityView.REMOTE,
        is_ghost: bool = False,
        entity_type: str | None = None,
    ) -> None:
        self.name = name
        self.position = Position.of(position)
        self.agent = agent
        self.unit_number = unit_number
        self.view = view
        self.is_ghost = is_ghost
        self.entity_type = entity_type

    def __repr__(self) -> str:
        ghost = ", ghost" if self.is_ghost else ""
        return (
            f"{type(self).__name__}({self.name!r} at ({self.position.x:g}, {self.position.y:g}), "
            f"{self.view.value}{ghost})"
        )

    async def inspect(self) -> EntityState:
        """The entity's current state from the game (looking needs no reach, so REMOTE views may too)."""
        return await self._looker().inspect_entity(self.name, self.position)

    async def put(self, item: str, count: int, inventory: str | None = None) -> int:
        """Move items from the agent into this entity; returns how many went in."""
        agent = self._mutator(f"put {item} into it")
        return await agent.put_inventory_item(item, count, self.name, self.position, inventory)

    async def take(self, item: str, count: int, inventory: str | None = None) -> int:
        """Move items from this entity into the agent; returns how many were taken."""
        agent = self._mutator(f"take {item} from it")
        return await agent.take_inventory_item(item, count, self.name, self.position, inventory)

    async def pickup(self) -> dict[str, int]:
        """Mine this entity back into the agent's inventory; the object is stale afterwards."""
        agent = self._mutator("pick it up")
        return await agent.pickup_entity(self.name, self.position)

    def _looker(self) -> Agent:
        if self.agent is None:
            raise ViewError(
                f"{self!r} has no agent to look through; get it with agent.entity(name, position) instead"
            )
        return self.agent

    def _mutator(self, what: str) -> Agent:
        if self.is_ghost:
            raise ViewError(f"cannot {what}: {self!r} is a ghost; place the real entity first")
        if self.view is not EntityView.REACHABLE or self.agent is None:
            raise ViewError(
                f"cannot {what}: {self!r} is a REMOTE view, which can only be looked at. Walk within reach "
                "(agent.walk_to) and get the REACHABLE view with agent.entity(name, position)"
            )
        return self.agent


class _Fuelled(BaseEntity):
    async def add_fuel(self, item: str, count: int) -> int:
        """Put fuel (e.g. "coal") into the fuel inventory; returns how many went in."""
        return await self.put(item, count, "fuel")


class Furnace(_Fuelled):
    entity_types = frozenset({"furnace"})

    async def add_ingredients(self, item: str, count: int) -> int:
        """Put items to smelt (e.g. "iron-ore") into the input inventory; returns how many went in."""
        return await self.put(item, count, "input")

    async def products(self) -> int:
        """How many items wait in the output inventory."""
        return sum((await self.inspect()).inventory("output").values())

    async def take_products(self, count: int | None = None) -> int:
        """Take up to `count` items (all when None) from the output inventory; returns how many were taken."""
        agent = self._mutator("take its products")
        remaining = count
        taken = 0
        for item, held in (await self.inspect()).inventory("output").items():
            want = held if remaining is None else min(held, remaining)
            if want <= 0:
                break
            got = await agent.take_inventory_item(item, want, self.name, self.position, "output")
            taken += got
            if remaining is not None:
                remaining -= got
        return taken


class MiningDrill(_Fuelled):
    entity_types = frozenset({"mining-drill"})

    async def output_position(self) -> Position:
        """Where the drill drops what it mines (LuaEntity.drop_position): put a chest or a furnace there."""
        state = await self.inspect()
        if state.drop_position is None:
            raise UnexpectedReplyError(f"inspect_entity of {self!r} gave no drop_position", reply=repr(state))
        return Position.of(state.drop_position)


class Container(BaseEntity):
    entity_types = frozenset({"container", "logistic-container"})

    async def contents(self) -> dict[str, int]:
        return (await self.inspect()).inventory("chest")


_CLASSES: tuple[type[BaseEntity], ...] = (Furnace, MiningDrill, Container)


def entity_class_for(entity_type: str) -> type[BaseEntity]:
    """The factory-object class for a prototype type ("furnace" -> Furnace); BaseEntity for the rest."""
    for cls in _CLASSES:
        if entity_type in cls.entity_types:
            return cls
    return BaseEntity


def entity_from_state(state: EntityState, agent: Agent | None, *, view: EntityView) -> BaseEntity:
    cls = entity_class_for(state.type)
    return cls(
        state.name, state.position, agent=agent, unit_number=state.unit_number, view=view, entity_type=state.type
    )
