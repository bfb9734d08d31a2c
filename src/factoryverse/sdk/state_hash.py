"""The embedded engine's state hash over RCON (`/fv-state-hash`); real Factorio has no such command.

The engine answers ``tick=<n> hash=<64 hex digits>``, then, for ``/fv-state-hash sections``, one ``<section>=<hex>``
line per part of the state (docs/engine.md). Two games that hash alike at the same tick are the same game.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from factoryverse.sdk.errors import NotSupportedByServerError, UnexpectedReplyError
from factoryverse.sdk.rcon import RconClient

__all__ = ["StateHash", "STATE_HASH_COMMAND", "parse_state_hash", "read_state_hash"]

STATE_HASH_COMMAND = "/fv-state-hash"
_LINE = re.compile(r"tick=(\d+) hash=([0-9a-f]{64})")
_SECTION = re.compile(r"([a-z_]+)=([0-9a-f]{64})")


@dataclass(frozen=True)
class StateHash:
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
