"""Items as objects: an Item kind, an ItemStack (a count of it) and the items that place entities.

`inventory.get_item("coal", count=5)` is a plain call: a stack is a claim on the agent's items that the game
checks when the stack is used (NotInInventoryError when the agent lacks them), so building one needs no round trip.
Placing asks the game and is awaited: `drill = await item.place(cue.position, Direction.EAST)`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from factoryverse.sdk._args import position_arg
from factoryverse.sdk.errors import InvalidArgumentError, ViewError
from factoryverse.sdk.types import Direction, Position, PositionLike

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent
    from factoryverse.sdk.entities.base import BaseEntity

__all__ = ["Item", "ItemStack", "PlaceableItem", "MiningDrillItem", "PlacementCue"]


class PlacementCue(BaseModel):
    """A spot within build distance where the game would place the entity now (get_placement_cues).

    Example: `cue = (await drill_item.placement_cues(Direction.EAST))[0]; await drill_item.place(cue.position)`
    """

    model_config = ConfigDict(frozen=True)

    position: Position
    distance: float
    # Mining drills only: how many resource entities (ore tiles) lie under the drill there.
    resources: int = 0


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or int(value) != value or value < 1:
        raise InvalidArgumentError(f"an item count must be a whole number of at least 1, not {value!r}")
    return int(value)


class Item:
    """A kind of item, by its prototype name, as seen by one agent (may be None for a plain value).

    >>> Item('coal').stack(5)
    ItemStack('coal', count=5)
    """

    def __init__(self, name: str, agent: Agent | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"an item name must be a non-empty string like 'iron-plate', not {name!r}")
        self.name = name
        self.agent = agent

    def stack(self, count: int = 1) -> ItemStack:
        """`count` of this item as a stack (the agent's, when this item has one).

        >>> Item('iron-plate').stack(3).count
        3
        """
        return ItemStack(self.name, count, agent=self.agent)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.name == self.name  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))


class ItemStack(Item):
    """`count` items of one kind, from the agent's inventory.

    Example: `await furnace.add_fuel(inventory.get_item('coal', count=5))`
    """

    def __init__(self, name: str, count: int = 1, *, agent: Agent | None = None) -> None:
        super().__init__(name, agent)
        self.count = _count(count)

    def __repr__(self) -> str:
        return f"ItemStack({self.name!r}, count={self.count})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ItemStack) and (other.name, other.count) == (self.name, self.count)

    def __hash__(self) -> int:
        return hash((self.name, self.count))


class PlaceableItem(Item):
    """An item that places an entity (stone-furnace, transport-belt, ...).

    Example: `furnace_item = await inventory.get_placeable('stone-furnace')`
    """

    def _agent(self, what: str) -> Agent:
        if self.agent is None:
            raise ViewError(f"cannot {what}: {self!r} has no agent; get it with await inventory.get_placeable(name)")
        return self.agent

    async def place(self, position: PositionLike, direction: Direction | int | str | None = None) -> BaseEntity:
        """Place the entity at `position`, facing `direction`; returns it as a REACHABLE object.

        Example: `furnace = await furnace_item.place(MapPosition(3, 0), Direction.NORTH)`
        """
        from factoryverse.sdk.entities.registry import reachable_entity

        agent = self._agent("place it")
        facing = Direction.of(direction) if direction is not None else None
        placed = await agent.place_entity(self.name, position_arg(position, "place"), facing)
        return await reachable_entity(agent, placed.name, placed.position)

    async def place_ghost(self, position: PositionLike, direction: Direction | int | str | None = None) -> BaseEntity:
        """Mark where the entity will go with a ghost (no item is used); build it later with `await ghost.build()`.

        Example: `ghost = await belt_item.place_ghost((5, 0)); await ghost.build()`
        """
        from factoryverse.sdk.entities.registry import ghost_entity

        agent = self._agent("place its ghost")
        facing = int(Direction.of(direction)) if direction is not None else None
        raw = await agent.call("place_entity", self.name, position_arg(position, "place_ghost"), facing, True)
        return await ghost_entity(agent, self.name, raw["position"], direction=raw.get("direction"),
                                  unit_number=raw.get("unit_number"))

    async def placement_cues(
        self, direction: Direction | int | str | None = None, max_results: int | None = None
    ) -> list[PlacementCue]:
        """Spots within build distance where the game would place this entity now, nearest first.

        Example: `spots = await chest_item.placement_cues(max_results=3)`
        """
        agent = self._agent("find where it fits")
        facing = int(Direction.of(direction)) if direction is not None else None
        raw = await agent.call("get_placement_cues", self.name, facing, max_results)
        return [_cue(entry) for entry in raw or []]


class MiningDrillItem(PlaceableItem):
    """A mining drill's item: its placement cues are spots with resources under the drill (`cue.resources` counts them).

    Example: `drill_item = await inventory.get_placeable('burner-mining-drill')`
    """

    async def placement_cues(
        self, direction: Direction | int | str | None = None, max_results: int | None = None
    ) -> list[PlacementCue]:
        """Spots within build distance over a resource, nearest first; `cue.resources` counts the ore tiles under it.

        Example: `best = max(await drill_item.placement_cues(), key=lambda c: c.resources)`
        """
        return await super().placement_cues(direction, max_results)


def _cue(entry: dict[str, Any]) -> PlacementCue:
    return PlacementCue(position=Position.of(entry["position"]), distance=float(entry["distance"]),
                        resources=int(entry.get("resources") or 0))
