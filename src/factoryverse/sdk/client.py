"""The SDK's entry point: one game, reached over RCON, with one shared UDP listener for its agents."""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any

from factoryverse.sdk import clock as _clock
from factoryverse.sdk._args import position_arg
from factoryverse.sdk.agent import DEFAULT_ACTION_TIMEOUT, Agent
from factoryverse.sdk.clock import ClockState
from factoryverse.sdk.errors import InterfaceVersionError, UnexpectedReplyError
from factoryverse.sdk.rcon import RconClient
from factoryverse.sdk.records import SnapshotConfig
from factoryverse.sdk.remote import remote_call
from factoryverse.sdk.state_hash import StateHash, read_state_hash, request_fork
from factoryverse.sdk.types import (
    AgentInfo,
    Direction,
    InterfaceVersion,
    PlacementCheck,
    PositionLike,
    SnapshotStatus,
)
from factoryverse.sdk.udp import ActionListener

__all__ = ["FactoryVerseClient", "SCHEMA_VERSION", "INTERFACES", "PROTOTYPE_NAMES_LUA", "parse_prototype_names"]

# The remote_interfaces.json contract this SDK speaks.
SCHEMA_VERSION = 1
# Interface -> the mod that registers it, for messages that say what to install.
INTERFACES = {
    "agent": "fv_embodied_agent",
    "admin": "fv_embodied_agent",
    "map": "fv_snapshot",
    "placement_hints": "fv_placement_hints",
}


# Entity prototype names grouped by type, as JSON; used by prototype_names() and by front ends holding only RCON.
PROTOTYPE_NAMES_LUA = (
    "local out = {} "
    "for name, p in pairs(prototypes.entity) do "
    "  local t = p.type; out[t] = out[t] or {}; out[t][#out[t] + 1] = name "
    "end "
    "rcon.print(helpers.table_to_json(out))"
)


def parse_prototype_names(reply: str) -> dict[str, list[str]]:
    """The reply of PROTOTYPE_NAMES_LUA as {prototype type: sorted names}."""
    try:
        raw = json.loads(reply)
    except json.JSONDecodeError as exc:
        raise UnexpectedReplyError(f"prototype names came back as {reply[:200]!r}", reply=reply) from exc
    if not isinstance(raw, dict):
        raise UnexpectedReplyError(f"prototype names came back as {reply[:200]!r}", reply=reply)
    return {kind: sorted(names) for kind, names in sorted(raw.items())}


class FactoryVerseClient:
    """`async with FactoryVerseClient("127.0.0.1", 27000, "pw") as game: agent = await game.create_agent()`.

    Completions of agents' actions arrive over UDP on `udp_host` (the game sends them to its localhost,
    so the SDK must run on the game's machine). `check_versions` makes connect() verify every mod
    interface speaks SCHEMA_VERSION.

    Example: `async with FactoryVerseClient('127.0.0.1', 27015, 'password') as game: print(await game.tick())`
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        rcon_port: int = 27000,
        password: str = "factoryverse",
        *,
        udp_host: str = "127.0.0.1",
        rcon_timeout: float = 30.0,
        action_timeout: float = DEFAULT_ACTION_TIMEOUT,
        check_versions: bool = True,
    ) -> None:
        self.rcon = RconClient(host, rcon_port, password, timeout=rcon_timeout)
        self.udp_host = udp_host
        self.action_timeout = action_timeout
        self.check_versions = check_versions
        self._listener: ActionListener | None = None
        self._listener_lock = asyncio.Lock()

    async def connect(self) -> None:
        """Connect RCON now (and check the mods' versions when `check_versions`); `async with` does this.

        Example: `game = FactoryVerseClient('127.0.0.1', 27015, 'pw'); await game.connect()`
        """
        await self.rcon.connect()
        if self.check_versions:
            await self.version()

    async def close(self) -> None:
        """Close RCON and the UDP listener. Agents stay in the game; destroy_agents() removes them.

        Example: `await game.close()`
        """
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        await self.rcon.close()

    async def __aenter__(self) -> FactoryVerseClient:
        try:
            await self.connect()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def call(self, interface: str, method: str, *args: Any) -> Any:
        """Call any remote interface method (see remote_call); the typed methods below are preferred.

        Example: `agents = await game.call('agent', 'list_agents')`
        """
        return await remote_call(self.rcon, interface, method, *args)

    async def listener(self) -> ActionListener:
        """The UDP listener every agent of this client reports to (started on first use).

        Example: `port = (await game.listener()).port`
        """
        async with self._listener_lock:
            if self._listener is None:
                listener = ActionListener(self.udp_host, 0)
                await listener.start()
                self._listener = listener
            return self._listener

    async def prototype_names(self) -> dict[str, list[str]]:
        """Entity prototype names by prototype type, read from the game (`prototypes.entity`), sorted.

        The map database makes its name columns ENUMs from these, so they come from the game actually running
        (base game, mods) rather than from a copy of the data on this side.

        Example: `furnaces = (await game.prototype_names())['furnace']`
        """
        return parse_prototype_names(await self.rcon.lua(PROTOTYPE_NAMES_LUA))

    async def tick(self) -> int:
        """The game's current tick (game.tick).

        Example: `now = await game.tick()`
        """
        reply = await self.rcon.lua("rcon.print(game.tick)")
        try:
            return int(reply)
        except ValueError as exc:
            raise UnexpectedReplyError(f"game.tick came back as {reply!r}", reply=reply) from exc

    # -- the game's clock (sdk/clock.py): Factorio's own members, so these work on real Factorio too --------------

    async def clock(self) -> ClockState:
        """game.tick, tick_paused, ticks_to_run and speed.

        Example: `state = await game.clock(); state.tick, state.speed`
        """
        return await _clock.read_clock(self.rcon)

    async def pause(self) -> ClockState:
        """Stop ticks (game.tick_paused = true); commands still run. Returns the clock as it stopped.

        Example: `await game.pause()`
        """
        return await _clock.pause(self.rcon)

    async def resume(self) -> ClockState:
        """Run freely again (clears any ticks_to_run left, then game.tick_paused = false).

        Example: `await game.resume()`
        """
        return await _clock.resume(self.rcon)

    async def step(self, ticks: int, *, timeout: float | None = None) -> ClockState:
        """Advance exactly `ticks` ticks and leave the game paused (game.ticks_to_run); returns once it has.
        Raises GameClockError if another client moved the clock meanwhile, TickTimeoutError past `timeout`.

        Example: `await game.pause(); state = await game.step(60)`
        """
        return await _clock.step(self.rcon, ticks, timeout=timeout)

    async def set_speed(self, speed: float) -> float:
        """game.speed (1.0 = 60 UPS, at least 0.01); returns what the game took (a 32-bit float).

        Example: `await game.set_speed(4.0)`
        """
        return await _clock.set_speed(self.rcon, speed)

    async def wait_ticks(self, ticks: int, *, timeout: float | None = None) -> ClockState:
        """Return once the game has run `ticks` more ticks; TickTimeoutError (saying if it is paused) past timeout.

        Example: `await game.wait_ticks(600, timeout=30)`
        """
        return await _clock.wait_ticks(self.rcon, ticks, timeout=timeout)

    async def wait_until_tick(self, tick: int, *, timeout: float | None = None) -> ClockState:
        """Return once game.tick >= `tick`; TickTimeoutError (saying if it is paused) past `timeout`.

        Example: `await game.wait_until_tick(3600, timeout=120)`
        """
        return await _clock.wait_until_tick(self.rcon, tick, timeout=timeout)

    async def state_hash(self, *, sections: bool = False) -> StateHash:
        """The embedded engine's digest of the game state (`/fv-state-hash`), with the tick it was taken at.
        Raises NotSupportedByServerError on real Factorio, which has no such command.

        Example: `digest = (await game.state_hash()).hash`
        """
        return await read_state_hash(self.rcon, sections=sections)

    async def fork_save(self, *, force: bool = False, name: str | None = None) -> str:
        """Have the embedded engine save the game as a fork (`/fv-fork`) and return the save's path on the server's
        machine; start new servers from it with `fv server fork` / `fv server start --load PATH` (or
        `factoryverse.servers.fork_instance`, which does both). Pause first to fork an exact state. Raises
        ForkRefusedError if the game's last command failed (unless `force`), NotSupportedByServerError on real
        Factorio (use /save there).

        Example: `await game.pause(); path = await game.fork_save(name='before-smelting')`
        """
        return await request_fork(self.rcon, force=force, name=name)

    async def version(self, interface: str | None = None) -> dict[str, InterfaceVersion]:
        """version() of one interface or of every mod interface; raises InterfaceVersionError on a mismatch.

        Example: `versions = await game.version(); versions['agent'].mod_version`
        """
        names = [interface] if interface is not None else list(INTERFACES)
        found: dict[str, InterfaceVersion] = {}
        for name in names:
            answered = InterfaceVersion.model_validate(await self.call(name, "version"))
            if answered.schema_version != SCHEMA_VERSION:
                mod = INTERFACES.get(name, "its mod")
                raise InterfaceVersionError(
                    f"the {name!r} interface ({mod} {answered.mod_version}) speaks schema_version "
                    f"{answered.schema_version} but this SDK speaks {SCHEMA_VERSION}; install the {mod} version "
                    "that ships with this SDK (or upgrade the SDK)"
                )
            found[name] = answered
        return found

    async def create_agent(self, position: PositionLike | None = None, *, name: str | None = None) -> Agent:
        """Create a character with its own force; it spawns at the free spot nearest `position` (default 0,0).

        Example: `agent = await game.create_agent(position=(0, 0), name='miner')`
        """
        listener = await self.listener()
        options: dict[str, Any] = {}
        if position is not None:
            options["position"] = position_arg(position, "create_agent")
        if name is not None:
            options["name"] = name
        raw = await self.call("agent", "create_agent", listener.port, options or None)
        return Agent(self.rcon, listener, AgentInfo.model_validate(raw), action_timeout=self.action_timeout)

    async def list_agents(self) -> list[AgentInfo]:
        """Every live agent: id, interface, force and where it stands.

        Example: `ids = [a.agent_id for a in await game.list_agents()]`
        """
        raw = await self.call("agent", "list_agents")
        return [AgentInfo.model_validate(item) for item in raw or []]

    async def destroy_agents(self, agent_ids: list[int] | None = None) -> list[int]:
        """Destroy those agents (all when None); returns the ids destroyed. An unknown id destroys nothing.

        Example: `await game.destroy_agents([agent.agent_id])`
        """
        raw = await self.call("agent", "destroy_agents", agent_ids)
        destroyed = raw.get("destroyed", []) if isinstance(raw, dict) else []
        return [int(i) for i in destroyed]

    async def add_items(self, agent: Agent | int, items: dict[str, int]) -> dict[str, int]:
        """Development utility (admin interface): put items straight into an agent's inventory, bypassing
        gameplay, e.g. a scenario's starting kit. Returns what was inserted; raises InventoryFullError if
        not everything fits.

        Example: `await game.add_items(agent, {'coal': 50, 'iron-plate': 20})`
        """
        agent_id = agent.agent_id if isinstance(agent, Agent) else agent
        raw = await self.call("admin", "add_items", agent_id, items)
        inserted = raw.get("inserted", {}) if isinstance(raw, dict) else {}
        return {name: int(count) for name, count in (inserted or {}).items()}

    async def validate_placement(
        self, entity_name: str, position: PositionLike, direction: Direction | int | None = None
    ) -> PlacementCheck:
        """Whether `entity_name` could be placed at `position` now, and if not what blocks it (placement_hints).

        Example: `check = await game.validate_placement('stone-furnace', (5, 5)); check.valid`
        """
        facing = int(direction) if direction is not None else None
        at = position_arg(position, "validate_placement")
        raw = await self.call("placement_hints", "validate_placement", entity_name, at, facing)
        return PlacementCheck.model_validate(raw)

    async def snapshot_status(self) -> SnapshotStatus:
        """fv_snapshot's phase (waiting, bootstrap, complete), run id, delta seq and UDP port.

        Example: `(await game.snapshot_status()).phase`
        """
        return SnapshotStatus.model_validate(await self.call("map", "get_snapshot_status"))

    async def configure_snapshot(self, *, run_id: str | None = None, udp_port: int | None = None) -> SnapshotConfig:
        """Point fv_snapshot's deltas at `udp_port` and give the game its run id (it writes nothing before one).

        A run id new to the game removes the previous run's files and starts a new snapshot; whoever starts
        a server chooses it (`fv server start` does, a uuid4 hex), since the game cannot make up a unique one.
        Returns the settings now in force, and whether a new run began.

        Example: `await game.configure_snapshot(run_id='run-1', udp_port=view.udp_port)`
        """
        config: dict[str, Any] = {}
        if run_id is not None:
            config["run_id"] = run_id
        if udp_port is not None:
            config["udp_port"] = udp_port
        return SnapshotConfig.model_validate(await self.call("map", "set_snapshot_config", config))
