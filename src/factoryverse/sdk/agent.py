"""An agent: one character in the game, driven through its own `agent_<id>` remote interface."""

from __future__ import annotations

import asyncio
import math
import numbers
from typing import TYPE_CHECKING, Any

from factoryverse.sdk._args import position_arg
from factoryverse.sdk.errors import ActionFailedError, ActionTimeoutError, InvalidArgumentError, NoPathError
from factoryverse.sdk.rcon import RconClient
from factoryverse.sdk.remote import describe_code, parse_fv_error, remote_call
from factoryverse.sdk.types import (
    ActionCompleted,
    AgentInfo,
    AgentState,
    Direction,
    EntityState,
    InterfaceVersion,
    MineResult,
    PickupResult,
    PlacedEntity,
    Position,
    PositionLike,
    WalkResult,
)
from factoryverse.sdk.udp import ActionListener

# How long to wait for a completion datagram before asking the game for the outcome (and again after each ask).
_UDP_GRACE_S = 2.0

if TYPE_CHECKING:
    from factoryverse.sdk.accessors import Crafting, Inventory, Mining, ReachableView, Research, Walking
    from factoryverse.sdk.entities import BaseEntity
    from factoryverse.sdk.remote_view import RemoteView

__all__ = ["Agent", "DEFAULT_ACTION_TIMEOUT", "item_counts"]

# Generous for the embedded engine at real time: a 100-tile walk takes about 11 s at running speed.
DEFAULT_ACTION_TIMEOUT = 60.0


def item_counts(value: Any) -> dict[str, int]:
    """{item: count} from the game's answer (which writes an empty table as [])."""
    return dict(PickupResult.model_validate({"name": "", "items": value}).items)


_counts = item_counts


def _number(method: str, name: str, value: Any) -> float:
    # Checked here: float("a") would raise a bare ValueError, outside the SDK's error tree.
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InvalidArgumentError(f"{method}: {name} must be a finite number, not {value!r}")
    return float(value)


def _goal(x: Any, y: Any) -> Position:
    if y is None:
        return position_arg(x, "walk_to")
    return Position(x=_number("walk_to", "x", x), y=_number("walk_to", "y", y))


def _timeout(method: str, value: Any) -> float | None:
    if value is not None and _number(method, "timeout", value) <= 0:
        raise InvalidArgumentError(f"{method}: timeout must be more than 0 seconds, not {value!r}")
    return value


def _direction(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(Direction(value))
    except (ValueError, TypeError) as exc:
        raise InvalidArgumentError(
            f"place_entity: direction must be a Direction or 0..15, not {value!r}; e.g. Direction.NORTH"
        ) from exc


class Agent:
    """Methods mirror the agent_<id> interface of remote_interfaces.json.

    walk_to and mine_resource start an action in the game and await its action_completed datagram, so
    they return when the action is done; a failed action raises NoPathError or ActionFailedError.

    Example: `agent = await game.create_agent(position=(0, 0)); await agent.walking.to(MapPosition(5, 0))`
    """

    def __init__(
        self,
        rcon: RconClient,
        listener: ActionListener,
        info: AgentInfo,
        *,
        action_timeout: float = DEFAULT_ACTION_TIMEOUT,
    ) -> None:
        self._rcon = rcon
        self._listener = listener
        self.info = info
        self.action_timeout = action_timeout
        self._accessors: dict[str, Any] = {}
        self._remote_view: RemoteView | None = None

    @property
    def agent_id(self) -> int:
        """The agent's id in the game (its interface is agent_<id>).

        Example: `print(agent.agent_id)`
        """
        return self.info.agent_id

    @property
    def rcon(self) -> RconClient:
        """The RCON connection this agent's calls go through (shared with its client).

        Example: `print(await agent.rcon.lua('rcon.print(game.tick)'))`
        """
        return self._rcon

    @property
    def interface_name(self) -> str:
        """The agent's remote interface, `agent_<id>`.

        Example: `await game.call(agent.interface_name, 'get_position')`
        """
        return self.info.interface_name

    def __repr__(self) -> str:
        return f"Agent(agent_id={self.agent_id}, interface={self.interface_name!r})"

    # --- accessors (seed: walking, mining, crafting, research, inventory, reachable_view, remote_view) -------
    def _accessor(self, name: str) -> Any:
        if name not in self._accessors:
            from factoryverse.sdk import accessors

            cls = {"walking": accessors.Walking, "mining": accessors.Mining, "crafting": accessors.Crafting,
                   "research": accessors.Research, "inventory": accessors.Inventory,
                   "reachable_view": accessors.ReachableView}[name]
            self._accessors[name] = cls(self)
        return self._accessors[name]

    @property
    def walking(self) -> Walking:
        """The walking accessor: `to`, `stop`, `position`.

        Example: `await agent.walking.to(MapPosition(10, 5))`
        """
        return self._accessor("walking")  # type: ignore[no-any-return]

    @property
    def mining(self) -> Mining:
        """The mining accessor: `mine`, `stop`.

        Example: `await agent.mining.mine('stone', max_count=5)`
        """
        return self._accessor("mining")  # type: ignore[no-any-return]

    @property
    def crafting(self) -> Crafting:
        """The crafting accessor: `craft`, `enqueue`, `dequeue`, `queue`, `recipes`.

        Example: `await agent.crafting.craft('iron-gear-wheel', count=2)`
        """
        return self._accessor("crafting")  # type: ignore[no-any-return]

    @property
    def research(self) -> Research:
        """The research accessor: `enqueue`, `cancel`, `queue`, `technologies`.

        Example: `await agent.research.enqueue('automation')`
        """
        return self._accessor("research")  # type: ignore[no-any-return]

    @property
    def inventory(self) -> Inventory:
        """The inventory accessor; `await agent.inventory()` still gives {item: count}.

        Example: `coal = await agent.inventory.get_total('coal')`
        """
        return self._accessor("inventory")  # type: ignore[no-any-return]

    @property
    def reachable_view(self) -> ReachableView:
        """The reachable view: entities, ghosts and resources in reach, with full access.

        Example: `furnace = await agent.reachable_view.get_entity('stone-furnace')`
        """
        return self._accessor("reachable_view")  # type: ignore[no-any-return]

    @property
    def remote_view(self) -> RemoteView:
        """The map database, bound to this agent (its entities can then turn REACHABLE, its ghosts be removed).

        Example: `labs = agent.remote_view.get_entities("SELECT * FROM map_entity WHERE entity_name = 'lab'")`
        """
        if self._remote_view is None:
            from factoryverse.sdk.errors import NoRemoteViewError

            raise NoRemoteViewError(
                f"{self!r} has no map database: view = RemoteView(snapshot_dir); await view.load(); "
                "agent.use_remote_view(view)"
            )
        return self._remote_view

    def use_remote_view(self, view: RemoteView) -> RemoteView:
        """Attach a loaded RemoteView; returns the copy bound to this agent (also `agent.remote_view`).

        Example: `view = RemoteView(snapshot_dir); await view.load(); agent.use_remote_view(view)`
        """
        self._remote_view = view.bind(self)
        return self._remote_view

    async def call(self, method: str, *args: Any) -> Any:
        """Call any method of this agent's interface; the typed methods below are preferred.

        With a syncing RemoteView attached, a mutation returns only once the map database has applied the
        snapshot deltas it caused (its answer's `seq`), so a query right after it sees its effect.

        Example: `where = await agent.call('get_position')`
        """
        result = await remote_call(self._rcon, self.interface_name, method, *args)
        view = self._remote_view
        if view is not None and view.syncing and isinstance(result, dict) and isinstance(result.get("seq"), int):
            await view.wait_for_seq(result["seq"])
        return result

    async def version(self) -> InterfaceVersion:
        """version() of this agent's interface: its schema_version and the mod's version.

        Example: `(await agent.version()).schema_version`
        """
        return InterfaceVersion.model_validate(await self.call("version"))

    async def walk_to(
        self,
        x: float | PositionLike,
        y: float | None = None,
        *,
        radius: float | None = None,
        timeout: float | None = None,
    ) -> WalkResult:
        """Walk to `(x, y)` (or a position) and return where the character stopped.

        `radius` is how close counts as arrived (the mod's default is 1 tile).

        Example: `await agent.walk_to(10, 5)`
        """
        # Every argument is checked before the walk starts, so a bad one leaves the game untouched.
        goal = _goal(x, y)
        options = {"radius": _number("walk_to", "radius", radius)} if radius is not None else None
        limit = _timeout("walk_to", timeout)
        started = await self.call("walk_to", goal, options)
        done = await self._completion(started, "walk_to", limit)
        return WalkResult(action_id=done.action_id, position=done.result["position"], tick=done.tick)

    async def mine_resource(
        self,
        name: str,
        count: int = 1,
        position: PositionLike | None = None,
        *,
        timeout: float | None = None,
    ) -> MineResult:
        """Hand-mine `count` units (at most 25) of the nearest `name` in reach, or of the tile at `position`.

        Example: `result = await agent.mine_resource('coal', 10)`
        """
        at = position_arg(position, "mine_resource") if position is not None else None
        limit = _timeout("mine_resource", timeout)
        started = await self.call("mine_resource", name, count, at)
        done = await self._completion(started, "mine_resource", limit)
        result = done.result
        return MineResult(action_id=done.action_id, item=result["item"], count=result["count"], tick=done.tick)

    async def place_entity(
        self, name: str, position: PositionLike, direction: Direction | int | None = None
    ) -> PlacedEntity:
        """Place `name` from the inventory at `position`, facing `direction`.

        PlacementBlockedError names what is in the way.

        Example: `placed = await agent.place_entity('stone-furnace', (3, 0), Direction.NORTH)`
        """
        facing = _direction(direction)
        at = position_arg(position, "place_entity")
        return PlacedEntity.model_validate(await self.call("place_entity", name, at, facing))

    async def pickup_entity(self, name: str, position: PositionLike) -> dict[str, int]:
        """Mine a placed entity back into the inventory; returns the items gained (the entity and its contents).

        Example: `gained = await agent.pickup_entity('wooden-chest', (2.5, 0.5))`
        """
        raw = await self.call("pickup_entity", name, position_arg(position, "pickup_entity"))
        return _counts(raw.get("items") if isinstance(raw, dict) else raw)

    async def put_inventory_item(
        self, item: str, count: int, entity_name: str, position: PositionLike, inventory: str | None = None
    ) -> int:
        """Move items from the agent into an entity; returns how many went in.

        `inventory` is fuel, input, output or chest; by default fuel for fuel items, else input, else chest.

        Example: `await agent.put_inventory_item('coal', 5, 'stone-furnace', (3, 0), 'fuel')`
        """
        at = position_arg(position, "put_inventory_item")
        raw = await self.call("put_inventory_item", item, count, entity_name, at, inventory)
        return int(raw["inserted"])

    async def take_inventory_item(
        self, item: str, count: int, entity_name: str, position: PositionLike, inventory: str | None = None
    ) -> int:
        """Move items from an entity into the agent; returns how many were taken (at most what it held).

        Example: `await agent.take_inventory_item('iron-plate', 10, 'stone-furnace', (3, 0))`
        """
        at = position_arg(position, "take_inventory_item")
        raw = await self.call("take_inventory_item", item, count, entity_name, at, inventory)
        return int(raw["taken"])

    async def inspect(self) -> AgentState:
        """The agent's state: position, reach, whether it walks or mines, and its inventory.

        Example: `state = await agent.inspect(); state.position`
        """
        return AgentState.model_validate(await self.call("inspect"))

    async def inspect_entity(self, name: str, position: PositionLike) -> EntityState:
        """Read one entity (no reach needed to look).

        Example: `state = await agent.inspect_entity('stone-furnace', (3, 0)); state.status`
        """
        at = position_arg(position, "inspect_entity")
        return EntityState.model_validate(await self.call("inspect_entity", name, at))

    async def entity(self, name: str, position: PositionLike) -> BaseEntity:
        """The entity at `position` as a factory object of its type (Furnace, MiningDrill, ...) in REACHABLE view.

        REACHABLE means mutations are sent to the game, which still checks the character's reach on each.

        Example: `furnace = await agent.entity('stone-furnace', (3, 0))`
        """
        from factoryverse.sdk.entities import EntityView, entity_from_state

        return entity_from_state(await self.inspect_entity(name, position), self, view=EntityView.REACHABLE)

    async def await_action(self, started: Any, action: str, timeout: float | None = None) -> ActionCompleted:
        """Wait for the completion of an action the game started (`started` is its {action_id, ...} answer);
        a failed action raises ActionFailedError (NoPathError for walks).

        Example: `done = await agent.await_action(await agent.call('craft_enqueue', 'pipe', 1), 'craft_enqueue')`
        """
        return await self._completion(started, action, _timeout(action, timeout))

    async def _completion(self, started: Any, action: str, timeout: float | None) -> ActionCompleted:
        """Wait for the UDP completion; if it is late, ask the game, which keeps each agent's recent outcomes.

        UDP may drop the datagram: the action's outcome is then read with get_action_result, so no state is lost.
        """
        action_id = int(started["action_id"])
        limit = self.action_timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            remaining = deadline - loop.time()
            try:
                done = await self._listener.wait_for(
                    self.agent_id, action_id, max(0.0, min(_UDP_GRACE_S, remaining)), action=action
                )
                break
            except ActionTimeoutError:
                recovered = await self._recover(action_id, action)
                if recovered is not None:
                    done = recovered
                    break
                if loop.time() >= deadline:
                    raise
        if not done.success:
            raise _failure(done, self.interface_name)
        return done

    async def _recover(self, action_id: int, action: str) -> ActionCompleted | None:
        """The completion from the game's log, None while the action runs; an action the game never saw fails."""
        answer = await self.call("get_action_result", action_id)
        status = answer.get("status") if isinstance(answer, dict) else None
        if status == "completed":
            self._listener.recovered += 1
            return ActionCompleted.model_validate(answer["record"])
        if status == "running":
            return None
        raise ActionFailedError(
            f"{action} (action {action_id} of agent {self.agent_id}) is unknown to the game: its completion is "
            "older than the 64 the agent keeps, or the server was restarted; start the action again",
            agent_id=self.agent_id, action_id=action_id, action=action, code=None, detail="unknown action",
            interface=self.interface_name, result={},
        )


def _failure(done: ActionCompleted, interface: str) -> NoPathError | ActionFailedError:
    coded = parse_fv_error(done.error or "")
    code, detail = coded if coded else (None, done.error or "no reason given")
    label = f"{code} ({describe_code(code)})" if code else "an error"
    message = f"{done.action} (action {done.action_id} of agent {done.agent_id}) failed with {label}: {detail}"
    if code == "no_path":
        error = NoPathError(message, code=code, detail=detail, interface=interface, method=done.action)
        error.action_id = done.action_id
        error.result = dict(done.result)
        return error
    return ActionFailedError(
        message, agent_id=done.agent_id, action_id=done.action_id, action=done.action,
        code=code, detail=detail, interface=interface, result=dict(done.result),
    )

