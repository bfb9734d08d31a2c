"""Fork a running server: the same game, continued by new servers with their own run id, folder and ports.

The running game saves itself as a fork (the engine's `/fv-fork`, refused while its last command failed unless
forced), then each new instance starts from that save, exactly as `fv server start --load` would: same seed, tick,
world and mods' storage; a new run id, so its map database and snapshot files start afresh. The parent keeps
running untouched. For a search or an RL reset, pause the parent first (`client.pause()`), so the fork is the
state you chose.
"""

from __future__ import annotations

import re
from pathlib import Path

from factorio_rcon import RCONClient

from factoryverse.servers.instances import Instance, InstanceError, configure_instance, start_instance, stop_instance

__all__ = ["fork_instance", "ForkError"]

_FORKED = re.compile(r"Forked the game to (.+)")


class ForkError(InstanceError):
    """The server did not fork: its answer says why (its last command failed, it is not the embedded engine, a
    bad name); nothing was started and the server runs on untouched."""


def request_fork_save(inst: Instance, *, force: bool = False, name: str | None = None) -> Path:
    """Have the game save itself as a fork; the save's path."""
    command = "/fv-fork" + (" force" if force else "") + (f" {name}" if name else "")
    client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, connect_on_init=True)
    try:
        reply = (client.send_command(command) or "").strip()
    finally:
        client.close()
    m = _FORKED.fullmatch(reply)
    if m is None:
        if reply.startswith("Unknown command"):
            raise ForkError(f"instance {inst.id} cannot fork: it is not the embedded engine (it answered {reply!r}); "
                            "on real Factorio, /save and start a server from that save")
        raise ForkError(f"instance {inst.id} did not fork: {reply.removeprefix('Error: ')}")
    return Path(m.group(1))


def fork_instance(
    inst: Instance, *, num: int = 1, force: bool = False, mode: str | None = None, name: str | None = None,
) -> list[Instance]:
    """Start `num` new instances continuing `inst`'s game from now; each configured (run id, snapshot port)."""
    if num < 1:
        raise InstanceError(f"a fork starts at least one instance, not {num}")
    save = request_fork_save(inst, force=force, name=name)
    started: list[Instance] = []
    try:
        for _ in range(num):
            child = start_instance(mode=mode or inst.mode, load=save,
                                   factorio_version=inst.factorio_version or None)
            started.append(child)
            configure_instance(child)
    except Exception:
        for child in started:
            stop_instance(child)
        raise
    return started
