"""Runs inside the kernel at start: connect to the game, bind the agent, fill the program namespace.

The SDK's objects are made on the kernel's SDK loop (see _eager) and the namespace holds them made eager.

The parent passes the game's address in the kernel's environment (see _env). The namespace comes from
`factoryverse.sdk.namespace`'s build_namespace(agent) when the SDK has it; `agent`, `game` and the clock are bound
in every case.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
from typing import Any

import factoryverse.sdk as sdk
from factoryverse.runtime._cell import INFO_MIME, publish
from factoryverse.runtime._eager import wrap
from factoryverse.runtime._sdk_loop import sdk_loop
from factoryverse.runtime._env import (ENV_AGENT, ENV_HOST, ENV_PASSWORD, ENV_PORT, ENV_SERVER, ENV_SNAPSHOT_DIR,
                                       ENV_SNAPSHOT_UDP)
from factoryverse.sdk import ActionListener, Agent, FactoryVerseClient, FactoryVerseError, ListenerError

__all__ = ["bootstrap", "CLOCK_NAMES", "AgentBindError"]

# FactoryVerseClient methods bound as plain names, so a program writes `await step(60)` as in the docs.
CLOCK_NAMES = ("clock", "pause", "resume", "step", "set_speed", "wait_ticks", "wait_until_tick")


class AgentBindError(Exception):
    """The agent asked for is not in the game."""


async def _attach(game: FactoryVerseClient, agent_id: int) -> Agent:
    """An Agent object for a character another process created.

    The game sends the agent's completions to the UDP port it was created with: that port is taken again when
    its creator has gone (a restarted kernel, an earlier `fv agent`); otherwise completions are read back from
    the game's log after the SDK's grace period, slower but complete.
    """
    infos = await game.list_agents()
    info = next((i for i in infos if i.agent_id == agent_id), None)
    if info is None:
        known = ", ".join(str(i.agent_id) for i in infos) or "none"
        raise AgentBindError(
            f"there is no agent {agent_id} in the game (live agents: {known}); leave out --agent to create one"
        )
    listener = None
    if info.udp_port:
        try:
            listener = ActionListener(game.udp_host, info.udp_port)
            await listener.start()
        except ListenerError:
            listener = None
    if listener is None:
        listener = await game.listener()
    return Agent(game.rcon, listener, info, action_timeout=game.action_timeout)


def _sdk_namespace() -> dict[str, Any]:
    return {name: getattr(sdk, name) for name in sdk.__all__}


async def _namespace(agent: Agent, game: FactoryVerseClient) -> dict[str, Any]:
    try:
        module = importlib.import_module("factoryverse.sdk.namespace")
    except ModuleNotFoundError as exc:
        if exc.name != "factoryverse.sdk.namespace":
            raise
        names = _sdk_namespace()
    else:
        built = module.build_namespace(agent)
        names = dict(await built if inspect.isawaitable(built) else built)
    for name in CLOCK_NAMES:
        names.setdefault(name, getattr(game, name))
    names.setdefault("agent", agent)
    names.setdefault("game", game)
    return names


async def _bind_remote_view(agent: Agent) -> str | None:
    """Give the agent the server's map as `remote_view`, kept current by the game's deltas; a note when it can't.

    The game sends its deltas to one UDP port, so one runtime per server gets the live map: the others say so
    rather than show a map that no longer changes.
    """
    folder, port = os.environ.get(ENV_SNAPSHOT_DIR, ""), os.environ.get(ENV_SNAPSHOT_UDP, "")
    if not folder or not port:
        return None
    try:
        from factoryverse.sdk.remote_view import RemoteView
    except ImportError as exc:
        return f"remote_view is not bound: the SDK has no RemoteView ({exc})"
    view = RemoteView(folder, udp_dispatcher=int(port))
    try:
        await view.load()
        await view.start()
    except FactoryVerseError as exc:
        await view.close()
        return (f"remote_view is not bound: {exc} (another runtime or `fv demo` may be receiving this server's "
                f"map deltas on UDP {port})")
    agent.use_remote_view(view)
    return None


async def _bind() -> tuple[dict[str, Any], dict[str, Any]]:
    host = os.environ[ENV_HOST]
    port = int(os.environ[ENV_PORT])
    game = FactoryVerseClient(host, port, os.environ[ENV_PASSWORD], check_versions=False)
    await game.connect()
    wanted = os.environ.get(ENV_AGENT, "")
    agent = await _attach(game, int(wanted)) if wanted else await game.create_agent()
    note = await _bind_remote_view(agent)
    names = await _namespace(agent, game)
    return names, {
        "agent_id": agent.agent_id,
        "server": os.environ.get(ENV_SERVER) or None,
        "address": f"{host}:{port}",
        "names": sorted(n for n in names if not n.startswith("_")),
        "notes": [note] if note else [],
    }


async def bootstrap(ns: dict[str, Any]) -> None:
    """Connect, bind the agent (create one when none was given) and publish what was bound.

    The SDK's client lives on the kernel's SDK loop (see _eager), so a program can wait for a call's result
    where it uses it without stopping the calls it waits for; the program sees the SDK's objects made eager.
    """
    names, info = await asyncio.wrap_future(sdk_loop().submit(_bind()))
    ns.update({name: wrap(value) for name, value in names.items()})
    publish(INFO_MIME, info)
