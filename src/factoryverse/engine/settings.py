"""Mod settings: the settings stage, the values a server starts with, and the runtime-global values a game keeps.

The settings stage (Factorio's "Data lifecycle" page) runs every mod's `settings.lua`, then every
`settings-updates.lua`, then every `settings-final-fixes.lua`, in mod order, in one shared Lua state that is discarded
afterwards; core's own `dataloader.lua` gives it `data` (and `data:extend`), and `mods` maps each mod to its version.
Five setting types are read: bool, int, double, string and color settings, each `startup`, `runtime-global` or
`runtime-per-user`.

A real server then reads the players' values from `mods/mod-settings.dat`; the engine reads `mods/mod-settings.json`
(the same three sections, each `{name = {value = ...}}`) and then `Engine(mod_settings=...)` of the same shape, which
wins. Startup values are fixed for the session. Runtime-global values (and the per-user defaults) are game state: a
new game takes the configured ones, a loaded game its save's (engine/save/game_save.py), and scripts may change them
through `settings.global` (engine/api/settings.py).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Iterable

from factoryverse.engine.errors import LuaRuntimeError, ModLoadError

__all__ = [
    "SETTING_TYPES", "SETTING_KINDS", "STAGE_FILES", "SETTINGS_FILE", "ModSettingsError", "SettingPrototype",
    "ModSettings", "SettingsHandle", "load_mod_settings",
]

SETTING_TYPES = ("bool-setting", "int-setting", "double-setting", "string-setting", "color-setting")
SETTING_KINDS = ("startup", "runtime-global", "runtime-per-user")
STAGE_FILES = ("settings.lua", "settings-updates.lua", "settings-final-fixes.lua")
# The JSON stand-in for the game's mods/mod-settings.dat, in the mods folder.
SETTINGS_FILE = "mod-settings.json"
_INT64 = (-(2**63), 2**63 - 1)


class ModSettingsError(ModLoadError):
    """A setting prototype or a configured value is not valid; the game does not start."""


class SettingPrototype:
    """One mod setting as the settings stage left it (what `LuaModSettingPrototype` describes)."""

    __slots__ = ("name", "type", "setting_type", "mod", "default", "minimum", "maximum", "allowed", "allow_blank",
                 "auto_trim", "hidden", "forced")

    def __init__(self, raw: dict[str, Any], mod: str):
        self.name: str = raw["name"]
        self.type: str = raw["type"]
        self.mod = mod
        where = f"mod {mod}: setting {self.name!r} ({self.type})"
        kind = raw.get("setting_type")
        if kind not in SETTING_KINDS:
            raise ModSettingsError(f"{where}: setting_type must be one of {', '.join(SETTING_KINDS)}, got {kind!r}")
        self.setting_type: str = kind
        self.minimum = raw.get("minimum_value") if self.type in ("int-setting", "double-setting") else None
        self.maximum = raw.get("maximum_value") if self.type in ("int-setting", "double-setting") else None
        self.allow_blank = bool(raw.get("allow_blank", False))
        self.auto_trim = bool(raw.get("auto_trim", False))
        self.hidden = bool(raw.get("hidden", False))
        self.allowed: list[Any] | None = None
        for key in ("minimum_value", "maximum_value"):
            if raw.get(key) is not None and self.type in ("int-setting", "double-setting"):
                self._number(raw[key], f"{where}: {key}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ModSettingsError(f"{where}: minimum_value {self.minimum} is above maximum_value {self.maximum}")
        allowed = raw.get("allowed_values")
        if allowed is not None and self.type in ("int-setting", "double-setting", "string-setting"):
            if not isinstance(allowed, list) or not allowed:
                raise ModSettingsError(f"{where}: allowed_values must be a non-empty array")
            self.allowed = [self._typed(v, f"{where}: allowed_values") for v in allowed]
        if "default_value" not in raw:
            raise ModSettingsError(f"{where}: default_value is missing")
        self.default = self.check(raw["default_value"], f"{where}: default_value")
        self.forced = None
        if self.type == "bool-setting" and raw.get("forced_value") is not None:
            self.forced = self.check(raw["forced_value"], f"{where}: forced_value")

    def _number(self, value: Any, where: str) -> float | int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise ModSettingsError(f"{where} must be a number, got {value!r}")
        if self.type == "int-setting":
            if isinstance(value, float) and not value.is_integer():
                raise ModSettingsError(f"{where} must be an integer, got {value!r}")
            if not _INT64[0] <= value <= _INT64[1]:
                raise ModSettingsError(f"{where} {value} is outside the 64-bit integers")
            return int(value)
        return float(value)

    def _typed(self, value: Any, where: str) -> Any:
        """`value` as this type holds it, or a ModSettingsError; no range check."""
        t = self.type
        if t == "bool-setting":
            if not isinstance(value, bool):
                raise ModSettingsError(f"{where} must be a boolean, got {value!r}")
            return value
        if t in ("int-setting", "double-setting"):
            return self._number(value, where)
        if t == "string-setting":
            if not isinstance(value, str):
                raise ModSettingsError(f"{where} must be a string, got {value!r}")
            return value.strip() if self.auto_trim else value
        return _color(value, where)

    def check(self, value: Any, where: str) -> Any:
        """`value` normalised for this setting, or a ModSettingsError saying what is wrong and what is allowed."""
        value = self._typed(value, where)
        if self.minimum is not None and value < self.minimum:
            raise ModSettingsError(f"{where} {value} is below the setting's minimum_value {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ModSettingsError(f"{where} {value} is above the setting's maximum_value {self.maximum}")
        if self.allowed is not None and value not in self.allowed:
            raise ModSettingsError(f"{where} {value!r} is not one of the setting's allowed_values {self.allowed}")
        if self.type == "string-setting" and value == "" and not self.allow_blank:
            raise ModSettingsError(f"{where} is blank and the setting does not allow_blank")
        return value

    def effective(self, value: Any) -> Any:
        """A hidden bool setting with a forced_value always has that value, whatever is configured."""
        return self.forced if self.hidden and self.forced is not None else value


def _color(value: Any, where: str) -> dict[str, float]:
    if isinstance(value, list) and 3 <= len(value) <= 4:
        value = dict(zip("rgba", value))
    if not isinstance(value, dict) or any(k not in ("r", "g", "b", "a") for k in value):
        raise ModSettingsError(f"{where} must be a color ({{r, g, b, a}} or {{r, g, b}}), got {value!r}")
    out = {}
    for k in "rgba":
        v = value.get(k, 1.0 if k == "a" else 0.0)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ModSettingsError(f"{where}: color component {k} must be a number, got {v!r}")
        out[k] = float(v)
    return out


class SettingsHandle:
    """The one object behind the `settings` global (LuaSettings) in every control-stage state."""

    lua_class = "LuaSettings"
    oid = "settings"
    valid = True

    def __init__(self, settings: "ModSettings"):
        self.settings = settings


class ModSettings:
    """The game's mod settings: prototypes by name (in definition order), startup values (fixed for the session),
    and the runtime-global values and per-user defaults, which are game state (saved, forked, hashed)."""

    def __init__(self, prototypes: dict[str, SettingPrototype], configured: dict[str, dict[str, Any]]):
        self.handle = SettingsHandle(self)
        self.prototypes = prototypes
        self.configured = configured
        self.startup = self._values("startup")
        self.global_values = self._values("runtime-global")
        self.player_default = self._values("runtime-per-user")

    def _values(self, kind: str) -> dict[str, Any]:
        given = self.configured.get(kind, {})
        return {name: p.effective(given.get(name, p.default)) for name, p in self.prototypes.items()
                if p.setting_type == kind}

    def restore(self, saved: dict[str, dict[str, Any]] | None) -> None:
        """A loaded game's own runtime values, for the settings that still exist and still accept them; settings new
        to the save keep the configured value."""
        if not saved:
            return
        for kind, values in (("runtime-global", self.global_values), ("runtime-per-user", self.player_default)):
            for name, value in saved.get(kind, {}).items():
                proto = self.prototypes.get(name)
                if proto is None or proto.setting_type != kind:
                    continue
                try:
                    values[name] = proto.effective(proto.check(value, name))
                except ModSettingsError:
                    pass  # the mod narrowed the setting since: its configured value stands, as for a new setting

    def runtime_state(self) -> dict[str, dict[str, Any]]:
        """What a save keeps: the runtime-global values and the per-user defaults (copies)."""
        return {"runtime-global": dict(self.global_values), "runtime-per-user": dict(self.player_default)}

    def startup_changed(self, saved: dict[str, Any] | None) -> bool:
        """Whether a startup setting the save knows has another value now."""
        if saved is None:
            return False
        return any(name in saved and saved[name] != value for name, value in self.startup.items())


# -- reading the configured values ----------------------------------------------------------------------------


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ModSettingsError(f"{path} is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise ModSettingsError(f"{path} must hold an object with sections {', '.join(SETTING_KINDS)}")
    return data


def _configured(prototypes: dict[str, SettingPrototype], sources: Iterable[tuple[str, dict[str, Any]]]
                ) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {k: {} for k in SETTING_KINDS}
    for where, data in sources:
        for kind, values in data.items():
            if kind not in SETTING_KINDS:
                raise ModSettingsError(
                    f"{where}: unknown section {kind!r}; the sections are {', '.join(SETTING_KINDS)}")
            if not isinstance(values, dict):
                raise ModSettingsError(f"{where}: section {kind!r} must map setting names to {{\"value\": ...}}")
            for name, entry in values.items():
                proto = prototypes.get(name)
                if proto is None:
                    known = ", ".join(sorted(prototypes)) or "none"
                    raise ModSettingsError(f"{where}: {kind} setting {name!r} is not defined by any mod's settings "
                                           f"stage (defined: {known})")
                if proto.setting_type != kind:
                    raise ModSettingsError(f"{where}: setting {name!r} of mod {proto.mod} is a {proto.setting_type} "
                                           f"setting, not {kind}; move it to that section")
                if not isinstance(entry, dict) or "value" not in entry:
                    raise ModSettingsError(f"{where}: {kind} setting {name!r} must be given as {{\"value\": ...}}")
                out[kind][name] = proto.check(entry["value"], f"{where}: mod {proto.mod} setting {name!r}")
    return out


# -- the settings stage ---------------------------------------------------------------------------------------


def _run_stage(infos: list[Any], roots: dict[str, Path], base_version: str, api_version: str,
               log: Callable[[str], None]) -> dict[str, SettingPrototype]:
    from factoryverse.engine.api.registry import ApiRegistry
    from factoryverse.engine.lua.environment import Requirer, install_stage_globals
    from factoryverse.engine.lua.runtime import LuaState

    state = LuaState("settings stage", ApiRegistry(), api_version=api_version)
    install_stage_globals(state, {"base": base_version, **{i.name: i.version for i in infos}}, log)
    g = state.globals()

    def run(mod: str, path: Path) -> None:
        # One state, but each mod's files require relative to that mod, as in the game.
        requirer = Requirer(state, roots, mod)
        g.require = state.wrap(requirer.require)
        requirer.run_file(mod, path)

    run("core", roots["core"] / "lualib" / "dataloader.lua")
    raw = state.globals().data.raw
    owners: dict[tuple[str, str], str] = {}
    for stage in STAGE_FILES:
        for info in infos:
            path = info.path / stage
            if not path.is_file():
                continue
            try:
                run(info.name, path)
            except (LuaRuntimeError, ModLoadError) as e:
                raise ModSettingsError(f"mod {info.name} failed to run {stage}:\n{e}") from e
            except Exception as e:  # lupa's own LuaError from nested chunks
                raise ModSettingsError(f"mod {info.name} failed to run {stage}:\n{e}") from e
            for type_name in list(raw.keys()):
                for name in list(raw[type_name].keys()):
                    owners.setdefault((type_name, name), info.name)
    prototypes: dict[str, SettingPrototype] = {}
    for (type_name, name), mod in owners.items():
        if type_name not in SETTING_TYPES:
            raise ModSettingsError(f"mod {mod}: the settings stage defined {name!r} of type {type_name!r}; only "
                                   f"{', '.join(SETTING_TYPES)} belong there")
        entry = raw[type_name][name]
        if entry is None:
            continue  # removed again by a later stage
        prototypes[name] = SettingPrototype(state.from_lua(entry), mod)
    return prototypes


def load_mod_settings(infos: list[Any], roots: dict[str, Path], mods_dir: Path | None,
                      overrides: dict[str, Any] | None, base_version: str, api_version: str,
                      log: Callable[[str], None] = lambda text: None) -> ModSettings:
    """The settings stage of `infos` (in mod order) and the configured values: `mods_dir/mod-settings.json`, then
    `overrides`. Raises ModSettingsError naming the mod and setting for any bad definition or value."""
    has_stage = any((i.path / f).is_file() for i in infos for f in STAGE_FILES)
    prototypes = _run_stage(infos, roots, base_version, api_version, log) if has_stage else {}
    sources: list[tuple[str, dict[str, Any]]] = []
    if mods_dir is not None and (mods_dir / SETTINGS_FILE).is_file():
        sources.append((str(mods_dir / SETTINGS_FILE), _read_file(mods_dir / SETTINGS_FILE)))
    if overrides:
        sources.append(("Engine(mod_settings=...)", overrides))
    return ModSettings(prototypes, _configured(prototypes, sources))
