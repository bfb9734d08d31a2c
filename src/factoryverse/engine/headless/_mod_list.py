"""The mods a server loads: every mod folder in the mod directory, less those `mod-list.json` disables.

Factorio keeps `mod-list.json` beside the mods (`{"mods": [{"name": "...", "enabled": true|false}, ...]}`): a mod
listed as disabled is not loaded, a mod not listed is (the game enables mods it finds), and a listed mod that is not
in the folder is skipped. `base` is always loaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from factoryverse.engine.headless._errors import ConfigFileError
from factoryverse.engine.mods import discover_mods

__all__ = ["ModSelection", "select_mods", "MOD_LIST"]

MOD_LIST = "mod-list.json"
_BUILTIN = ("base", "core")


@dataclass(frozen=True)
class ModSelection:
    enabled: list[str]
    disabled: list[str]
    # Listed as enabled but not in the folder: Factorio starts without them.
    missing: list[str]


def _read_mod_list(path: Path) -> dict[str, bool]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise ConfigFileError(f"cannot read {path}: {e.strerror or e}") from e
    except json.JSONDecodeError as e:
        raise ConfigFileError(f"{path} is not valid JSON ({e}); fix it or delete it (then every mod is enabled)") from e
    mods = raw.get("mods") if isinstance(raw, dict) else None
    if not isinstance(mods, list):
        raise ConfigFileError(f'{path} must be an object with a "mods" list, '
                              f'as {{"mods": [{{"name": "base", "enabled": true}}]}}')
    listed: dict[str, bool] = {}
    for entry in mods:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigFileError(f'{path}: every entry of "mods" needs a "name" string, got {entry!r}')
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigFileError(f'{path}: "enabled" of mod {entry["name"]!r} must be true or false, got {enabled!r}')
        listed[entry["name"]] = enabled
    return listed


def select_mods(folder: Path) -> ModSelection:
    """The mods of `folder` to load; an absent folder means no mods besides base, as for the game."""
    if not folder.is_dir():
        return ModSelection([], [], [])
    # A bad mod (info.json) fails with the engine's ModLoadError, which names the mod and what to do.
    found = [m.name for m in discover_mods(folder)]
    listed = _read_mod_list(folder / MOD_LIST) if (folder / MOD_LIST).is_file() else {}
    enabled = [n for n in found if listed.get(n, True)]
    disabled = [n for n in found if not listed.get(n, True)]
    missing = sorted(n for n, on in listed.items() if on and n not in found and n not in _BUILTIN)
    return ModSelection(enabled, disabled, missing)
