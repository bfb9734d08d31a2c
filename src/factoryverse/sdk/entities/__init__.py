"""Entities as objects with affordances: the family classes, their mixins and the views they are seen through."""

from factoryverse.sdk.entities.base import BaseEntity, Entity, EntityView
from factoryverse.sdk.entities.crafting_machines import AssemblingMachine, Furnace, Lab
from factoryverse.sdk.entities.logistics import Container, Inserter, TransportBelt
from factoryverse.sdk.entities.mining_drill import MiningDrill
from factoryverse.sdk.entities.mixins import (ContainerMixin, CrafterMixin, FuelableMixin, RecipeMixin,
                                              SpatialPropertiesMixin)
from factoryverse.sdk.entities.power import Boiler, ElectricPole, OffshorePump, Pipe, SteamEngine
from factoryverse.sdk.entities.report import EntityReport
from factoryverse.sdk.entities.registry import (ENTITY_CLASSES, entity_class_for, entity_from_state, ghost_entity,
                                                reachable_entity, remote_entity)

__all__ = [
    "EntityView", "BaseEntity", "Entity", "EntityReport",
    "FuelableMixin", "ContainerMixin", "CrafterMixin", "RecipeMixin", "SpatialPropertiesMixin",
    "Furnace", "AssemblingMachine", "Lab", "Inserter", "TransportBelt", "Container", "MiningDrill",
    "ElectricPole", "Boiler", "SteamEngine", "OffshorePump", "Pipe",
    "ENTITY_CLASSES", "entity_class_for", "entity_from_state", "reachable_entity", "ghost_entity", "remote_entity",
]
