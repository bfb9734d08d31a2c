"""Entities that move items: inserters, belts and chests."""

from __future__ import annotations

from typing import Any, Literal

from factoryverse.sdk._game_facts import inserter_positions
from factoryverse.sdk.entities.base import BaseEntity, EntityView
from factoryverse.sdk.entities.mixins import ContainerMixin, FuelableMixin, SpatialPropertiesMixin
from factoryverse.sdk.errors import InvalidArgumentError
from factoryverse.sdk.items import PlaceableItem
from factoryverse.sdk.types import Position

__all__ = ["Inserter", "TransportBelt", "Container"]


def _row_position(entity: BaseEntity, key: str) -> Position | None:
    value = (entity.row or {}).get(key)
    return Position.of(value) if value is not None else None


class Inserter(SpatialPropertiesMixin, FuelableMixin):
    """An inserter: where it picks items up and where it drops them (LuaEntity.pickup_position / drop_position).

    Example: `inserter = await reachable_view.get_entity('burner-inserter'); await inserter.get_drop_position()`
    """

    entity_types = frozenset({"inserter"})
    _kind_table = ("inserter", ("pickup_position", "drop_position"))

    async def _positions(self) -> tuple[Position, Position]:
        pickup, drop = _row_position(self, "pickup_position"), _row_position(self, "drop_position")
        if self.view is EntityView.REMOTE and pickup is not None and drop is not None:
            return pickup, drop
        agent = self._looker("read where it picks up and drops")
        return await inserter_positions(agent.rcon, self.name, self.position, (self.row or {}).get("surface", "nauvis"))

    async def get_pickup_position(self) -> Position:
        """Where the inserter takes items from: put a chest, a belt or a machine there.

        Example: `chest = await chest_item.place(await inserter.get_pickup_position())`
        """
        return (await self._positions())[0]

    async def get_drop_position(self) -> Position:
        """Where the inserter puts items: the entity there receives them.

        Example: `target = await inserter.get_drop_position()`
        """
        return (await self._positions())[1]


# A turn is a quarter turn: left counter-clockwise, right clockwise (four sixteenths of a circle).
_TURNS: dict[Any, int] = {None: 0, "left": -2, "right": 2}


class TransportBelt(SpatialPropertiesMixin):
    """A belt (or underground belt, splitter): items travel along its direction.

    Example: `belt = await (await inventory.get_placeable('transport-belt')).place((0, 0), Direction.EAST)`
    """

    entity_types = frozenset({"transport-belt", "underground-belt", "splitter"})

    async def extend(self, turn: Literal["left", "right"] | None = None) -> TransportBelt:
        """Place the next belt one tile ahead, facing on (or turned left / right); returns it (REACHABLE).

        Example: `belt = await (await belt.extend()).extend(turn='right')`
        """
        if turn not in _TURNS:
            raise InvalidArgumentError(f"extend(turn=...) takes None, 'left' or 'right', not {turn!r}")
        agent = self._mutator("extend it", "place_entity")
        dx, dy = self.direction.vector
        ahead = self.position.offset(dx, dy)
        placed = await self._guard_reach(
            PlaceableItem(self.name, agent).place(ahead, self.direction.turned(_TURNS[turn])), "place_entity")
        assert isinstance(placed, TransportBelt)
        return placed


class Container(ContainerMixin):
    """A chest: `await chest.insert(stack)`, `await chest.contents()`, `await chest.take("coal", 5)`.

    Example: `chest = await reachable_view.get_entity('wooden-chest'); await chest.contents()`
    """

    entity_types = frozenset({"container", "logistic-container"})
    _kind_table = ("container", ("contents",))

    def _extra_facts(self) -> dict[str, Any]:
        # An empty chest's row holds {}: the database knows it is empty, which None (not known) would hide.
        contents = (self.row or {}).get("contents")
        return {"contents": dict(contents)} if contents is not None else {}
