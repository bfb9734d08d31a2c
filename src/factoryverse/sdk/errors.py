"""The SDK's one exception tree: everything it raises is a FactoryVerseError.

    FactoryVerseError
    ├── RconError                    transport to the game (RCON)
    │   ├── RconConnectionError      cannot reach the server, or the connection dropped
    │   │   └── RconTimeoutError     the server did not answer a command in time
    │   ├── RconAuthError            wrong RCON password
    │   └── UnexpectedReplyError     the game answered something the SDK cannot parse
    ├── LuaError                     a Lua error raised by the game, with its traceback
    ├── RemoteCallError              a mod method refused the call ("[fv:<code>] ...")
    │   ├── one subclass per error code of remote_interfaces.json (OutOfReachError, ...)
    │   ├── UnknownInterfaceError    no such remote interface or method
    │   └── ActionError              an async action (walk_to, mine_resource) did not succeed
    │       ├── ActionTimeoutError
    │       └── ActionFailedError
    ├── InterfaceVersionError        a mod speaks another schema_version than this SDK
    ├── GameClockError               the game's clock did not do what was asked (another client moved it)
    │   └── TickTimeoutError         the game did not reach a tick in time (paused, or slower than expected)
    ├── NotSupportedByServerError    the server lacks an engine-only feature (real Factorio: /fv-state-hash)
    ├── ForkRefusedError             the game would not fork (its last command failed)
    ├── ListenerError                the UDP listener for action completions failed
    ├── ViewError                    a mutation through a REMOTE view or a ghost
    │   ├── RemoteViewError          the object is a REMOTE view (also a ReachError: walk closer)
    │   └── GhostError               the object is a ghost: build it first
    ├── NoRemoteViewError            the agent has no map database (RemoteView) attached
    └── MapDatabaseError             the map database (RemoteView) refused: bad SQL, a limit, a damaged snapshot

Categories: every error of a kind also derives from one category class, so `except ReachError` catches
whatever came of being too far away, from the game (OutOfReachError) or from a REMOTE object (RemoteViewError):

    connection   RconConnectionError         (RconTimeoutError)
    timeout      RconTimeoutError, ActionTimeoutError, TickTimeoutError
    remote call  RemoteCallError             every refusal by a mod, with agent_id, method and the game's message
    validation   InvalidArgumentError        a bad argument, found by the SDK before sending or by the mod
    reach        ReachError                  OutOfReachError, NoResourceInReachError, RemoteViewError
    placement    PlacementError              PlacementBlockedError
    inventory    InventoryError              NotInInventoryError, InventoryFullError
    recipe       RecipeError                 UnknownRecipeError, CraftRefusedError
    research     ResearchError               UnknownTechnologyError, ResearchRefusedError

Errors of a remote call carry `agent_id` (None for interfaces that belong to no agent), `method` and `detail`,
the game's own message.
"""

from __future__ import annotations

from typing import Any

__all__ = [
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
    "UnknownRecipeError",
    "UnknownTechnologyError",
    "GameRefusedError",
    "InterfaceDisabledError",
    "ActionCancelledError",
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
    "RemoteViewError",
    "GhostError",
    "NoRemoteViewError",
    "MapDatabaseError",
    "ReachError",
    "PlacementError",
    "InventoryError",
    "RecipeError",
    "ResearchError",
    "CraftRefusedError",
    "ResearchRefusedError",
    "error_class_for_code",
]


class FactoryVerseError(Exception):
    """Base of every error the SDK raises."""


class ReachError(FactoryVerseError):
    """Category: the target is too far from the agent's character; walk closer (walking.to) and try again."""


class PlacementError(FactoryVerseError):
    """Category: an entity cannot be placed where asked; the message names what is in the way."""


class InventoryError(FactoryVerseError):
    """Category: items are missing, or there is no room for them."""


class RecipeError(FactoryVerseError):
    """Category: a recipe is unknown, or the game will not craft it that way."""


class ResearchError(FactoryVerseError):
    """Category: a technology is unknown, or the game will not research it now."""


class RconError(FactoryVerseError):
    """Talking to the game over RCON failed."""


class RconConnectionError(RconError):
    """The RCON server cannot be reached, or the connection broke during a command.

    A command whose connection broke may or may not have run; the next call reconnects.
    """


class RconTimeoutError(RconConnectionError):
    """The game did not answer a command within the timeout (it may be saving, or stuck)."""


class RconAuthError(RconError):
    """The RCON server rejected the password."""


class UnexpectedReplyError(RconError):
    """The game's reply is not in the shape the SDK sent for (e.g. not JSON)."""

    def __init__(self, message: str, *, reply: str) -> None:
        super().__init__(message)
        self.reply = reply


class LuaError(FactoryVerseError):
    """A Lua error in the game. `lua_message` is Lua's own text, `traceback` its stack (may be empty)."""

    def __init__(self, message: str, *, lua_message: str, traceback: str = "") -> None:
        super().__init__(message)
        self.lua_message = lua_message
        self.traceback = traceback


class RemoteCallError(FactoryVerseError):
    """A remote interface method refused the call.

    `code` is the `[fv:<code>]` from the mod (None when the game itself refused), `detail` the mod's
    message (which says what to do), `interface`/`method` the call, `traceback` the Lua stack if any.
    """

    code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        detail: str = "",
        interface: str | None = None,
        method: str | None = None,
        traceback: str = "",
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.detail = detail or message
        self.interface = interface
        self.method = method
        self.traceback = traceback

    @property
    def agent_id(self) -> int | None:
        """The agent whose interface (agent_<id>) refused the call; None for the other interfaces."""
        name = self.interface or ""
        return int(name[6:]) if name.startswith("agent_") and name[6:].isdigit() else None


class InvalidArgumentError(RemoteCallError):
    """An argument has the wrong type or shape; the message names it and what it must be."""

    code = "invalid_argument"


class UnknownAgentError(RemoteCallError):
    """No live agent with that id: list_agents() shows the live ones; create a new agent."""

    code = "unknown_agent"


class UnknownEntityError(RemoteCallError):
    """No entity prototype of that name: use a name from data.raw, e.g. "stone-furnace"."""

    code = "unknown_entity"


class UnknownItemError(RemoteCallError):
    """No item prototype of that name: use a name from data.raw, e.g. "coal"."""

    code = "unknown_item"


class NotInInventoryError(RemoteCallError, InventoryError):
    """The agent (or the entity) does not hold enough of the item: mine, craft or take it first."""

    code = "not_in_inventory"


class OutOfReachError(RemoteCallError, ReachError):
    """The target is beyond the character's reach: walk_to a closer position first."""

    code = "out_of_reach"


class PlacementBlockedError(RemoteCallError, PlacementError):
    """The entity cannot be placed there: the message names what is in the way; pick another spot."""

    code = "placement_blocked"


class EntityNotFoundError(RemoteCallError):
    """No entity of that name at that position: pass the entity's own (center) position."""

    code = "entity_not_found"


class NoResourceInReachError(RemoteCallError, ReachError):
    """No tile of that resource within reach: walk_to an ore tile first."""

    code = "no_resource_in_reach"


class InventoryFullError(RemoteCallError, InventoryError):
    """The target inventory cannot take the items: make room (e.g. put items into a chest) first."""

    code = "inventory_full"


class AgentBusyError(RemoteCallError):
    """The agent is already doing an action of that kind: await it before starting another."""

    code = "busy"


class NoPathError(RemoteCallError):
    """No path to the goal: pick another goal or a larger radius.

    Raised by walk_to when its completion reports no_path; `action_id` and `result` are then set.
    """

    code = "no_path"
    action_id: int | None = None
    result: dict[str, Any] | None = None


class InvalidStateError(RemoteCallError):
    """The call needs a state the game is not in yet (take_snapshot before the snapshot has a run id)."""

    code = "invalid_state"


class UnknownRecipeError(RemoteCallError, RecipeError):
    """No recipe prototype of that name."""

    code = "unknown_recipe"


class UnknownTechnologyError(RemoteCallError, ResearchError):
    """No technology prototype of that name."""

    code = "unknown_technology"


class GameRefusedError(RemoteCallError):
    """The game itself refused the action (e.g. hand-crafting a smelting recipe); the detail carries its error."""

    code = "game_refused"


class CraftRefusedError(GameRefusedError, RecipeError):
    """The game refused to craft a recipe by hand (e.g. a smelting recipe: put the ore into a furnace instead)."""


class ResearchRefusedError(GameRefusedError, ResearchError):
    """The game refused to research a technology now (already researched, or its prerequisites are missing)."""


class InterfaceDisabledError(RemoteCallError):
    """A development interface (admin, test_ground) is disabled on this server, as for evaluation."""

    code = "disabled"


class ActionCancelledError(RemoteCallError):
    """An async action was cancelled (stop_walking, stop_mining, craft_dequeue, cancel_current_research)."""

    code = "cancelled"


class UnknownInterfaceError(RemoteCallError):
    """No remote interface (or method) of that name: is the mod loaded, is the agent still alive?"""


class ActionError(RemoteCallError):
    """An async action did not complete successfully. `agent_id`, `action_id` and `action` name it."""

    def __init__(
        self,
        message: str,
        *,
        agent_id: int | None,
        action_id: int,
        action: str,
        code: str | None = None,
        detail: str = "",
        interface: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, detail=detail, interface=interface, method=action)
        self._agent_id = agent_id
        self.action_id = action_id
        self.action = action
        self.result = result


    @property
    def agent_id(self) -> int | None:
        return self._agent_id


class ActionTimeoutError(ActionError):
    """No completion arrived in time. The action may still be running in the game."""


class ActionFailedError(ActionError):
    """The game reported the action as failed; `code` says why, `result` holds the partial result."""


class InterfaceVersionError(FactoryVerseError):
    """A mod's remote interface speaks another schema_version than this SDK: install matching versions."""


class GameClockError(FactoryVerseError):
    """The game's clock did not do what was asked: e.g. step(n) found the game past its target, or its ticks_to_run
    cleared early, because another client paused, resumed or stepped the same game meanwhile."""


class TickTimeoutError(GameClockError):
    """The game did not reach the awaited tick in time; `tick` is where it was, `paused` whether it was tick-paused
    (a paused game only advances by ticks_to_run)."""

    def __init__(self, message: str, *, tick: int, target: int, paused: bool) -> None:
        super().__init__(message)
        self.tick = tick
        self.target = target
        self.paused = paused


class NotSupportedByServerError(FactoryVerseError):
    """The server does not offer this: an embedded-engine feature (such as /fv-state-hash) asked of real Factorio,
    or of an engine too old to have it. `reply` is what the server answered."""

    def __init__(self, message: str, *, reply: str) -> None:
        super().__init__(message)
        self.reply = reply


class ForkRefusedError(FactoryVerseError):
    """The game refused to fork (its last command failed, or a bad fork name); it runs on untouched. `reply` is
    what it answered."""

    def __init__(self, message: str, *, reply: str) -> None:
        super().__init__(message)
        self.reply = reply


class ListenerError(FactoryVerseError):
    """The UDP listener for action completions could not bind, or was closed while waited on."""


class ViewError(FactoryVerseError):
    """A mutation was attempted through a view that cannot mutate (REMOTE view, or a ghost)."""

    def __init__(self, message: str, *, agent_id: int | None = None, method: str | None = None) -> None:
        super().__init__(message)
        self.agent_id = agent_id
        self.method = method


class RemoteViewError(ViewError, ReachError):
    """A mutation on a REMOTE object (from the map database): walk within reach and get its REACHABLE view
    (`await entity.to_reachable()` or `await reachable_view.get_entity(name)`)."""


class GhostError(ViewError):
    """A state mutation on a ghost (fuel, recipe, items): a ghost has no live state; build() it first."""


class NoRemoteViewError(FactoryVerseError):
    """The agent has no map database attached: `view = RemoteView(snapshot_dir); await view.load();
    agent.use_remote_view(view)`."""


_BY_CODE: dict[str, type[RemoteCallError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        UnknownAgentError,
        UnknownEntityError,
        UnknownItemError,
        NotInInventoryError,
        OutOfReachError,
        PlacementBlockedError,
        EntityNotFoundError,
        NoResourceInReachError,
        InventoryFullError,
        AgentBusyError,
        NoPathError,
        InvalidStateError,
        UnknownRecipeError,
        UnknownTechnologyError,
        GameRefusedError,
        InterfaceDisabledError,
        ActionCancelledError,
    )
    if cls.code is not None
}


def error_class_for_code(code: str) -> type[RemoteCallError]:
    """The typed error for an `[fv:<code>]` code; RemoteCallError itself for a code this SDK does not know."""
    return _BY_CODE.get(code, RemoteCallError)


class MapDatabaseError(FactoryVerseError):
    """The map database refused: SQL with an error, a query past its limits, a damaged snapshot, a sync failure.
    `sql` is the query when there was one; the database's own error is the cause (__cause__)."""

    def __init__(self, message: str, *, sql: str | None = None) -> None:
        super().__init__(message)
        self.sql = sql
