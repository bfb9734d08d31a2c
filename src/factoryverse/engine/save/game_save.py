"""Saving a game and loading it in the game's data lifecycle.

Save: every mod's (and the level's) `storage` is written first (engine/save/storage_codec.py), collecting the world
objects it references; then the world, those objects and the storages go into one pickle (world_codec.py), under a
header (savefile.py).

Load (Factorio's "Data lifecycle" page, control stage of a loaded save), run by `Engine` when given a save:
the world is rebuilt, each mod's `control.lua` runs, `storage` is restored for the mods the save knows, `on_init`
runs for mods new to the save, `on_load` for the others (it may not change `storage`: the game stops the load with
an error, and so does the engine), then `on_configuration_changed` with ConfigurationChangedData when the mods or
their versions differ from the save's. Migration files are not run (the engine does not implement them yet), so
`migration_applied` is always false; startup settings do not exist in the engine yet, so
`mod_startup_settings_changed` is too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from factoryverse import __version__
from factoryverse.engine.errors import ModLoadError
from factoryverse.engine.save.savefile import SAVE_SCHEMA_VERSION, SaveHeader, SaveVersionError, encode_save
from factoryverse.engine.save.storage_codec import StorageWriter, restore_storage
from factoryverse.engine.save.world_codec import dump_world, load_world
from factoryverse.engine.state_hash import _LuaWalker, canonical_bytes

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = [
    "GameImage", "capture", "save_bytes", "restore", "load_world_image", "check_version", "image_from_bytes",
    "StorageWriteInOnLoadError",
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
    body = dump_world(engine, {"refs": writer.refs, "storages": storages})
    return GameImage(_header(engine), body)


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
    saved_mods = image.header.mods
    if "level" in storages:
        engine.level.globals().storage = restore_storage(engine.level, storages["level"], refs)
    for mod in engine.mods:
        if mod.name in storages:
            table = restore_storage(mod.state, storages[mod.name], refs)
            mod.state.globals().storage = table
            mod.storage = table
    for mod in engine.mods:
        if mod.name not in storages and mod.on_init is not None:
            engine._run_handler(mod, "on_init", mod.on_init)
    for mod in engine.mods:
        if mod.name in storages and mod.on_load is not None:
            before = _storage_digest(mod.state, mod.name)
            engine._run_handler(mod, "on_load", mod.on_load)
            if _storage_digest(mod.state, mod.name) != before:
                raise StorageWriteInOnLoadError(
                    f"Detected modifications to the 'storage' table by mod {mod.name} while running on_load; "
                    "Factorio does not allow that (set up only local state in on_load; change storage in "
                    "on_configuration_changed or migrations)"
                )
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
    if changes:
        data = {"mod_changes": changes, "mod_startup_settings_changed": False, "migration_applied": False}
        for mod in engine.mods:
            if mod.on_configuration_changed is not None:
                engine._run_handler(mod, "on_configuration_changed", mod.on_configuration_changed,
                                    mod.state.to_lua(data))


def image_from_bytes(data: bytes, where: str = "the save") -> GameImage:
    from factoryverse.engine.save.savefile import decode_save

    header, body = decode_save(data, where=where)
    return GameImage(header, body)

