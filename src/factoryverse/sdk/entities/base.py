"""BaseEntity: one placed entity (or ghost) as an object, seen through a REMOTE or a REACHABLE view.

| view      | real entity                      | ghost                            |
|-----------|----------------------------------|----------------------------------|
| REMOTE    | inspect; no mutation             | inspect, remove; no build        |
| REACHABLE | inspect and every mutation       | inspect, remove and build        |

Which calls are awaited: whatever asks the game is a coroutine (`await furnace.add_fuel(stack)`); whatever is
answered from what the object already holds is a plain call (`furnace.inspect()`, `furnace.position`).
REACHABLE means the agent could reach the entity when it was fetched; the game checks reach again on every
mutation, and an OutOfReachError then tells the agent to walk closer.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

from factoryverse.sdk._args import position_arg
from factoryverse.sdk.errors import GhostError, OutOfReachError, RemoteViewError, ViewError
from factoryverse.sdk.entities.report import EntityReport
from factoryverse.sdk.types import Direction, EntityState, PositionLike

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["EntityView", "BaseEntity", "Entity"]


class EntityView(str, enum.Enum):
    """How an entity object was obtained, and so what it may do (see the module's table).

    Example: `furnace.view is EntityView.REACHABLE`
    """

    REACHABLE = "reachable"
    REMOTE = "remote"


class BaseEntity:
    """Any entity. Family classes (Furnace, Inserter, ...) add their affordances through mixins.

    `state` is the game's answer to inspect_entity when the object was fetched or last refreshed (REACHABLE);
    `row` is the map database's row (REMOTE). `inspect()` describes whichever the object holds.

    Example: `furnace = await reachable_view.get_entity('stone-furnace'); print(furnace.inspect())`
    """

    entity_types: ClassVar[frozenset[str]] = frozenset()
    # The map database table holding this kind's own facts, and the columns its report reads: a REMOTE object
    # fetched with `SELECT * FROM map_entity` gets them too (RemoteView.get_entities), not only one from a join.
    _kind_table: ClassVar[tuple[str, tuple[str, ...]] | None] = None

    def __init__(
        self,
        name: str,
        position: PositionLike,
        *,
        agent: Agent | None = None,
        unit_number: int | None = None,
        view: EntityView = EntityView.REMOTE,
        is_ghost: bool = False,
        entity_type: str | None = None,
        direction: Direction | int | str | None = None,
        state: EntityState | None = None,
        row: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.position = position_arg(position, type(self).__name__)
        self.agent = agent
        self.unit_number = unit_number
        self.view = view
        self.is_ghost = is_ghost
        self.entity_type = entity_type
        self.direction = Direction.of(direction) if direction is not None else Direction.NORTH
        self.state = state
        self.row = row

    @property
    def entity_key(self) -> int | None:
        """The map database's key of this entity (its unit_number).

        Example: `remote_view.query(f'SELECT * FROM map_entity WHERE entity_key = {furnace.entity_key}')`
        """
        return self.unit_number

    def __repr__(self) -> str:
        ghost = ", ghost" if self.is_ghost else ""
        return f"{type(self).__name__}({self.name!r} at {self.position}, {self.view.value}{ghost})"

    # --- looking -------------------------------------------------------------------------------------------
    @overload
    def inspect(self, structured: Literal[False] = False) -> str: ...

    @overload
    def inspect(self, structured: Literal[True]) -> EntityReport: ...

    def inspect(self, structured: bool = False) -> str | EntityReport:
        """What this object knows, as text for a person (or an EntityReport with `structured=True`).

        REACHABLE: the game's state when fetched or last refreshed (`await entity.refresh()` reads it anew);
        REMOTE: the map database's row; a ghost: the entity it plans.

        Example: `print(furnace.inspect()); report = furnace.inspect(structured=True)`
        """
        facts: dict[str, Any] = {
            "name": self.name, "type": self.entity_type, "position": self.position, "direction": self.direction,
            "view": self.view.value, "is_ghost": self.is_ghost, "unit_number": self.unit_number,
        }
        if self.state is not None:
            facts.update(status=self.state.status, inventories=self.state.inventories, burner=self.state.burner,
                         reachable=self.state.reachable, recipe=self.state.recipe)
        facts.update(self._extra_facts())
        report = EntityReport.model_validate(facts)
        return report if structured else self._describe(report)

    def _extra_facts(self) -> dict[str, Any]:
        """Family classes add the EntityReport fields of their kind (a recipe, a drop position)."""
        return {}

    def _describe(self, report: EntityReport) -> str:
        kind = "ghost of " if self.is_ghost else ""
        lines = [f"{kind}{self.name} ({self.entity_type or 'entity'}) at {self.position}, facing "
                 f"{report.direction.name.lower()} [{self.view.value}]"]
        if report.status:
            lines.append(f"  status: {report.status}")
        for kind_name, items in report.inventories.items():
            shown = ", ".join(f"{count} {item}" for item, count in items.items()) or "empty"
            lines.append(f"  {kind_name}: {shown}")
        if report.burner is not None:
            lines.append(f"  burning: {report.burner.currently_burning or 'nothing'}")
        for key in _KIND_FACTS:
            value = getattr(report, key)
            if value is not None:
                lines.append(f"  {key}: {value}")
        if self.view is EntityView.REMOTE:
            lines.append("  (from the map database; walk within reach to act on it)")
        elif self.state is None and not self.is_ghost:
            lines.append("  (state not read yet: await entity.refresh())")
        return "\n".join(lines)

    async def refresh(self) -> BaseEntity:
        """Read the entity's state from the game again (looking needs no reach); returns self.

        Example: `print((await furnace.refresh()).inspect())`
        """
        agent = self._looker("refresh it")
        state = await agent.inspect_entity("entity-ghost" if self.is_ghost else self.name, self.position)
        self.state = state
        self.unit_number = state.unit_number
        self.direction = state.direction
        if not self.is_ghost:
            self.entity_type = state.type
        return self

    async def read_state(self) -> EntityState:
        """The entity's current state from the game (refreshes this object).

        Example: `state = await furnace.read_state(); state.status`
        """
        await self.refresh()
        assert self.state is not None
        return self.state

    async def is_reachable(self) -> bool:
        """Whether the agent's character can reach the entity now (the game's can_reach_entity).

        Example: `if not await drill.is_reachable(): await walking.to(drill.position)`
        """
        agent = self._looker("check its reach")
        raw = await agent.call("inspect_entity", "entity-ghost" if self.is_ghost else self.name, self.position)
        return bool(raw.get("reachable"))

    async def to_reachable(self) -> BaseEntity:
        """This entity as a REACHABLE object, when the game says the agent can reach it now; else ReachError.

        Example: `furnace = await remote_furnace.to_reachable()`
        """
        agent = self._looker("reach it")
        if not await self.is_reachable():
            raise RemoteViewError(
                f"{self!r} is out of the agent's reach; walk closer first: await walking.to({self.position!r})",
                agent_id=agent.agent_id, method="to_reachable",
            )
        clone = type(self)(
            self.name, self.position, agent=agent, unit_number=self.unit_number, view=EntityView.REACHABLE,
            is_ghost=self.is_ghost, entity_type=self.entity_type, direction=self.direction, row=self.row,
        )
        if not self.is_ghost:
            await clone.refresh()
        return clone

    # --- acting --------------------------------------------------------------------------------------------
    async def pickup(self) -> dict[str, int]:
        """Mine this entity back into the agent's inventory; returns the items gained. The object is stale after.

        Example: `gained = await chest.pickup()`
        """
        agent = self._mutator("pick it up", "pickup_entity")
        return await self._guard_reach(agent.pickup_entity(self.name, self.position), "pickup_entity")

    async def rotate(self, reverse: bool = False) -> Direction:
        """Turn the entity a quarter clockwise (counter-clockwise with reverse); returns its new direction.

        Example: `facing = await inserter.rotate()`
        """
        agent = self._mutator("rotate it", "rotate_entity")
        raw = await self._guard_reach(agent.call("rotate_entity", self.name, self.position, reverse), "rotate_entity")
        self.direction = Direction.of(int(raw["direction"]))
        return self.direction

    async def remove(self) -> bool:
        """Remove this ghost (from either view); a real entity is removed with pickup().

        Example: `await ghost.remove()`
        """
        if not self.is_ghost:
            raise ViewError(f"remove() is for ghosts; {self!r} is a real entity: await entity.pickup()",
                            method="remove_ghost")
        agent = self._looker("remove it")
        raw = await agent.call("remove_ghost", self.name, self.position)
        return bool(raw.get("removed"))

    async def build(self) -> BaseEntity:
        """Build this ghost from the agent's inventory (REACHABLE only); returns the real entity, REACHABLE.

        Example: `belt = await ghost.build()`
        """
        if not self.is_ghost:
            raise ViewError(f"{self!r} is already built", method="build_ghost")
        agent = self._reachable_agent("build it", "build_ghost")
        raw = await self._guard_reach(agent.call("build_ghost", self.name, self.position), "build_ghost")
        from factoryverse.sdk.entities.registry import reachable_entity

        return await reachable_entity(agent, raw["name"], raw["position"])

    async def put(self, item: str, count: int, inventory: str | None = None) -> int:
        """Move `count` of `item` from the agent into this entity (fuel, input, output or chest); returns how many.

        Example: `await furnace.put('coal', 5, 'fuel')`
        """
        agent = self._mutator(f"put {item} into it", "put_inventory_item")
        return await self._guard_reach(
            agent.put_inventory_item(item, count, self.name, self.position, inventory), "put_inventory_item")

    async def take(self, item: str, count: int, inventory: str | None = None) -> int:
        """Move up to `count` of `item` from this entity into the agent; returns how many were taken.

        Example: `taken = await chest.take('iron-plate', 20)`
        """
        agent = self._mutator(f"take {item} from it", "take_inventory_item")
        return await self._guard_reach(
            agent.take_inventory_item(item, count, self.name, self.position, inventory), "take_inventory_item")

    # --- view rules ----------------------------------------------------------------------------------------
    def _looker(self, what: str) -> Agent:
        if self.agent is None:
            raise ViewError(f"cannot {what}: {self!r} has no agent to act through; fetch it through an agent's "
                            "reachable_view or remote_view")
        return self.agent

    def _reachable_agent(self, what: str, method: str) -> Agent:
        agent = self._looker(what)
        if self.view is not EntityView.REACHABLE:
            raise RemoteViewError(
                f"cannot {what}: {self!r} is a REMOTE view (read-only). Walk within reach "
                f"(await walking.to({self.position!r})), then get it with await entity.to_reachable() "
                "or await reachable_view.get_entity(name)",
                agent_id=agent.agent_id, method=method,
            )
        return agent

    def _mutator(self, what: str, method: str) -> Agent:
        if self.is_ghost:
            raise GhostError(f"cannot {what}: {self!r} is a ghost with no live state; await ghost.build() first",
                             agent_id=self.agent.agent_id if self.agent else None, method=method)
        return self._reachable_agent(what, method)

    async def _guard_reach(self, call: Any, method: str) -> Any:
        """Await a mutation; the game's out_of_reach comes back saying where to walk."""
        try:
            return await call
        except OutOfReachError as exc:
            raise OutOfReachError(
                f"{self!r} has gone out of reach: walk closer (await walking.to({self.position!r})) and try "
                f"again. The game said: {exc.detail}",
                code=exc.code, detail=exc.detail, interface=exc.interface, method=method, traceback=exc.traceback,
            ) from exc


# The report's fields of one kind, printed as "key: value" lines when the object knows them.
_KIND_FACTS = ("recipe", "output_position", "mining_target", "contents")


class Entity(BaseEntity):
    """An entity of a type without affordances of its own (a wall, a radar, ...): look, pick up, rotate.

    Example: `wall = await reachable_view.get_entity('stone-wall'); await wall.pickup()`
    """
