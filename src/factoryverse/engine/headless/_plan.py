"""From the command line to what the process will do: the action, its files, the mods, RCON, the version.

Everything that can be wrong in the command line or the files it names is checked here, before any game exists,
so a bad start fails at once with a message naming the option or file.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, FactorioVersion, factorio_version
from factoryverse.engine.headless._errors import OptionError
from factoryverse.engine.headless._mod_list import ModSelection, select_mods
from factoryverse.engine.headless._options import Options
from factoryverse.engine.headless._saves import find_save, latest_save, save_file_path
from factoryverse.engine.headless._settings_files import (
    MAX_SEED,
    MapGenSettingsFile,
    ServerSettings,
    read_map_gen_settings,
    read_server_settings,
)
from factoryverse.engine.headless._write_data import WriteData, read_write_data

__all__ = ["Plan", "Rcon", "make_plan", "running_version", "VERSION_ENV"]

# A real binary is one Factorio version; the engine runs as the one this names (engine/factorio_versions.py).
VERSION_ENV = "FACTORYVERSE_FACTORIO_VERSION"
_DEFAULT_RCON_PORT = 27015
_DEFAULT_GAME_PORT = 34197


@dataclass(frozen=True)
class Rcon:
    host: str
    port: int
    password: str
    # False: the command line asked for no RCON; the engine still needs one to be served, so it listens on a
    # loopback port with a random password that nobody is told (and logs no RCON line).
    announced: bool


@dataclass(frozen=True)
class Plan:
    action: str
    version: FactorioVersion
    write_data: WriteData
    mods_dir: Path
    mods: ModSelection
    # --create's file, --start-server's or the newest save: the save the game runs as (and saves to on quit).
    save: Path | None
    scenario: str | None
    seed: int
    map_gen: MapGenSettingsFile
    server: ServerSettings
    rcon: Rcon
    game_bind: str


def running_version() -> FactorioVersion:
    """The Factorio version this process runs as, from $FACTORYVERSE_FACTORIO_VERSION (default 2.0)."""
    # A bad value raises UnsupportedFactorioVersionError, which names the versions there are.
    return factorio_version(os.environ.get(VERSION_ENV) or DEFAULT_FACTORIO_VERSION)


def _host_port(text: str, flag: str, default_port: int | None) -> tuple[str, int]:
    host, sep, port = text.rpartition(":") if ":" in text else (text, "", "")
    if not sep:
        if default_port is None:
            raise OptionError(f"--{flag} {text}: give ADDRESS:PORT, e.g. 127.0.0.1:27015")
        return text, default_port
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise OptionError(f"--{flag} {text}: give ADDRESS:PORT with a port from 0 to 65535, e.g. 127.0.0.1:27015")
    return host, int(port)


def _rcon(opts: Options) -> Rcon:
    port = opts.integer("rcon-port", low=0, high=65535)
    bind = opts.value("rcon-bind")
    if bind is None and port is None:
        return Rcon("127.0.0.1", 0, secrets.token_urlsafe(24), announced=False)
    password = opts.value("rcon-password")
    if not password:
        raise OptionError("RCON needs a password: give --rcon-password PASSWORD with --rcon-port or --rcon-bind")
    if bind is not None:
        host, bind_port = _host_port(bind, "rcon-bind", None)
        return Rcon(host, bind_port if port is None else port, password, announced=True)
    # As the game: --rcon-port alone listens on every interface.
    return Rcon("0.0.0.0", port, password, announced=True)  # type: ignore[arg-type]


def _game_bind(opts: Options) -> str:
    port = opts.integer("port", low=0, high=65535)
    bind = opts.value("bind")
    host, bind_port = _host_port(bind, "bind", _DEFAULT_GAME_PORT) if bind is not None else ("0.0.0.0", None)
    return f"{host}:{port if port is not None else bind_port or _DEFAULT_GAME_PORT}"


def make_plan(opts: Options) -> Plan:
    action = opts.action
    if action is None:
        raise OptionError("nothing to do: give one of --create FILE, --start-server FILE, --start-server-load-latest "
                          "or --start-server-load-scenario [MOD/]NAME")
    if action != "start-server-load-latest" and not str(opts.given[action]).strip():
        raise OptionError(f"--{action} needs a value: " + ("a save file" if action != "start-server-load-scenario"
                                                            else "a scenario, as NAME or MOD/NAME"))
    version = running_version()
    # The files first: a mistake in one is reported before anything else is looked for.
    server = read_server_settings(opts.path("server-settings"))
    write_data = read_write_data(opts.path("config"), opts.path("executable-path"))
    mods_dir = opts.path("mod-directory") or write_data.mods
    if opts.path("mod-directory") is not None and not mods_dir.is_dir():
        raise OptionError(f"--mod-directory {mods_dir}: no such folder")
    seed_given = opts.integer("map-gen-seed", low=0, high=MAX_SEED)
    map_gen = read_map_gen_settings(opts.path("map-gen-settings"))
    seed = seed_given if seed_given is not None else map_gen.seed
    save: Path | None = None
    scenario: str | None = None
    if action == "create":
        save = save_file_path(opts.value("create") or "")
    elif action == "start-server":
        save = find_save(opts.value("start-server") or "", write_data.saves)
    elif action == "start-server-load-latest":
        save = latest_save(write_data.saves)
    else:
        scenario = opts.value("start-server-load-scenario")
    return Plan(
        action=action, version=version, write_data=write_data, mods_dir=mods_dir, mods=select_mods(mods_dir),
        save=save, scenario=scenario,
        # As the game: a new map without a seed gets a random one (logged, so the map can be made again).
        seed=seed if seed is not None else secrets.randbelow(MAX_SEED + 1),
        map_gen=map_gen, server=server, rcon=_rcon(opts),
        game_bind=_game_bind(opts),
    )
