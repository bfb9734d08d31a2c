"""Scenarios shipped in mods: finding one by name, as Factorio's `--start-server-load-scenario [MOD/]NAME` does.

A mod ships scenarios in `scenarios/<name>/` (a `control.lua` run as the level script, a `description.json`, a
`locale/` folder). `mod/name` names one exactly; a bare `name` is looked up in every loaded mod and must match
exactly one. The level script then runs in the game's level state (engine.py): its `storage` is the level's, saved
with the game, and a loaded save runs the scenario it was started with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from factoryverse.engine.errors import ModLoadError

__all__ = [
    "Scenario", "ScenarioError", "UnknownScenarioError", "AmbiguousScenarioError", "available_scenarios",
    "find_scenario", "saved_scenario",
]

# What Factorio reads from a scenario folder; a folder with neither file is not a scenario.
_MARKERS = ("control.lua", "description.json")


class ScenarioError(ModLoadError):
    """A scenario could not be chosen or loaded; the message lists the scenarios there are."""


class UnknownScenarioError(ScenarioError):
    """No loaded mod ships a scenario of that name."""


class AmbiguousScenarioError(ScenarioError):
    """A bare scenario name that more than one loaded mod ships; name it as `mod/scenario`."""


@dataclass(frozen=True)
class Scenario:
    mod: str
    name: str
    path: Path

    @property
    def id(self) -> str:
        """`mod/name`, how a save records it and how the game lists a mod's scenario."""
        return f"{self.mod}/{self.name}"

    @property
    def control(self) -> Path:
        return self.path / "control.lua"


def available_scenarios(mod_roots: Iterable[tuple[str, Path]]) -> list[Scenario]:
    """Every scenario the mods (name, folder) ship, sorted by id."""
    found = []
    for mod, root in mod_roots:
        folder = root / "scenarios"
        if not folder.is_dir():
            continue
        for sub in folder.iterdir():
            if sub.is_dir() and any((sub / marker).is_file() for marker in _MARKERS):
                found.append(Scenario(mod, sub.name, sub))
    return sorted(found, key=lambda s: s.id)


def _listing(found: list[Scenario]) -> str:
    return ", ".join(s.id for s in found) if found else "none (no loaded mod has a scenarios/<name>/ folder)"


def find_scenario(name: object, mod_roots: Iterable[tuple[str, Path]]) -> Scenario:
    """The scenario `name` (`mod/scenario` or a bare `scenario`) among the mods' ones; a typed error naming what
    exists otherwise."""
    found = available_scenarios(mod_roots)
    if not isinstance(name, str) or not name.strip("/"):
        raise ScenarioError(f"a scenario name must be `mod/scenario` or `scenario`, got {name!r}; there are: "
                            f"{_listing(found)}")
    mod, sep, bare = name.rpartition("/")
    matches = [s for s in found if s.name == bare and (not sep or s.mod == mod)]
    if not matches:
        where = f"mod {mod!r}" if sep else "any loaded mod"
        raise UnknownScenarioError(f"scenario {name!r} not found in {where}; there are: {_listing(found)}")
    if len(matches) > 1:
        raise AmbiguousScenarioError(f"scenario {name!r} is shipped by several mods: {_listing(matches)}; "
                                     f"name one as mod/scenario")
    scenario = matches[0]
    if not scenario.control.is_file():
        raise ScenarioError(f"scenario {scenario.id} ({scenario.path}) has no control.lua: the engine runs a "
                            f"scenario's script, and maps saved in a scenario (blueprint.zip) are not supported")
    return scenario


def saved_scenario(saved: str | None, asked: object, mod_roots: Iterable[tuple[str, Path]]) -> Scenario | None:
    """The scenario a loaded game was started with (`saved`, its save's record), found among the mods. A game keeps
    its scenario: asking for another one (`asked`, or None) is refused."""
    if asked is not None and asked not in (saved, (saved or "").rpartition("/")[2]):
        raise ScenarioError(f"this save runs the scenario {saved or '(none)'}; a loaded game keeps the scenario it "
                            f"was started with, so start a new game to run {asked!r}")
    if saved is None:
        return None
    try:
        return find_scenario(saved, mod_roots)
    except ScenarioError as e:
        raise ScenarioError(f"this save runs the scenario {saved}, which its mods no longer ship: {e}") from e
