"""Kinds that only stand on the map: trees and rocks, items on the ground, and vehicles and units (placed, found,
mined; they do nothing yet)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from factoryverse.engine.kinds.base import Kind

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["DecorativeKind", "ItemOnGroundKind", "MobileKind"]


class DecorativeKind(Kind):
    """Trees and rocks: placed anywhere, no unit_number, mined for their `minable` results."""

    types: ClassVar[tuple[str, ...]] = ("tree", "simple-entity")
    unit_number: ClassVar[bool] = False
    grid_free: ClassVar[bool] = True


class ItemOnGroundKind(Kind):
    """An item stack lying on the ground (`stack`): mining it gives the stack."""

    types: ClassVar[tuple[str, ...]] = ("item-entity",)
    unit_number: ClassVar[bool] = False
    needs_stack: ClassVar[bool] = True
    grid_free: ClassVar[bool] = True

    def mined_items(self, entity: Entity) -> list[tuple[str, int]]:
        return [(entity.stack.name, entity.stack.count)] if entity.stack is not None else []


class MobileKind(Kind):
    """Cars and units: placed off the grid; they don't move or fight in the engine yet."""

    types: ClassVar[tuple[str, ...]] = ("car", "unit")
    grid_free: ClassVar[bool] = True
