"""The files a real Factorio server reads, written into the instance folder: config.ini (whose write-data is the
instance folder, so script-output/ and saves/ land where the SDK and the map database look),
server-settings.json, map-gen-settings.json, config/rconpw (docker) and the mods packaged for the game's version."""

from __future__ import annotations

import json
import os
from pathlib import Path

from factoryverse.servers._instance_errors import InstanceError
from factoryverse.servers.mod_packages import ModPackageError, package_mods

__all__ = ["write_config_ini", "write_server_settings", "write_map_gen_settings", "write_rcon_password", "write_mods",
           "autosave_interval",
           "DLC_MODS"]

# Shipped with the 2.x game data (the headless server included) and enabled unless mod-list.json says otherwise;
# our mods are written for the base game.
DLC_MODS = ("elevated-rails", "quality", "space-age")


def write_config_ini(folder: Path) -> Path:
    path = folder / "config" / "config.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    # read-data stays the game's default; write-data moves the game's files into the instance folder.
    path.write_text(f"[path]\nread-data=__PATH__executable__/../../data\nwrite-data={folder.resolve()}\n",
                    encoding="utf-8")
    return path


def autosave_interval(minutes: float) -> int:
    """server-settings.json's autosave_interval (whole minutes, 0 = off) for `--autosave-minutes`."""
    if minutes < 0 or minutes != int(minutes):
        raise InstanceError(f"a Factorio server autosaves every whole number of minutes (0 = off); got {minutes}")
    return int(minutes)


def write_server_settings(folder: Path, *, autosave_minutes: float, name: str) -> Path:
    interval = autosave_interval(autosave_minutes)
    settings = {
        "name": name,
        "description": "A FactoryVerse research server",
        "tags": ["factoryverse"],
        "max_players": 0,
        # Not listed anywhere: the agents reach it over RCON, people who want to join know the address.
        "visibility": {"public": False, "lan": False},
        "require_user_verification": False,
        "allow_commands": "admins-only",
        "autosave_interval": interval,
        "autosave_slots": 5,
        "autosave_only_on_server": True,
        "non_blocking_saving": False,
        "afk_autokick_interval": 0,
        # An empty server must keep running: the agents are not players.
        "auto_pause": False,
        "auto_pause_when_players_connect": False,
        "only_admins_can_pause_the_game": True,
    }
    path = folder / "config" / "server-settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return path


def write_map_gen_settings(folder: Path, seed: int) -> Path:
    # Keys left out take the game's defaults; only the seed is ours.
    path = folder / "config" / "map-gen-settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seed": seed}, indent=2) + "\n", encoding="utf-8")
    return path


def write_rcon_password(folder: Path, password: str) -> Path:
    path = folder / "config" / "rconpw"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    return path


def write_mods(folder: Path, factorio_version: str, mods_dir: Path | None) -> Path:
    """The mods folder the server loads: the repository's mods for `factorio_version` (with the DLC mods disabled in
    mod-list.json), or `mods_dir` as it is. Unpacked `<name>_<version>/` folders, which the game loads as it loads
    the portal's zips, and the engine's command line loads too."""
    if mods_dir is not None:
        if not mods_dir.is_dir():
            raise InstanceError(f"the mods folder {mods_dir} does not exist; give a folder of mods or drop --mods-dir")
        return mods_dir
    dest = folder / "mods"
    try:
        package_mods(dest, factorio_version, unpacked=True)
    except ModPackageError as exc:
        raise InstanceError(f"cannot prepare the mods for Factorio {factorio_version}: {exc}") from exc
    mod_list = json.loads((dest / "mod-list.json").read_text(encoding="utf-8"))
    mod_list["mods"][1:1] = [{"name": name, "enabled": False} for name in DLC_MODS]
    (dest / "mod-list.json").write_text(json.dumps(mod_list, indent=2) + "\n", encoding="utf-8")
    return dest
