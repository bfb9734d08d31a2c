"""Fork a running server: the same game, continued by new servers with their own run id, folder and ports.

Each copy is a copy-on-write fork of the parent's engine process (the engine's `/fv-fork-server`,
engine/server/forking.py): the parent stops for a few milliseconds, and the copy is a server of its own, with its
own RCON port and password, script-output, saves and log, recorded as a new instance and given a new run id, so
its map database and snapshot files start afresh. Refused while the game's last command failed, unless forced.
For a search or an RL reset, pause the parent first (`client.pause()`), so every fork starts from the state you
chose; a fork keeps the parent's clock (paused stays paused) unless `mode` says otherwise.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import asdict

from factorio_rcon import RCONClient

from factoryverse.servers._process import start_ticks
from factoryverse.servers.ports import fallback_notes
from factoryverse.servers._records import record_path, write_private_json
from factoryverse.servers._reservations import release, reserve
from factoryverse.servers.instances import (
    Instance,
    InstanceError,
    _fresh_folder,
    configure_instance,
    stop_instance,
)

__all__ = ["fork_instance", "ForkError"]

_MODES = ("paused", "realtime", "fast")


class ForkError(InstanceError):
    """The server did not fork: its answer says why (its last command failed, it is not the embedded engine);
    nothing was started and the server runs on untouched."""


def _ask_fork(parent: Instance, spec: dict) -> dict:
    client = RCONClient(parent.rcon_host, parent.rcon_port, parent.rcon_password, connect_on_init=True)
    try:
        reply = (client.send_command("/fv-fork-server " + json.dumps(spec)) or "").strip()
    finally:
        client.close()
    word, _, payload = reply.partition(" ")
    if word == "FORKED":
        return json.loads(payload)
    if reply.startswith("Unknown command"):
        raise ForkError(f"instance {parent.id} cannot fork: it is not the embedded engine (it answered {reply!r}); "
                        "on real Factorio, /save and start a server from that save")
    raise ForkError(f"instance {parent.id} did not fork: {reply.removeprefix('Error: ')}")


def _fork_one(parent: Instance, *, force: bool, mode: str | None) -> Instance:
    iid, plan = reserve(None)
    try:
        folder = record_path(iid).parent
        _fresh_folder(folder)
        password = secrets.token_urlsafe(12)
        started_at = time.time()
        report = _ask_fork(parent, {
            "script_output": str(folder / "script-output"),
            "saves_dir": str(folder / "saves"),
            "log": str(folder / "server.log"),
            "rcon_port": 0,
            "rcon_password": password,
            "mode": mode,
            "force": force,
        })
        pid = int(report["pid"])
        inst = Instance(
            id=iid, pid=pid, rcon_host=parent.rcon_host, rcon_port=int(report["rcon_port"]), rcon_password=password,
            snapshot_udp_port=plan.snapshot_udp, seed=parent.seed, folder=str(folder), started_at=started_at,
            mode=str(report.get("mode") or parent.mode), run_id=uuid.uuid4().hex,
            process_start=start_ticks(pid), factoryverse_version=parent.factoryverse_version,
            factorio_version=parent.factorio_version, factorio_base_version=parent.factorio_base_version,
            factorio_api_version=parent.factorio_api_version, mods=dict(parent.mods),
            agent_udp_ports=list(plan.agent_udp),
        )
        plan.rcon = inst.rcon_port
        plan.game_udp = 0
        inst.port_notes = fallback_notes(iid, plan)
        write_private_json(record_path(iid), asdict(inst))
        return inst
    finally:
        release(iid)


def fork_instance(inst: Instance, *, num: int = 1, force: bool = False, mode: str | None = None) -> list[Instance]:
    """Start `num` copies of `inst`'s running game as new instances, each configured (run id, snapshot port)."""
    if num < 1:
        raise InstanceError(f"a fork starts at least one instance, not {num}")
    if mode is not None and mode not in _MODES:
        raise InstanceError(f"mode must be one of {', '.join(_MODES)}, not {mode!r}")
    started: list[Instance] = []
    try:
        for _ in range(num):
            child = _fork_one(inst, force=force, mode=mode)
            started.append(child)
            configure_instance(child)
    except Exception:
        for child in started:
            stop_instance(child)
        raise
    return started
