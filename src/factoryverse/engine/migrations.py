"""Migration files: a mod's `migrations/*.lua` and `*.json`, run once per save when a game is loaded.

As Factorio's "Migrations" and "Data lifecycle" pages say: migrations run in mod order, then by file name
(lexicographic); all JSON migrations before any Lua migration; each save remembers which ran, by mod and file name,
and never runs one twice; a mod added to a save runs all of its own. A new game runs none and records every one it
has as applied (they fix up saves of older versions, and a new game is of the current one). Lua migrations run in
their mod's own Lua state with full game access, after `on_init` of mods new to the save and before `on_load` of the
others. JSON migrations rename prototypes; mods here add no prototypes, so the engine records them as applied and
changes nothing (docs/known-differences.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from factoryverse.engine.errors import LuaRuntimeError, ModLoadError

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["MigrationError", "migration_files", "all_migrations", "run_migrations"]

FOLDER = "migrations"


class MigrationError(ModLoadError):
    """A Lua migration failed; as in the game, the save does not load."""


def migration_files(folder: Path) -> list[str]:
    """The migration files of the mod at `folder`: JSON first, then Lua, each by name."""
    where = folder / FOLDER
    if not where.is_dir():
        return []
    names = [p.name for p in where.iterdir() if p.is_file() and p.suffix in (".json", ".lua")]
    return sorted(n for n in names if n.endswith(".json")) + sorted(n for n in names if n.endswith(".lua"))


def all_migrations(engine: Engine) -> dict[str, list[str]]:
    """Every migration of every mod, as a new game records them (applied, none run)."""
    return {mod.name: migration_files(mod.info.path) for mod in engine.mods if migration_files(mod.info.path)}


def run_migrations(engine: Engine, applied: dict[str, list[str]] | None, new_mods: set[str]) -> bool:
    """Run what `applied` (the save's record; None for a save from before the record existed, taken as all applied)
    lacks, record it in `engine.applied_migrations`, and say whether any migration ran."""
    if applied is None:
        applied = all_migrations(engine)
    record = {mod: list(names) for mod, names in applied.items()}
    pending: list[tuple[Any, str]] = []
    for mod in engine.mods:
        done = set() if mod.name in new_mods else set(record.get(mod.name, ()))
        pending += [(mod, name) for name in migration_files(mod.info.path) if name not in done]
    # JSON first, over all mods, then Lua: both in mod order and then by name.
    pending.sort(key=lambda p: p[1].endswith(".lua"))
    for mod, name in pending:
        if name.endswith(".lua"):
            _run_lua(mod, mod.info.path / FOLDER / name)
        names = record.setdefault(mod.name, [])
        if name not in names:
            names.append(name)
    engine.applied_migrations = record
    return bool(pending)


def _run_lua(mod: Any, path: Path) -> None:
    state = mod.state
    chunk = f"@__{mod.name}__/{FOLDER}/{path.name}"
    requirer = state.requirer
    try:
        fn = state.compile(path.read_text(encoding="utf-8"), chunk)
        # `require` works while the file runs, relative to it, as it does for control.lua.
        requirer.stack.append((mod.name, path.parent))
        try:
            state.call(f"{mod.name} migration {path.name}", fn)
        finally:
            requirer.stack.pop()
    except LuaRuntimeError as e:
        raise MigrationError(f"mod {mod.name} failed to apply migration {FOLDER}/{path.name}; the save was not "
                             f"loaded:\n{e}") from e
