"""FactoryVerse's async Python SDK: drive agents in a Factorio (or embedded-engine) game.

It reaches the game only over RCON, UDP and script-output files::

    async with FactoryVerseClient("127.0.0.1", 27000, "factoryverse") as game:
        agent = await game.create_agent(position=(0, 0))
        await agent.walk_to(10, 5)
"""

from factoryverse.sdk.agent import Agent
from factoryverse.sdk.client import FactoryVerseClient
from factoryverse.sdk.clock import ClockState
from factoryverse.sdk.errors import (
    ActionError,
    ActionFailedError,
    ActionTimeoutError,
    AgentBusyError,
    EntityNotFoundError,
    FactoryVerseError,
    GameClockError,
    InterfaceVersionError,
    InvalidArgumentError,
    InventoryFullError,
    ListenerError,
    LuaError,
    NoPathError,
    InvalidStateError,
    NoResourceInReachError,
    NotInInventoryError,
    NotSupportedByServerError,
    ForkRefusedError,
    OutOfReachError,
    PlacementBlockedError,
    RconAuthError,
    RconConnectionError,
    RconError,
    RconTimeoutError,
    RemoteCallError,
    TickTimeoutError,
    UnexpectedReplyError,
    UnknownAgentError,
    UnknownEntityError,
    UnknownInterfaceError,
    UnknownItemError,
    ViewError,
)
from factoryverse.sdk.objects import BaseEntity, Container, EntityView, Furnace, MiningDrill
from factoryverse.sdk.rcon import RconClient
from factoryverse.sdk.remote import remote_call
from factoryverse.sdk.state_hash import StateHash
from factoryverse.sdk.types import (
    ActionCompleted,
    AgentInfo,
    AgentState,
    Blocker,
    BurnerState,
    Direction,
    EntityState,
    InterfaceVersion,
    MineResult,
    PlacedEntity,
    PlacementCheck,
    Position,
    SnapshotStatus,
    WalkResult,
)
from factoryverse.sdk.udp import ActionListener

__all__ = [
    # connecting
    "FactoryVerseClient",
    "RconClient",
    "ActionListener",
    "remote_call",
    # agents and factory objects
    "Agent",
    "EntityView",
    "BaseEntity",
    "Furnace",
    "MiningDrill",
    "Container",
    # values
    "Position",
    "Direction",
    "InterfaceVersion",
    "AgentInfo",
    "AgentState",
    "PlacedEntity",
    "BurnerState",
    "EntityState",
    "WalkResult",
    "MineResult",
    "Blocker",
    "PlacementCheck",
    "SnapshotStatus",
    "ActionCompleted",
    "ClockState",
    "StateHash",
    # errors
    "FactoryVerseError",
    "RconError",
    "RconConnectionError",
    "RconTimeoutError",
    "RconAuthError",
    "UnexpectedReplyError",
    "LuaError",
    "RemoteCallError",
    "InvalidArgumentError",
    "UnknownAgentError",
    "UnknownEntityError",
    "UnknownItemError",
    "NotInInventoryError",
    "OutOfReachError",
    "PlacementBlockedError",
    "EntityNotFoundError",
    "NoResourceInReachError",
    "InventoryFullError",
    "AgentBusyError",
    "NoPathError",
    "InvalidStateError",
    "UnknownInterfaceError",
    "ActionError",
    "ActionTimeoutError",
    "ActionFailedError",
    "InterfaceVersionError",
    "GameClockError",
    "TickTimeoutError",
    "NotSupportedByServerError",
    "ForkRefusedError",
    "ListenerError",
    "ViewError",
]
