"""Save files as the command line names them: `--create FILE`, `--start-server FILE`, the newest save.

The files hold the engine's own save format (engine/save/savefile.py), whatever their name: a path is taken as
given, `.zip` added when it has no suffix (as the game names saves), and a bare name with no folder is looked for
in the saves folder when it is not in the current one. Writing is atomic (a temporary file, fsync, rename), as
every engine save.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from factoryverse.engine.headless._errors import SaveNotFoundError
from factoryverse.engine.save import game_save, savefile
from factoryverse.engine.save.world_codec import no_cyclic_gc

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["save_file_path", "find_save", "latest_save", "write_game", "saved_tick", "SAVE_SUFFIXES"]

# What the saves folder holds: files the command line named (.zip by the game's habit) and the engine's own
# (/save, game.server_save, autosaves: .fvsave).
SAVE_SUFFIXES = (".zip", savefile.SAVE_SUFFIX)


def save_file_path(name: str) -> Path:
    path = Path(name).expanduser()
    return path if path.suffix else path.with_name(path.name + ".zip")


def find_save(name: str, saves: Path) -> Path:
    """The save `--start-server NAME` means; SaveNotFoundError naming both places looked in."""
    path = save_file_path(name)
    if path.is_file():
        return path
    if path.parent == Path(".") and (saves / path.name).is_file():
        return saves / path.name
    looked = f"{path.resolve()}" + (f" or {saves / path.name}" if path.parent == Path(".") else "")
    raise SaveNotFoundError(f"no save at {looked}; create one with --create {name} or give the path of a save")


def latest_save(saves: Path) -> Path:
    """The newest save in `saves` (by modification time, then name), as --start-server-load-latest loads."""
    found = [p for p in saves.iterdir() if p.is_file() and p.suffix in SAVE_SUFFIXES] if saves.is_dir() else []
    if not found:
        raise SaveNotFoundError(f"--start-server-load-latest found no save (*.zip or *{savefile.SAVE_SUFFIX}) in "
                                f"{saves}; create one with --create {saves / 'game.zip'}")
    return max(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def write_game(engine: Engine, path: Path) -> int:
    """Save `engine` (between ticks) to `path` atomically; returns the bytes written."""
    with no_cyclic_gc():
        data = game_save.save_bytes(engine)
    savefile.write_save(path, data)
    return len(data)


def saved_tick(path: Path) -> int:
    """The tick a save was written at (read from its header; a damaged file raises CorruptSaveError)."""
    header, _ = savefile.read_save(path)
    return header.tick
