"""Resources (ore, stone, crude oil): an `amount` mined one unit at a time; the drills mining one are woken when it
changes or runs out, so they stop (or move on to the next resource) at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import Kind, mined_products

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["ResourceKind"]


def _wake_drills(world: World, resource: Entity) -> None:
    drills = world.resource_watchers.get(resource.oid)  # the drills mining it (kinds/mining_drill.py)
    if drills:
        for drill in list(drills.values()):
            world.poke(drill)


def _amount(lua: Any, entity: Entity) -> int:
    return entity.amount


def _set_amount(lua: Any, entity: Entity, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScriptError(f"amount must be a number, got {value!r}")
    entity.amount = max(0, int(value))
    _wake_drills(lua.engine.world, entity)


def _deplete(lua: Any, entity: Entity) -> None:
    entity.amount = 1
    lua.engine.world.deplete_one(entity)


class ResourceKind(Kind):
    types: ClassVar[tuple[str, ...]] = ("resource",)
    unit_number: ClassVar[bool] = False
    default_force: ClassVar[str] = "neutral"
    has_amount: ClassVar[bool] = True
    tile_indexed: ClassVar[bool] = True
    getters = {"amount": _amount}
    setters = {"amount": _set_amount}
    methods = {"deplete": _deplete}

    def attach(self, world: World, entity: Entity) -> None:
        if entity.amount <= 0:
            entity.amount = 1  # create_entity without an amount

    def mined_items(self, entity: Entity) -> list[tuple[str, int]]:
        return mined_products(entity.proto)  # one unit's products

    def mine(self, world: World, entity: Entity, raise_destroyed: bool) -> None:
        world.deplete_one(entity)

    def destroyed(self, world: World, entity: Entity) -> None:
        _wake_drills(world, entity)
