"""The embedded engine's own console commands over RCON: the state hash (`/fv-state-hash`) and fork saves
(`/fv-fork`); real Factorio has neither.

The engine answers ``tick=<n> hash=<64 hex digits>``, then, for ``/fv-state-hash sections``, one ``<section>=<hex>``
line per part of the state (docs/engine.md). Two games that hash alike at the same tick are the same game.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from factoryverse.sdk.errors import ForkRefusedError, NotSupportedByServerError, UnexpectedReplyError
from factoryverse.sdk.rcon import RconClient

__all__ = ["StateHash", "STATE_HASH_COMMAND", "FORK_COMMAND", "parse_state_hash", "read_state_hash", "request_fork"]

STATE_HASH_COMMAND = "/fv-state-hash"
FORK_COMMAND = "/fv-fork"
_FORKED = re.compile(r"Forked the game to (.+)")
_LINE = re.compile(r"tick=(\d+) hash=([0-9a-f]{64})")
_SECTION = re.compile(r"([a-z_]+)=([0-9a-f]{64})")


@dataclass(frozen=True)
class StateHash:
    """The embedded engine's digest of the game state at a tick; `sections` splits it by part when asked.

    Example: `before = await game.state_hash(); ...; assert (await game.state_hash()).hash == before.hash`
    """

    tick: int
    hash: str
    sections: dict[str, str] = field(default_factory=dict)


def parse_state_hash(reply: str) -> StateHash:
    """The engine's answer as a StateHash; NotSupportedByServerError if the server does not know the command."""
    lines = reply.strip().splitlines()
    head = _LINE.fullmatch(lines[0].strip()) if lines else None
    if head is None:
        if reply.startswith("Error: "):
            # The engine has the command but this state has no hash (a function in a mod's storage): its words.
            raise UnexpectedReplyError(f"the game has no state hash now: {reply[len('Error: '):][:500]}", reply=reply)
        # Anything else is a server without the command: real Factorio says `Unknown command "fv-state-hash".`
        raise NotSupportedByServerError(
            f"the server has no {STATE_HASH_COMMAND} command (it answered {reply.strip()[:200]!r}): the state "
            "hash is a FactoryVerse embedded-engine feature, and real Factorio has nothing like it",
            reply=reply,
        )
    sections = {}
    for line in lines[1:]:
        m = _SECTION.fullmatch(line.strip())
        if m is None:
            raise UnexpectedReplyError(f"{STATE_HASH_COMMAND} sent an unreadable line {line[:200]!r}", reply=reply)
        sections[m.group(1)] = m.group(2)
    return StateHash(int(head.group(1)), head.group(2), sections)


async def read_state_hash(rcon: RconClient, *, sections: bool = False, timeout: float | None = None) -> StateHash:
    command = STATE_HASH_COMMAND + (" sections" if sections else "")
    return parse_state_hash(await rcon.command(command, timeout=timeout))


async def request_fork(rcon: RconClient, *, force: bool = False, name: str | None = None,
                       timeout: float | None = None) -> str:
    """The path of the fork save the engine wrote (see FactoryVerseClient.fork_save)."""
    if name is not None and (not name or any(c.isspace() for c in name)):
        raise ValueError(f"a fork name is one word, got {name!r}")
    command = FORK_COMMAND + (" force" if force else "") + (f" {name}" if name else "")
    reply = (await rcon.command(command, timeout=timeout)).strip()
    m = _FORKED.fullmatch(reply)
    if m is not None:
        return m.group(1)
    if reply.startswith("Error: "):
        raise ForkRefusedError(f"the game did not fork: {reply[len('Error: '):][:500]}", reply=reply)
    raise NotSupportedByServerError(
        f"the server has no {FORK_COMMAND} command (it answered {reply[:200]!r}): forking is a FactoryVerse "
        "embedded-engine feature; on real Factorio, /save and start a server from the save", reply=reply)
