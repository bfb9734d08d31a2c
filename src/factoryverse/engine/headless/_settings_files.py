"""The JSON files a server is started with: `--server-settings` and `--map-gen-settings`.

Both are read as the game reads them: keys the engine has no use for are ignored (the game ignores keys it does
not know, and most server settings are about game clients, which the engine has none of); a key it uses must
have the game's type; a file that is not JSON is an error naming the file and the place.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factoryverse.engine.headless._errors import ConfigFileError
from factoryverse.engine.save.server_saves import DEFAULT_AUTOSAVE_SLOTS

__all__ = ["ServerSettings", "read_server_settings", "MapGenSettingsFile", "read_map_gen_settings", "MAX_SEED"]

MAX_SEED = 2**32 - 1  # MapGenSettings.seed is a uint32
# server-settings.example.json's values, which a server without the file runs with.
_DEFAULT_AUTOSAVE_MINUTES = 10
# Keys the engine uses; every other key is read past (the game's own keys are about clients: visibility,
# max_players, passwords, ...).
_USED_SERVER_KEYS = ("name", "description", "autosave_interval", "autosave_slots")


def _read_json_object(path: Path, flag: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ConfigFileError(f"cannot read {path} ({flag}): {e.strerror or e}") from e
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigFileError(f"{path} ({flag}) is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from e
    if not isinstance(raw, dict):
        raise ConfigFileError(f"{path} ({flag}) must hold a JSON object {{...}}, got {type(raw).__name__}")
    return raw


@dataclass(frozen=True)
class ServerSettings:
    name: str = ""
    description: str = ""
    autosave_minutes: float = _DEFAULT_AUTOSAVE_MINUTES
    autosave_slots: int = DEFAULT_AUTOSAVE_SLOTS
    # Keys given that the engine does not apply (reported once in the log).
    not_applied: list[str] = field(default_factory=list)


def read_server_settings(path: Path | None) -> ServerSettings:
    if path is None:
        return ServerSettings()
    raw = _read_json_object(path, "--server-settings")
    for key in ("name", "description"):
        if key in raw and not isinstance(raw[key], str):
            raise ConfigFileError(f"{path}: {key!r} must be a string, got {raw[key]!r}")
    interval = raw.get("autosave_interval", _DEFAULT_AUTOSAVE_MINUTES)
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not math.isfinite(interval) \
            or interval < 0:
        raise ConfigFileError(f"{path}: 'autosave_interval' is in minutes and must be a number >= 0 (0 turns "
                              f"autosaves off), got {interval!r}")
    slots = raw.get("autosave_slots", DEFAULT_AUTOSAVE_SLOTS)
    if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
        raise ConfigFileError(f"{path}: 'autosave_slots' must be a whole number >= 1, got {slots!r}")
    if interval and round(interval * 3600) < 1:
        raise ConfigFileError(f"{path}: 'autosave_interval' {interval!r} is shorter than one tick (1/3600 minute)")
    return ServerSettings(
        name=raw.get("name", ""), description=raw.get("description", ""), autosave_minutes=interval,
        autosave_slots=slots, not_applied=sorted(k for k in raw if k not in _USED_SERVER_KEYS and k != "_comment"
                                                 and not k.startswith("_comment")),
    )


@dataclass(frozen=True)
class MapGenSettingsFile:
    seed: int | None = None
    not_applied: list[str] = field(default_factory=list)


def read_map_gen_settings(path: Path | None) -> MapGenSettingsFile:
    """The seed (the one map generation setting the engine takes from the file) and the keys it does not apply."""
    if path is None:
        return MapGenSettingsFile()
    raw = _read_json_object(path, "--map-gen-settings")
    seed = raw.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        raise ConfigFileError(f"{path}: 'seed' must be null or a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return MapGenSettingsFile(seed, sorted(k for k in raw if k != "seed" and not k.startswith("_comment")))
