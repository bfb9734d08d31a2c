"""Mining drills: where they drop their ore, the area they mine, and what to place at their output."""

from __future__ import annotations

from typing import Any

from factoryverse.sdk.entities.base import BaseEntity, EntityView
from factoryverse.sdk.entities.mixins import FuelableMixin, SpatialPropertiesMixin
from factoryverse.sdk.errors import UnexpectedReplyError
from factoryverse.sdk.items import PlaceableItem
from factoryverse.sdk.types import BoundingBox, Direction, Position

__all__ = ["MiningDrill"]


class MiningDrill(SpatialPropertiesMixin, FuelableMixin):
    """A mining drill: `await drill.output_position()`, `await drill.get_search_area()`,
    `await drill.place_adjacent("wooden-chest")`.

    Example: `drill = await reachable_view.get_entity('burner-mining-drill'); await drill.output_position()`
    """

    entity_types = frozenset({"mining-drill"})
    _kind_table = ("mining_drill", ("mining_target", "output_position"))

    async def output_position(self) -> Position:
        """Where the drill drops what it mines (LuaEntity.drop_position): put a chest or a furnace there.

        Example: `drop = await drill.output_position()`
        """
        if self.view is EntityView.REMOTE and (self.row or {}).get("output_position") is not None:
            return Position.of(self.row["output_position"])  # type: ignore[index]
        state = await self.read_state()
        if state.drop_position is None:
            raise UnexpectedReplyError(f"inspect_entity of {self!r} gave no drop_position", reply=repr(state))
        return Position.of(state.drop_position)

    async def get_search_area(self) -> BoundingBox:
        """The square the drill mines: its position plus the prototype's mining radius (get_mining_drill_radius).

        Example: `area = await drill.get_search_area(); area.width`
        """
        radius = (await self.prototype()).mining_drill_radius
        if radius is None:
            raise UnexpectedReplyError(f"the game gave no mining radius for {self.name}", reply="")
        return BoundingBox.around(self.position, radius)

    async def place_adjacent(self, item: str, direction: Direction | int | str | None = None) -> BaseEntity:
        """Place `item` (a chest, a furnace, a belt) where the drill drops its ore; returns it (REACHABLE).

        Example: `chest = await drill.place_adjacent('wooden-chest')`
        """
        agent = self._reachable_agent(f"place {item} next to it", "place_entity")
        drop = await self.output_position()
        return await self._guard_reach(PlaceableItem(item, agent).place(drop, direction), "place_entity")

    def _extra_facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        if self.state is not None and self.state.drop_position is not None:
            facts["output_position"] = self.state.drop_position
        elif (self.row or {}).get("output_position") is not None:
            facts["output_position"] = Position.of(self.row["output_position"])  # type: ignore[index]
        if (self.row or {}).get("mining_target"):
            facts["mining_target"] = self.row["mining_target"]  # type: ignore[index]
        return facts
