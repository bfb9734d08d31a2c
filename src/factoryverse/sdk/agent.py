"""An agent: one character in the game, driven through its own `agent_<id>` remote interface."""

from __future__ import annotations

import asyncio
import math
import numbers
from typing import TYPE_CHECKING, Any

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
    from factoryverse.sdk.objects import BaseEntity

__all__ = ["Agent", "DEFAULT_ACTION_TIMEOUT"]

# Generous for the embedded engine at real time: a 100-tile walk takes about 11 s at running speed.
DEFAULT_ACTION_TIMEOUT = 60.0


def _counts(value: Any) -> dict[str, int]:
    return dict(PickupResult.model_validate({"name": "", "items": value}).items)


def _number(method: str, name: str, value: Any) -> float:
    # Checked here: float("a") would raise a bare ValueError, outside the SDK's error tree.
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InvalidArgumentError(f"{method}: {name} must be a finite number, not {value!r}")
    return float(value)


def _goal(x: Any, y: Any) -> Position:
    if y is None:
        return Position.of(x)
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

    @property
    def agent_id(self) -> int:
        return self.info.agent_id

    @property
    def rcon(self) -> RconClient:
        return self._rcon

    @property
    def interface_name(self) -> str:
        return self.info.interface_name

    def __repr__(self) -> str:
        return f"Agent(agent_id={self.agent_id}, interface={self.interface_name!r})"

    async def call(self, method: str, *args: Any) -> Any:
        """Call any method of this agent's interface; the typed methods below are preferred."""
        return await remote_call(self._rcon, self.interface_name, method, *args)

    async def version(self) -> InterfaceVersion:
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
        """Hand-mine `count` units (at most 25) of the nearest `name` in reach, or of the tile at `position`."""
        at = Position.of(position) if position is not None else None
        limit = _timeout("mine_resource", timeout)
        started = await self.call("mine_resource", name, count, at)
        done = await self._completion(started, "mine_resource", limit)
        result = done.result
        return MineResult(action_id=done.action_id, item=result["item"], count=result["count"], tick=done.tick)

    async def place_entity(
        self, name: str, position: PositionLike, direction: Direction | int | None = None
    ) -> PlacedEntity:
        facing = _direction(direction)
        return PlacedEntity.model_validate(await self.call("place_entity", name, Position.of(position), facing))

    async def pickup_entity(self, name: str, position: PositionLike) -> dict[str, int]:
        """Mine a placed entity back into the inventory; returns the items gained (the entity and its contents)."""
        raw = await self.call("pickup_entity", name, Position.of(position))
        return _counts(raw.get("items") if isinstance(raw, dict) else raw)

    async def put_inventory_item(
        self, item: str, count: int, entity_name: str, position: PositionLike, inventory: str | None = None
    ) -> int:
        """Move items from the agent into an entity; returns how many went in.

        `inventory` is fuel, input, output or chest; by default fuel for fuel items, else input, else chest.
        """
        raw = await self.call("put_inventory_item", item, count, entity_name, Position.of(position), inventory)
        return int(raw["inserted"])

    async def take_inventory_item(
        self, item: str, count: int, entity_name: str, position: PositionLike, inventory: str | None = None
    ) -> int:
        """Move items from an entity into the agent; returns how many were taken (at most what it held)."""
        raw = await self.call("take_inventory_item", item, count, entity_name, Position.of(position), inventory)
        return int(raw["taken"])

    async def inventory(self) -> dict[str, int]:
        return _counts(await self.call("get_inventory_items"))

    async def inspect(self) -> AgentState:
        return AgentState.model_validate(await self.call("inspect"))

    async def inspect_entity(self, name: str, position: PositionLike) -> EntityState:
        """Read one entity (no reach needed to look)."""
        return EntityState.model_validate(await self.call("inspect_entity", name, Position.of(position)))

    async def entity(self, name: str, position: PositionLike) -> BaseEntity:
        """The entity at `position` as a factory object of its type (Furnace, MiningDrill, ...) in REACHABLE view.

        REACHABLE means mutations are sent to the game, which still checks the character's reach on each.
        """
        from factoryverse.sdk.objects import EntityView, entity_from_state

        return entity_from_state(await self.inspect_entity(name, position), self, view=EntityView.REACHABLE)

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

