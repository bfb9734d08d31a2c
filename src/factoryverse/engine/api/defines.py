"""`defines`, built from the generated member list: per Factorio version, or what every version has.

A server's mods see the tree of the version it runs as (``defines_tree(api_version)``); the engine's own code looks
values up in the tree common to every version (``define_value``, ``define_name``), since it implements only what
both versions have, so a value it hands out means the same in either.

Where typed-factorio gives no numeric value (events, inventories, statuses), the value is the member's position in
its enum in the newest version: opaque but stable, so mods that compare against `defines.*` behave as in the game.
A member only an older version has (``defines.inventory.furnace_source`` is 2.0's) is numbered after every position
of its enum, so no two names of one version's enum share a value.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from factoryverse.engine.api.members import load_members

__all__ = ["defines_tree", "defines_table", "event_ids", "define_value", "define_name"]


def _vkey(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _build(node: dict[str, Any], wanted: frozenset[str], newest: str) -> Any:
    members = node.get("members", {})
    out: dict[str, Any] = {}
    # Positions are the newest version's; members it lacks go after them, in their own version's order.
    after = 1 + max((e.get("order", -1) for e in members.values() if "members" not in e and "value" not in e),
                    default=-1)
    older = sorted((e.get("order", 0), name) for name, e in members.items()
                   if newest not in e.get("in", []) and "members" not in e and "value" not in e)
    renumbered = {name: after + i for i, (_, name) in enumerate(older)}
    for name, entry in members.items():
        if not wanted <= set(entry.get("in", [])):
            continue
        if "members" in entry:
            out[name] = _build(entry, wanted, newest)
        elif "value" in entry:
            out[name] = entry["value"]
        else:
            out[name] = renumbered.get(name, entry.get("order", 0))
    return out


@lru_cache(maxsize=None)
def defines_tree(api_version: str | None = None) -> dict[str, Any]:
    """The `defines` of one API version (``"2.0.75"``), or with ``None`` what every supported version has."""
    members = load_members()
    wanted = members.required_versions(api_version)
    newest = max(members.versions, key=_vkey)
    raw = members.defines
    return {name: _build(entry, wanted, newest) for name, entry in raw.items()
            if wanted <= set(entry.get("in", [])) and "members" in entry}


@lru_cache(maxsize=None)
def event_ids(api_version: str | None = None) -> dict[str, int]:
    return dict(defines_tree(api_version)["events"])


def define_value(group: str, name: str) -> int:
    return defines_tree()[group][name]


@lru_cache(maxsize=None)
def _reverse(group: str) -> dict[int, str]:
    return {v: k for k, v in defines_tree()[group].items()}


def define_name(group: str, value: Any) -> str | None:
    if not isinstance(value, (int, float)):
        return None
    return _reverse(group).get(int(value))


def defines_table(state: Any, api_version: str | None = None) -> Any:
    return state.to_lua(defines_tree(api_version))
