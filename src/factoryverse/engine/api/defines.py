"""`defines`, built from the generated member list: only what exists in both Factorio 2.0 and 2.1.

Where typed-factorio gives no numeric value (events, inventories, statuses), the value is the member's position in
its enum: opaque but stable, so mods that compare against `defines.*` behave as in the game.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from factoryverse.engine.api.members import load_members

__all__ = ["defines_tree", "defines_table", "event_ids", "define_value", "define_name"]

_BOTH = {"2.0.75", "2.1.7"}


def _in_both(entry: dict[str, Any]) -> bool:
    return _BOTH.issubset(entry.get("in", []))


def _build(node: dict[str, Any]) -> Any:
    members = node.get("members", {})
    out: dict[str, Any] = {}
    for name, entry in members.items():
        if not _in_both(entry):
            continue
        if "members" in entry:
            out[name] = _build(entry)
        elif "value" in entry:
            out[name] = entry["value"]
        else:
            out[name] = entry.get("order", 0)
    return out


@lru_cache(maxsize=1)
def defines_tree() -> dict[str, Any]:
    raw = load_members().defines
    return {name: _build(entry) for name, entry in raw.items() if _in_both(entry) and "members" in entry}


@lru_cache(maxsize=1)
def event_ids() -> dict[str, int]:
    return dict(defines_tree()["events"])


def define_value(group: str, name: str) -> int:
    return defines_tree()[group][name]


@lru_cache(maxsize=None)
def _reverse(group: str) -> dict[int, str]:
    return {v: k for k, v in defines_tree()[group].items()}


def define_name(group: str, value: Any) -> str | None:
    if not isinstance(value, (int, float)):
        return None
    return _reverse(group).get(int(value))


def defines_table(state: Any) -> Any:
    return state.to_lua(defines_tree())
