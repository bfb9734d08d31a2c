"""Which class an entity type becomes, and building entity objects from the game's or the database's answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.sdk._game_facts import entity_prototype
from factoryverse.sdk.entities.base import BaseEntity, Entity, EntityView
from factoryverse.sdk.entities.crafting_machines import AssemblingMachine, Furnace, Lab
from factoryverse.sdk.entities.logistics import Container, Inserter, TransportBelt
from factoryverse.sdk.entities.mining_drill import MiningDrill
from factoryverse.sdk.entities.power import Boiler, ElectricPole, OffshorePump, Pipe, SteamEngine
from factoryverse.sdk.types import Direction, EntityState, PositionLike

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["ENTITY_CLASSES", "entity_class_for", "entity_from_state", "reachable_entity", "ghost_entity",
           "remote_entity"]

ENTITY_CLASSES: tuple[type[BaseEntity], ...] = (
    Furnace, AssemblingMachine, Lab, Inserter, TransportBelt, Container, MiningDrill,
    ElectricPole, Boiler, SteamEngine, OffshorePump, Pipe,
)
_BY_TYPE = {t: cls for cls in ENTITY_CLASSES for t in cls.entity_types}


def entity_class_for(entity_type: str | None) -> type[BaseEntity]:
    """The class for a prototype type ("furnace" -> Furnace); Entity for a type without its own class."""
    return _BY_TYPE.get(entity_type or "", Entity)


def entity_from_state(state: EntityState, agent: Agent | None, *, view: EntityView) -> BaseEntity:
    """An object of the right class from an inspect_entity answer."""
    return entity_class_for(state.type)(
        state.name, state.position, agent=agent, unit_number=state.unit_number, view=view, entity_type=state.type,
        direction=state.direction, state=state,
    )


async def reachable_entity(agent: Agent, name: str, position: PositionLike) -> BaseEntity:
    """The entity `name` at `position`, read from the game, as a REACHABLE object."""
    return entity_from_state(await agent.inspect_entity(name, position), agent, view=EntityView.REACHABLE)


async def ghost_entity(
    agent: Agent, name: str, position: PositionLike, *, direction: Any = None, unit_number: int | None = None,
    view: EntityView = EntityView.REACHABLE,
) -> BaseEntity:
    """A ghost of the entity `name`, as an object of the class the built entity will have."""
    entity_type = (await entity_prototype(agent.rcon, name)).type
    return entity_class_for(entity_type)(
        name, position, agent=agent, unit_number=unit_number, view=view, is_ghost=True, entity_type=entity_type,
        direction=direction,
    )


def remote_entity(row: dict[str, Any], agent: Agent | None, *, is_ghost: bool = False) -> BaseEntity:
    """A REMOTE object from a map database row (map_entity, or ghost when `is_ghost`), by the schema's names."""
    name = row["ghost_name"] if is_ghost else row["entity_name"]
    entity_type = row.get("ghost_type") if is_ghost else row.get("entity_type")
    direction = row.get("direction")
    return entity_class_for(entity_type)(
        str(name), row["position"], agent=agent, unit_number=row.get("entity_key"), view=EntityView.REMOTE,
        is_ghost=is_ghost, entity_type=entity_type,
        direction=Direction.of(direction) if direction is not None else None, row=dict(row),
    )
