"""Power and fluids: electric poles, boilers, steam engines, offshore pumps and pipes."""

from __future__ import annotations

import math

from factoryverse.sdk.entities.mixins import FuelableMixin, SpatialPropertiesMixin
from factoryverse.sdk.errors import InvalidArgumentError, UnexpectedReplyError
from factoryverse.sdk.items import PlaceableItem
from factoryverse.sdk.types import BoundingBox, Direction

__all__ = ["ElectricPole", "Boiler", "SteamEngine", "OffshorePump", "Pipe"]


class ElectricPole(SpatialPropertiesMixin):
    """An electric pole: `await pole.extend(Direction.EAST)` places the next one as far as its wire reaches.

    Example: `pole = await pole.extend(Direction.EAST)`
    """

    entity_types = frozenset({"electric-pole"})

    async def extend(self, direction: Direction | int | str, distance: float | None = None) -> ElectricPole:
        """Place another pole of this kind `distance` tiles away (default: the whole tiles its wire reaches,
        from get_max_wire_distance); returns it (REACHABLE). The game connects poles within wire reach.

        Example: `next_pole = await pole.extend(Direction.SOUTH, distance=5)`
        """
        facing = Direction.of(direction)
        agent = self._mutator("extend it", "place_entity")
        reach = (await self.prototype()).max_wire_distance
        if reach is None:
            raise UnexpectedReplyError(f"the game gave no wire distance for {self.name}", reply="")
        if distance is None:
            distance = float(math.floor(reach))
        elif isinstance(distance, bool) or not isinstance(distance, (int, float)) or not 0 < distance <= reach:
            raise InvalidArgumentError(
                f"extend(distance={distance!r}): a {self.name} wire reaches {reach:g} tiles; pass 0 < distance <= "
                f"{reach:g}")
        dx, dy = facing.vector
        target = self.position.offset(dx * distance, dy * distance)
        placed = await self._guard_reach(PlaceableItem(self.name, agent).place(target), "place_entity")
        assert isinstance(placed, ElectricPole)
        return placed

    async def supply_area(self) -> BoundingBox:
        """The square the pole powers (get_supply_area_distance around its position).

        Example: `powered = (await pole.supply_area()).contains(drill.position)`
        """
        distance = (await self.prototype()).supply_area_distance
        if distance is None:
            raise UnexpectedReplyError(f"the game gave no supply area for {self.name}", reply="")
        return BoundingBox.around(self.position, distance)


class Boiler(FuelableMixin, SpatialPropertiesMixin):
    """A boiler: burns fuel to turn water into steam.

    Example: `boiler = await reachable_view.get_entity('boiler'); await boiler.add_fuel(inventory.get_item('coal', 5))`
    """

    entity_types = frozenset({"boiler"})


class SteamEngine(SpatialPropertiesMixin):
    """A steam engine (or turbine): makes electricity from steam.

    Example: `engine = await reachable_view.get_entity('steam-engine'); print(engine.inspect())`
    """

    entity_types = frozenset({"generator"})


class OffshorePump(SpatialPropertiesMixin):
    """An offshore pump: pumps water from the shore it stands on.

    Example: `pump = await reachable_view.get_entity('offshore-pump'); print(pump.inspect())`
    """

    entity_types = frozenset({"offshore-pump"})


class Pipe(SpatialPropertiesMixin):
    """A pipe (or pipe-to-ground).

    Example: `pipes = await reachable_view.get_entities(entity_type='pipe')`
    """

    entity_types = frozenset({"pipe", "pipe-to-ground"})
