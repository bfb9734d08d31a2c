"""Our mods keep to the runtime API both Factorio 2.0 and 2.1 have: a static scan of their Lua.

What the scan proves, and what it does not:
- every path from a global API object (``game.tick``, ``helpers.send_udp``, ``script.on_event``, ...) names a
  member the global's class has in both versions, and every ``defines.a.b`` path exists in both versions;
- no identifier after ``.`` or ``:`` anywhere in the mods is a member name (of any class) or an event field that
  only one version has. A name both versions have, but on another class in one of them, is not caught: Lua has no
  types to say which class ``entity.x`` reads. The mods' engine tests, run on both versions (conftest.py), cover
  what the mods really touch.

The member lists are typed-factorio's (engine/data/api_members.json: 3.36.0 = 2.0.75, 4.0.1 = 2.1.7).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from factoryverse.engine.api.members import load_members
from factoryverse.engine.factorio_versions import VERSIONS

MODS_DIR = Path(__file__).resolve().parents[2] / "mods"
LUA_FILES = sorted(MODS_DIR.rglob("*.lua"))
API_VERSIONS = sorted(v.api for v in VERSIONS.values())

# Comments and strings hide no API use; long brackets ([[...]], [==[...]==]) first, since they may hold quotes.
_LONG = re.compile(r"--\[(=*)\[.*?\]\1\]|\[(=*)\[.*?\]\2\]", re.S)
_SHORT = re.compile(r'--[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')
_PATH = re.compile(r"(?<![\w.:])(game|helpers|script|remote|rcon|prototypes|commands|rendering|settings|defines)"
                   r"((?:\s*\.\s*[A-Za-z_]\w*)+)")
_AFTER_DOT = re.compile(r"(?<!\.)[.:]\s*([A-Za-z_]\w*)")


def _code(path: Path) -> str:
    text = _LONG.sub(" ", path.read_text(encoding="utf-8"))
    return _SHORT.sub(lambda m: " " if m.group().startswith("--") else '""', text)


def _paths() -> list[tuple[str, str, list[str]]]:
    out = []
    for path in LUA_FILES:
        for m in _PATH.finditer(_code(path)):
            keys = [k.strip() for k in m.group(2).split(".") if k.strip()]
            out.append((str(path.relative_to(MODS_DIR)), m.group(1), keys))
    return out


PATHS = _paths()


def test_the_scan_sees_the_mods_api_use():
    """The scan is not vacuous: it finds the calls we know the mods make."""
    seen = {(root, keys[0]) for _, root, keys in PATHS}
    assert {("game", "tick"), ("helpers", "send_udp"), ("remote", "add_interface"), ("defines", "events")} <= seen


def test_global_object_paths_exist_in_both_versions():
    members = load_members()
    missing = []
    for where, root, keys in PATHS:
        if root == "defines":
            continue
        cls = members.global_objects[root]["type"]
        for version in API_VERSIONS:
            if not members.has(cls, keys[0], version):
                missing.append(f"{where}: {root}.{keys[0]} ({cls}) is not in Factorio {version}")
    assert missing == [], "\n".join(missing)


def _defines_node(tree: dict, keys: list[str]):
    node = tree
    for key in keys:
        if "members" not in node or key not in node["members"]:
            return None
        node = node["members"][key]
    return node


def test_defines_paths_exist_in_both_versions():
    members = load_members()
    root = {"members": members.defines}
    missing = []
    for where, name, keys in PATHS:
        if name != "defines":
            continue
        node = _defines_node(root, keys)
        if node is None:
            missing.append(f"{where}: defines.{'.'.join(keys)} is in neither version")
            continue
        for version in API_VERSIONS:
            if version not in node["in"]:
                missing.append(f"{where}: defines.{'.'.join(keys)} is not in Factorio {version}")
    assert missing == [], "\n".join(missing)


def _names_only_in_one_version() -> dict[str, str]:
    """Member names (any class) and event fields that one version has and the other has nowhere -> that version."""
    members = load_members()
    by_version: dict[str, set[str]] = {v: set() for v in API_VERSIONS}
    for version in API_VERSIONS:
        for cls in members.classes(version):
            by_version[version].update(members.class_members(cls, version))
        for event in members.events.values():
            if version in event["in"]:
                by_version[version].update(event["fields"])
                by_version[version].update(event.get("fields_only_in", {}).get(version, []))
    a, b = API_VERSIONS
    return {**{n: a for n in by_version[a] - by_version[b]}, **{n: b for n in by_version[b] - by_version[a]}}


ONLY_ONE = _names_only_in_one_version()


def test_some_names_are_in_one_version_only():
    """The check below has something to find: e.g. previous_mirroring, an event field 2.1 added."""
    assert ONLY_ONE.get("previous_mirroring") == "2.1.7"
    assert len(ONLY_ONE) > 50


@pytest.mark.parametrize("path", LUA_FILES, ids=lambda p: str(p.relative_to(MODS_DIR)))
def test_no_member_name_of_one_version_only(path: Path):
    found = sorted({f"{name} (only in Factorio {ONLY_ONE[name]})"
                    for name in _AFTER_DOT.findall(_code(path)) if name in ONLY_ONE})
    assert found == [], f"{path.relative_to(MODS_DIR)} uses names only one version has: {', '.join(found)}"


def test_the_scan_catches_a_one_version_member(tmp_path):
    """The per-file check fails on Lua that reads a member only 2.1 has (proof the test can fail)."""
    probe = tmp_path / "probe.lua"
    probe.write_text("script.on_event(defines.events.on_player_rotated_entity, function(e)\n"
                     "  -- e.comment_only is ignored; so is 'a.string_only'\n"
                     "  return e.previous_mirroring\nend)\n", encoding="utf-8")
    used = set(_AFTER_DOT.findall(_code(probe)))
    assert "previous_mirroring" in used and "comment_only" not in used and "string_only" not in used
