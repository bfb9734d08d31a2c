"""Reaching a recorded server's game: listing the instances (never their secrets), RCON, Lua, interface versions,
the engine's state hash."""

from __future__ import annotations

import json
import re
from typing import Any

from factorio_rcon import RCONBaseError, RCONClient

from factoryverse.servers._errors import LuaError, RconError, ServerNotRunningError, UnknownServerError
from factoryverse.servers.instances import Instance, list_instances

__all__ = ["instances", "get_instance", "rcon", "run_lua", "remote_versions", "state_hash"]

_RCON_TIMEOUT_S = 30.0
# A status listing must not hang on one busy server: a hash of a starting map takes well under a second.
_STATE_HASH_TIMEOUT_S = 3.0
# The embedded engine's answer to /fv-state-hash (docs/engine.md); real Factorio has no such command.
_STATE_HASH_REPLY = re.compile(r"tick=(\d+) hash=([0-9a-f]{64})")
# Factorio's own prefix for a /sc command whose Lua raised; the engine answers the same way.
_LUA_ERROR_PREFIX = "Cannot execute command."
_PUBLIC_FIELDS = ("id", "pid", "backend", "rcon_host", "rcon_port", "snapshot_udp_port", "seed", "mode", "started_at",
                  "port_notes")

_VERSIONS_LUA = (
    "local out = {} "
    "for name, fns in pairs(remote.interfaces) do "
    "  if fns.version then "
    "    local ok, v = pcall(remote.call, name, 'version') "
    "    out[name] = ok and v or {error = tostring(v)} "
    "  else out[name] = {error = 'this interface has no version()'} end "
    "end "
    "rcon.print(helpers.table_to_json(out))"
)


def _public(inst: Instance) -> dict[str, Any]:
    # A whitelist, so a field added to Instance later is not published by accident (the password is one).
    out: dict[str, Any] = {f: getattr(inst, f) for f in _PUBLIC_FIELDS}
    out["port_notes"] = list(inst.port_notes)
    out["ports"] = inst.ports()  # every role's, as `fv server status --json` lists them
    out["alive"] = inst.alive()
    out["script_output"] = str(inst.script_output)
    out["db_path"] = str(inst.db_path)
    return out


def instances() -> list[dict[str, Any]]:
    """Every recorded instance with its ports and whether its process is alive; no secrets."""
    return [_public(i) for i in list_instances()]


def get_instance(instance_id: int, *, running: bool = True) -> Instance:
    """The recorded instance `instance_id`; with `running`, its process must be alive."""
    for inst in list_instances():
        if inst.id == instance_id:
            if running and not inst.alive():
                raise ServerNotRunningError(
                    f"server {instance_id} is recorded but its process {inst.pid} is not running (see its "
                    f"{inst.log_path}); run `fv server status`, clear the record with `fv server stop "
                    f"{instance_id}` and start a new one with `fv server start --detach`"
                )
            return inst
    known = ", ".join(str(i.id) for i in list_instances()) or "none"
    raise UnknownServerError(
        f"no server with id {instance_id} (known ids: {known}); run `fv server status` to list them "
        "or `fv server start --detach` to start one"
    )


def rcon(instance_id: int, command: str, *, timeout: float = _RCON_TIMEOUT_S) -> str:
    """Send one console command and return the reply text ("" for none).

    A command not starting with "/" is Lua and goes out as `/sc <command>`.
    """
    inst = get_instance(instance_id)
    line = command if command.startswith("/") else f"/sc {command}"
    try:
        client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, timeout=timeout)
    except (RCONBaseError, OSError) as exc:
        raise RconError(
            f"cannot connect to server {instance_id}'s RCON at {inst.rcon_host}:{inst.rcon_port}: {exc}; "
            "run `fv server status` to check it is running"
        ) from exc
    try:
        reply = client.send_command(line)
    except (RCONBaseError, OSError) as exc:
        raise RconError(
            f"server {instance_id} dropped the RCON command ({exc}); it may have crashed or be busy for "
            f"longer than {timeout:.0f} s: check `fv server status` and its server.log"
        ) from exc
    finally:
        client.close()
    return reply or ""


def run_lua(instance_id: int, code: str) -> str:
    """Run Lua with /sc as the server admin and return what it printed with rcon.print."""
    if not code.strip():
        raise LuaError("no Lua code given; pass a chunk such as `rcon.print(game.tick)`")
    reply = rcon(instance_id, f"/sc {code}")
    if reply.startswith(_LUA_ERROR_PREFIX):
        raise LuaError(f"the Lua raised an error on server {instance_id}: {reply}")
    return reply


def remote_versions(instance_id: int) -> dict[str, Any]:
    """version() of every remote interface the server registers, by interface name."""
    reply = run_lua(instance_id, _VERSIONS_LUA)
    try:
        data = json.loads(reply)
    except json.JSONDecodeError as exc:
        raise LuaError(
            f"server {instance_id} answered the version query with something not JSON: {reply[:200]!r}"
        ) from exc
    # Anything but an object (an old engine wrote an empty table as []) means no interfaces registered.
    return data if isinstance(data, dict) else {}


def state_hash(inst: Instance, *, timeout: float = _STATE_HASH_TIMEOUT_S) -> dict[str, Any] | None:
    """`{"tick", "hash"}` from a running server's `/fv-state-hash`, or None when it is not running, does not answer
    within `timeout`, or answers something else (real Factorio, or a state that has no hash)."""
    if not inst.alive():
        return None
    try:
        client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, timeout=timeout)
    except (RCONBaseError, OSError):
        return None
    try:
        reply = client.send_command("/fv-state-hash") or ""
    except (RCONBaseError, OSError):
        return None
    finally:
        client.close()
    m = _STATE_HASH_REPLY.fullmatch(reply.strip())
    return {"tick": int(m.group(1)), "hash": m.group(2)} if m else None
