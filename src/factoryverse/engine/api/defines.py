"""`defines` per Factorio API version, built from the generated member list (engine/data/api_members.json).

A game sees the tree of the version it runs as, names and numbers: 2.0 has `defines.inventory.furnace_source`,
2.1 does not. Where typed-factorio gives a number (directions, a few enums) that is the value; elsewhere (events,
inventories, statuses) typed-factorio lists only names, so the value is the name's position in that version's
enum: opaque, but what a mod compares against `defines.*` behaves as in the game. A name the version marks
"Deprecated, replaced by X" is the game's alias of X and has X's value.

The engine's own code keys inventories and statuses by name (world/inventory.py) and converts at the API edge with
the game's version: ``define_value(group, name, api_version)`` and ``define_name(group, value, api_version)``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from factoryverse.engine.api.members import load_members
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, factorio_version

__all__ = ["defines_tree", "defines_table", "event_ids", "define_value", "define_name", "DEFAULT_API_VERSION"]

# What ``api_version=None`` means: the API of the version a game runs as by default.
DEFAULT_API_VERSION = factorio_version(DEFAULT_FACTORIO_VERSION).api


def _value(entry: dict[str, Any], version: str) -> int:
    if "value" in entry:
        return entry.get("value_by_version", {}).get(version, entry["value"])
    return entry.get("order_by_version", {}).get(version, entry.get("order", 0))


def _build(node: dict[str, Any], version: str) -> dict[str, Any]:
    members = {name: e for name, e in node.get("members", {}).items() if version in e.get("in", ())}
    out: dict[str, Any] = {}
    for name, entry in members.items():
        if "members" in entry:
            out[name] = _build(entry, version)
            continue
        target = members.get(entry.get("replaced_by", ""), entry)
        out[name] = _value(target, version)
    return out


def _version(api_version: str | None) -> str:
    version = api_version or DEFAULT_API_VERSION
    load_members().required_versions(version)  # an unknown version fails with the member list's own error
    return version


@lru_cache(maxsize=None)
def defines_tree(api_version: str | None = None) -> dict[str, Any]:
    """The `defines` of one API version (``"2.0.75"``; None: the default version's)."""
    version = _version(api_version)
    return {name: _build(entry, version) for name, entry in load_members().defines.items()
            if version in entry.get("in", ()) and "members" in entry}


@lru_cache(maxsize=None)
def event_ids(api_version: str | None = None) -> dict[str, int]:
    return dict(defines_tree(api_version)["events"])


def define_value(group: str, name: str, api_version: str | None = None) -> int:
    return defines_tree(api_version)[group][name]


@lru_cache(maxsize=None)
def _reverse(group: str, api_version: str | None) -> dict[int, str]:
    """Value -> name; an alias never shadows the name it stands for (furnace_source gives crafter_input)."""
    version = _version(api_version)
    raw = load_members().defines[group]["members"]
    out: dict[int, str] = {}
    for name, value in defines_tree(version)[group].items():
        if "replaced_by" not in raw[name] or value not in out:
            out[value] = name
    return out


def define_name(group: str, value: Any, api_version: str | None = None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return _reverse(group, api_version or DEFAULT_API_VERSION).get(int(value))


def defines_table(state: Any, api_version: str | None = None) -> Any:
    return state.to_lua(defines_tree(api_version))
