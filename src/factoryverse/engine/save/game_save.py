"""Saving a game and loading it in the game's data lifecycle.

Save: every mod's (and the level's) `storage` is written first (engine/save/storage_codec.py), collecting the world
objects it references; then the world, those objects, the storages and what the lifecycle compares on the next load
(the startup settings, the migrations applied, a digest of the prototypes, and the runtime-global settings, which
are game state) go into one pickle (world_codec.py), under a header (savefile.py).

Load (Factorio's "Data lifecycle" page, save startup), run by `Engine` when given a save: the world is rebuilt, each
mod's `control.lua` runs, `storage` is restored for the mods the save knows, then [2] `on_init` for mods new to the
save, [3] the migrations the save has not had (engine/migrations.py), [4] `on_load` for the other mods (it may not
change `storage`: the game stops the load with an error, and so does the engine), and [5] `on_configuration_changed`
with ConfigurationChangedData when the game version, a mod or its version, a startup setting or the prototypes
differ from the save's, or a migration ran.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from factoryverse import __version__
from factoryverse.engine.errors import ModLoadError
from factoryverse.engine.migrations import run_migrations
from factoryverse.engine.save.savefile import SAVE_SCHEMA_VERSION, SaveHeader, SaveVersionError, encode_save
from factoryverse.engine.save.storage_codec import StorageWriter, restore_storage
from factoryverse.engine.save.world_codec import dump_world, load_world
from factoryverse.engine.state_hash import _LuaWalker, canonical_bytes

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = [
    "GameImage", "capture", "save_bytes", "restore", "load_world_image", "check_version", "image_from_bytes",
    "StorageWriteInOnLoadError", "configuration_changes", "prototype_digest",
]


class StorageWriteInOnLoadError(ModLoadError):
    """A mod changed its `storage` in `on_load`, which Factorio forbids; the load is abandoned."""


@dataclass
class GameImage:
    """A game as the save holds it: its header and the raw (uncompressed) world pickle."""

    header: SaveHeader
    body: bytes


def _header(engine: Engine) -> SaveHeader:
    mods = {"base": engine.factorio.base, **{m.name: m.info.version for m in engine.mods}}
    return SaveHeader(
        schema_version=SAVE_SCHEMA_VERSION,
        factorio_version=engine.factorio.name,
        engine_version=__version__,
        mods=mods,
        tick=engine.tick,
        run_id=getattr(engine, "run_id", None),
        seed=engine.seed,
    )


def capture(engine: Engine) -> GameImage:
    """The game as it is now, in memory. Raises SaveError (nothing changed) if a storage holds a function."""
    writer = StorageWriter()
    storages = {mod.name: writer.write(mod.state, mod.name) for mod in engine.mods}
    storages["level"] = writer.write(engine.level, "level")
    lifecycle = {
        "startup_settings": dict(engine.mod_settings.startup),
        "runtime_settings": engine.mod_settings.runtime_state(),
        "migrations": {mod: list(names) for mod, names in engine.applied_migrations.items()},
        "prototypes": prototype_digest(engine.prototypes),
        # The scenario whose script is the level's: a loaded game runs it again (engine/scenarios.py).
        "scenario": engine.scenario.id if getattr(engine, "scenario", None) is not None else None,
    }
    body = dump_world(engine, {"refs": writer.refs, "storages": storages, "lifecycle": lifecycle})
    return GameImage(_header(engine), body)


_DIGESTS: dict[int, tuple[Any, str]] = {}


def prototype_digest(prototypes: Any) -> str:
    """Which prototypes exist (type and name): a save records it, and a load where one was added or removed is a
    configuration change. Computed once per prototype data (about 10 ms)."""
    known = _DIGESTS.get(id(prototypes))
    if known is not None and known[0] is prototypes:
        return known[1]
    h = hashlib.blake2b(digest_size=16)
    for type_name in sorted(prototypes.raw):
        for name in sorted(prototypes.raw[type_name]):
            h.update(type_name.encode() + b"\0" + name.encode() + b"\0")
    digest = h.hexdigest()
    _DIGESTS[id(prototypes)] = (prototypes, digest)
    return digest


def save_bytes(engine: Engine) -> bytes:
    """The game as a save file's bytes (see savefile.py)."""
    image = capture(engine)
    return encode_save(image.header, image.body)


def check_version(engine: Engine, header: SaveHeader, where: str) -> None:
    if header.factorio_version != engine.factorio.name:
        raise SaveVersionError(
            f"{where} is a Factorio {header.factorio_version} game and this server runs as Factorio "
            f"{engine.factorio.name}; start it with --factorio-version {header.factorio_version}"
        )


def load_world_image(engine: Engine, image: GameImage) -> dict[str, Any]:
    """Rebuild the world of `image` into `engine` (before its Lua states exist); returns the pickle's root."""
    check_version(engine, image.header, "the save")
    root = load_world(engine, image.body)
    return root


def _storage_digest(state: Any, name: str) -> bytes:
    return canonical_bytes(_LuaWalker(state, name).value(state.globals().storage, "storage"))


def restore(engine: Engine, image: GameImage, root: dict[str, Any]) -> None:
    """The control stage of a loaded save, once every mod's control.lua has run (see the module's doc)."""
    refs = root["refs"]
    storages = root["storages"]
    # A save from before the lifecycle record: nothing to compare, every migration taken as applied.
    lifecycle = root.get("lifecycle") or {}
    engine.mod_settings.restore(lifecycle.get("runtime_settings"))
    if "level" in storages:
        engine.level.globals().storage = restore_storage(engine.level, storages["level"], refs)
    for mod in engine.mods:
        if mod.name in storages:
            table = restore_storage(mod.state, storages[mod.name], refs)
            mod.state.globals().storage = table
            mod.storage = table
    new_mods = {mod.name for mod in engine.mods if mod.name not in storages}
    for mod in engine.mods:
        if mod.name in new_mods and mod.on_init is not None:
            engine._run_handler(mod, "on_init", mod.on_init)
    migrated = run_migrations(engine, lifecycle.get("migrations"), new_mods)
    # The level (a scenario's script) comes after the mods, as in every other stage.
    loading = [mod for mod in engine.mods if mod.name not in new_mods] + [engine.level_script]
    for mod in loading:
        if mod.on_load is not None:
            before = _storage_digest(mod.state, mod.name)
            engine._run_handler(mod, "on_load", mod.on_load)
            if _storage_digest(mod.state, mod.name) != before:
                raise StorageWriteInOnLoadError(
                    f"Detected modifications to the 'storage' table by mod {mod.name} while running on_load; "
                    "Factorio does not allow that (set up only local state in on_load; change storage in "
                    "on_configuration_changed or migrations)"
                )
    data = configuration_changes(engine, image.header.mods, lifecycle, migrated)
    if data is not None:
        for mod in [*engine.mods, engine.level_script]:
            if mod.on_configuration_changed is not None:
                engine._run_handler(mod, "on_configuration_changed", mod.on_configuration_changed,
                                    mod.state.to_lua(data))


def configuration_changes(engine: Engine, saved_mods: dict[str, str], lifecycle: dict[str, Any],
                          migrated: bool) -> dict[str, Any] | None:
    """ConfigurationChangedData for this load, or None when the configuration is the save's: old_version and
    new_version (the game's, base's version) only when it changed, mod_changes per added, removed or updated mod,
    mod_startup_settings_changed, migration_applied."""
    current = {"base": engine.factorio.base, **{m.name: m.info.version for m in engine.mods}}
    changes: dict[str, dict[str, str]] = {}
    for name in sorted(set(saved_mods) | set(current)):
        old, new = saved_mods.get(name), current.get(name)
        if old != new:
            change = {}
            if old is not None:
                change["old_version"] = old
            if new is not None:
                change["new_version"] = new
            changes[name] = change
    settings_changed = engine.mod_settings.startup_changed(lifecycle.get("startup_settings"))
    saved_digest = lifecycle.get("prototypes")
    prototypes_changed = saved_digest is not None and saved_digest != prototype_digest(engine.prototypes)
    if not (changes or settings_changed or prototypes_changed or migrated):
        return None
    data: dict[str, Any] = {}
    if saved_mods.get("base") != current["base"]:
        data["old_version"], data["new_version"] = saved_mods.get("base"), current["base"]
    data.update({"mod_changes": changes, "mod_startup_settings_changed": settings_changed,
                 "migration_applied": migrated})
    return data


def image_from_bytes(data: bytes, where: str = "the save") -> GameImage:
    from factoryverse.engine.save.savefile import decode_save

    header, body = decode_save(data, where=where)
    return GameImage(header, body)

