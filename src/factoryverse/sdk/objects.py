"""The factory objects under their first module's name; they live in factoryverse.sdk.entities now."""

from factoryverse.sdk.entities import (BaseEntity, Container, EntityView, Furnace, MiningDrill, entity_class_for,
                                       entity_from_state)

__all__ = ["EntityView", "BaseEntity", "Furnace", "MiningDrill", "Container", "entity_class_for", "entity_from_state"]
