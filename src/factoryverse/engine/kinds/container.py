"""Containers (chests): one inventory of `inventory_size` slots, filled by insert and by drills dropping into it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from factoryverse.engine.kinds.base import Kind, new_inventory
from factoryverse.engine.world.inventory import CHEST, apply_inventory_type

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["ContainerKind"]


class ContainerKind(Kind):
    types: ClassVar[tuple[str, ...]] = ("container",)
    insert_order: ClassVar[tuple[str, ...]] = (CHEST,)
    takes_drops: ClassVar[bool] = True
    main_inventory_name: ClassVar[str | None] = CHEST
    output_inventory_name: ClassVar[str | None] = CHEST

    def attach(self, world: World, entity: Entity) -> None:
        inv = new_inventory(world, entity, CHEST, int(entity.proto.get("inventory_size", 16)))
        apply_inventory_type(inv, entity.proto.get("inventory_type"))  # chests have a bar
