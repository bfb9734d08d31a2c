"""Finding mods, ordering them by dependencies, and each mod's runtime: its Lua state, handlers and storage."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import cmp_to_key
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factoryverse.engine.errors import ModLoadError
from factoryverse.engine.factorio_versions import VERSIONS

if TYPE_CHECKING:
    from factoryverse.engine.lua.runtime import LuaFunction, LuaState

__all__ = [
    "ModInfo", "ModRuntime", "ModVersionMismatchError", "discover_mods", "order_mods", "check_factorio_version",
    "builtin_mod_roots", "BUNDLED_MODS_DIR",
]

log = logging.getLogger("factoryverse.engine.mods")

# The repository's own mods (mods/ beside src/), used when no mods folder is given.
BUNDLED_MODS_DIR = Path(__file__).resolve().parents[3] / "mods"

_DEP_RE = re.compile(r"^\s*(?P<prefix>\(\?\)|\?|!|~)?\s*(?P<name>[A-Za-z0-9_\-]+(?: [A-Za-z0-9_\-]+)*?)\s*(?:(?P<op><=|>=|=|<|>)\s*(?P<ver>[0-9.]+))?\s*$")


class ModVersionMismatchError(ModLoadError):
    """A mod declares another ``factorio_version`` than the one the server runs as; Factorio refuses to load it."""


def builtin_mod_roots(game_data: Path) -> dict[str, Path]:
    """core and base of the server's Factorio version (Lua libraries and data only; no graphics), from the folder
    prototype_sources.data_root gives."""
    return {"core": game_data / "core", "base": game_data / "base"}


@dataclass
class Dependency:
    name: str
    kind: str  # required | optional | hidden-optional | incompatible | no-order
    op: str | None = None
    version: str | None = None


@dataclass
class ModInfo:
    name: str
    version: str
    title: str
    path: Path
    factorio_version: str
    dependencies: list[Dependency] = field(default_factory=list)

    @classmethod
    def read(cls, folder: Path) -> "ModInfo":
        info_path = folder / "info.json"
        try:
            raw = json.loads(info_path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise ModLoadError(f"{folder} has no info.json; every mod needs one (name, version, factorio_version)") from e
        except json.JSONDecodeError as e:
            raise ModLoadError(f"{info_path} is not valid JSON: {e}") from e
        for key in ("name", "version", "factorio_version"):
            if not isinstance(raw.get(key), str):
                raise ModLoadError(f"{info_path}: '{key}' must be a string")
        if raw["factorio_version"] not in VERSIONS:
            raise ModLoadError(f"{info_path}: factorio_version {raw['factorio_version']!r} is not one of "
                               f"{', '.join(sorted(VERSIONS))}")
        deps = [_parse_dependency(d, info_path) for d in raw.get("dependencies", ["base"])]
        return cls(raw["name"], raw["version"], raw.get("title", raw["name"]), folder, raw["factorio_version"], deps)


def _parse_dependency(text: str, where: Path) -> Dependency:
    m = _DEP_RE.match(text)
    if not m:
        raise ModLoadError(f"{where}: cannot read dependency {text!r}")
    kind = {None: "required", "?": "optional", "(?)": "hidden-optional", "!": "incompatible", "~": "no-order"}[
        m.group("prefix")
    ]
    return Dependency(m.group("name"), kind, m.group("op"), m.group("ver"))


def _version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def _satisfies(have: str, op: str | None, want: str | None) -> bool:
    if op is None or want is None:
        return True
    a, b = _version_tuple(have), _version_tuple(want)
    n = max(len(a), len(b))
    a, b = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return {"<": a < b, "<=": a <= b, "=": a == b, ">=": a >= b, ">": a > b}[op]


def discover_mods(folder: Path, only: list[str] | None = None) -> list[ModInfo]:
    """Every mod folder under `folder` (optionally only the named ones)."""
    if not folder.is_dir():
        raise ModLoadError(f"mods folder {folder} does not exist")
    mods = []
    for sub in sorted(folder.iterdir()):
        if sub.suffix == ".zip" and sub.is_file():
            # Factorio loads zipped mods too; silently skipping one would start a game without it.
            raise ModLoadError(f"{sub} is a zipped mod; the embedded engine loads mod folders: unzip it into "
                               f"{folder} (its top folder <name>_<version>/ holds info.json) and remove the zip")
        if sub.is_dir() and (sub / "info.json").exists():
            info = ModInfo.read(sub)
            if only is None or info.name in only:
                mods.append(info)
    if only is not None:
        missing = set(only) - {m.name for m in mods}
        if missing:
            raise ModLoadError(f"mods not found in {folder}: {', '.join(sorted(missing))}")
    return mods


def check_factorio_version(mods: list[ModInfo], server_version: str) -> None:
    """Every mod must declare the server's ``factorio_version`` (major.minor), as Factorio requires."""
    wrong = [m for m in mods if m.factorio_version != server_version]
    if wrong:
        names = ", ".join(f"{m.name} {m.version} (declares factorio_version {m.factorio_version}, "
                          f"{m.path / 'info.json'})" for m in wrong)
        raise ModVersionMismatchError(
            f"this server runs as Factorio {server_version}, and Factorio loads only mods made for it: {names}. "
            f"Start the server as Factorio {wrong[0].factorio_version} (`--factorio-version "
            f"{wrong[0].factorio_version}`), or give it mods made for {server_version}: FactoryVerse's own with "
            f"`fv mods package --factorio-version {server_version} --unpacked --output DIR` and `--mods-dir DIR` "
            f"(`fv server start` does that itself when no --mods-dir is given); another mod once its author declares "
            f"{server_version} in its info.json")


def order_mods(mods: list[ModInfo], base_version: str = "2.0.0") -> list[ModInfo]:
    """Factorio's load order: dependencies first, otherwise by name; an unmet or incompatible dependency fails."""
    present = {m.name: m for m in mods}
    versions = {"base": base_version, "core": base_version, **{m.name: m.version for m in mods}}
    for m in mods:
        for d in m.dependencies:
            if d.kind == "incompatible" and d.name in versions:
                raise ModLoadError(f"mod {m.name} is incompatible with {d.name}; remove one of them")
            if d.kind == "required":
                if d.name not in versions:
                    raise ModLoadError(f"mod {m.name} requires {d.name}, which is not in the mods folder")
                if not _satisfies(versions[d.name], d.op, d.version):
                    raise ModLoadError(f"mod {m.name} requires {d.name} {d.op} {d.version}, found {versions[d.name]}")
    ordered: list[ModInfo] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(m: ModInfo) -> None:
        if m.name in done:
            return
        if m.name in visiting:
            raise ModLoadError(f"dependency cycle through mod {m.name}")
        visiting.add(m.name)
        for d in m.dependencies:
            if d.kind in ("required", "optional", "hidden-optional") and d.name in present:
                visit(present[d.name])
        visiting.discard(m.name)
        done.add(m.name)
        ordered.append(m)

    for m in sorted(mods, key=cmp_to_key(lambda a, b: (a.name.lower() > b.name.lower()) - (a.name.lower() < b.name.lower()))):
        visit(m)
    return ordered


class ModRuntime:
    """A loaded mod: its Lua state, the handlers it registered through `script`, and its `storage` table."""

    lua_class = "LuaBootstrap"

    def __init__(self, info: ModInfo, state: LuaState, oid: str):
        self.info = info
        self.name = info.name
        self.state = state
        self.oid = oid
        self.valid = True
        self.on_init: LuaFunction | None = None
        self.on_load: LuaFunction | None = None
        self.on_configuration_changed: LuaFunction | None = None
        self.handlers: dict[int, LuaFunction] = {}
        self.nth_tick: dict[int, LuaFunction] = {}
        self.storage: Any = None

    @classmethod
    def level(cls, engine: Any, state: LuaState) -> "ModRuntime":
        """The level (scenario) script: it runs console commands and may register handlers like a mod."""
        info = ModInfo("level", "0.0.0", "level", Path("."), "2.0")
        rt = cls(info, state, "script:level")
        return rt

    def __repr__(self) -> str:
        return f"<Mod {self.name} {self.info.version}>"
