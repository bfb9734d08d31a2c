"""One server's part of a hot reload: save its game over RCON, and start it again from that save.

`/save NAME` is the console command both the engine and a real Factorio server take. The engine writes the file
before it answers ("Saved the game to PATH"); real Factorio saves between ticks and may answer first, so without
that answer the file's arrival in the saves folder is awaited (file events, bounded).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import watchfiles
from factorio_rcon import RCONBaseError, RCONClient

from factoryverse.engine.save import SAVE_SUFFIX
from factoryverse.servers.instances import Instance, InstanceError, configure_instance, start_instance, stop_instance
from factoryverse.servers.ports import PortPlan

__all__ = ["ReloadError", "RELOAD_SAVE_NAMES", "GameClock", "read_clock", "restore_clock", "next_save_name",
           "save_game", "await_save", "game_tick", "start_from_save"]

# Two names used in turn: the next save never overwrites the last good one before it is complete.
RELOAD_SAVE_NAMES = ("_hotreload1", "_hotreload2")
# The engine's save files and real Factorio's.
_SAVE_SUFFIXES = (SAVE_SUFFIX, ".zip")
_SAVED_REPLY = re.compile(r"Saved the game to (.+)")
# How long the saves folder must stay unchanged before a save file in it counts as written.
_QUIET_MS = 500


class ReloadError(InstanceError):
    """A server's game could not be saved for a reload (RCON failed, the save was refused or did not appear in
    time); the server was left running as it was."""


def _command(inst: Instance, command: str, timeout: float) -> str:
    try:
        client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, timeout=timeout)
    except (RCONBaseError, OSError) as exc:
        raise ReloadError(f"instance {inst.id} does not answer RCON at {inst.rcon_host}:{inst.rcon_port}: {exc}; "
                          "see `fv server status` and its server.log") from exc
    try:
        return (client.send_command(command) or "").strip()
    except (RCONBaseError, OSError) as exc:
        raise ReloadError(f"instance {inst.id} dropped the RCON command {command!r}: {exc}; "
                          "see `fv server status` and its server.log") from exc
    finally:
        client.close()


def game_tick(inst: Instance, timeout: float = 10.0) -> int:
    """The game's current tick, asked over RCON."""
    reply = _command(inst, "/sc rcon.print(game.tick)", timeout)
    try:
        return int(reply)
    except ValueError as exc:
        raise ReloadError(f"instance {inst.id} answered {reply!r} when asked for game.tick") from exc


@dataclass(frozen=True)
class GameClock:
    """game.speed and game.tick_paused as the game had them: a server starts from a save with the clock of its
    command line, so a reload sets them back."""

    speed: float
    tick_paused: bool


def read_clock(inst: Instance, timeout: float = 10.0) -> GameClock:
    reply = _command(inst, "/sc rcon.print(string.format('%.17g', game.speed) .. ' ' .. tostring(game.tick_paused))",
                     timeout)
    speed, _, paused = reply.partition(" ")
    try:
        return GameClock(float(speed), {"true": True, "false": False}[paused])
    except (ValueError, KeyError) as exc:
        raise ReloadError(f"instance {inst.id} answered {reply!r} when asked for game.speed and game.tick_paused") \
            from exc


def restore_clock(inst: Instance, clock: GameClock, timeout: float = 10.0) -> None:
    reply = _command(inst, f"/sc game.speed = {clock.speed!r} game.tick_paused = {str(clock.tick_paused).lower()}",
                     timeout)
    if reply:
        raise ReloadError(f"instance {inst.id} did not take back its clock (game.speed = {clock.speed}, "
                          f"game.tick_paused = {clock.tick_paused}): {reply}")


def next_save_name(last: Path | None) -> str:
    """The reload save name that is not `last`'s, so the last good save survives a failed save."""
    return RELOAD_SAVE_NAMES[1] if last is not None and last.name.startswith(RELOAD_SAVE_NAMES[0]) \
        else RELOAD_SAVE_NAMES[0]


def _saves_named(folder: Path, name: str) -> list[Path]:
    return [folder / f"{name}{suffix}" for suffix in _SAVE_SUFFIXES if (folder / f"{name}{suffix}").is_file()]


def save_game(inst: Instance, name: str, timeout: float) -> Path:
    """Save `inst`'s game as `name` in its saves folder with `/save`; the path once the file is complete."""
    folder = inst.saves
    # An older save of this name is not the last good one (next_save_name): remove it so its presence cannot be
    # taken for the new save.
    for old in _saves_named(folder, name):
        old.unlink()
    reply = _command(inst, f"/save {name}", timeout)
    saved = _SAVED_REPLY.fullmatch(reply)
    if saved:
        return Path(saved.group(1))
    if reply.startswith(("Error", "Cannot", "Unknown command")):
        raise ReloadError(f"instance {inst.id} refused to save: {reply}")
    return await_save(inst, folder, name, timeout, reply)


def await_save(inst: Instance, folder: Path, name: str, timeout: float, reply: str) -> Path:
    """Wait (file events, at most `timeout` s) until save `name` is in `folder` and the folder has been quiet for a
    moment, so a file still being written is not taken; `reply` (the server's answer to /save) goes into the
    error."""
    deadline = time.monotonic() + timeout
    folder.mkdir(parents=True, exist_ok=True)
    remaining_ms = max(1, int(timeout * 1000))
    # An empty batch means no change for `rust_timeout` ms; one taken before the watch was set up is seen then too.
    for changes in watchfiles.watch(folder, debounce=remaining_ms, step=100,
                                    rust_timeout=min(_QUIET_MS, remaining_ms), yield_on_timeout=True,
                                    raise_interrupt=False):
        found = _saves_named(folder, name)
        if found and not changes:
            return found[0]
        if time.monotonic() >= deadline:
            break
    raise ReloadError(f"instance {inst.id} did not write {name} into {folder} within {timeout:.0f} s "
                      f"(it answered {reply!r} to /save); it runs on with its old mods")


def _ports(inst: Instance) -> PortPlan:
    return PortPlan(rcon=inst.rcon_port, game_udp=inst.game_udp_port, snapshot_udp=inst.snapshot_udp_port,
                    agent_udp=list(inst.agent_udp_ports))


def start_from_save(inst: Instance, save: Path, *, mods_dir: Path, clock: GameClock, autosave_minutes: float,
                    docker_image: str | None = None) -> Instance:
    """Start instance `inst.id` again from `save` with the mods in `mods_dir`, keeping its id, ports (where still
    free), RCON password, mode, backend and Factorio binary; configure it (new run id) and set its `clock` back.
    InstanceError if it does not start; nothing is left running then."""
    new = start_instance(inst.id, mode=inst.mode, speed=clock.speed, mods_dir=mods_dir,
                         rcon_password=inst.rcon_password, load=save, autosave_minutes=autosave_minutes,
                         backend=inst.backend, factorio_bin=Path(inst.factorio_bin) if inst.factorio_bin else None,
                         docker_image=docker_image, ports=_ports(inst))
    try:
        configure_instance(new)
        restore_clock(new, clock)
    except (InstanceError, RCONBaseError, OSError) as exc:
        stop_instance(new)
        raise InstanceError(f"instance {inst.id} started from {save} but could not be configured: {exc}") from exc
    return new
