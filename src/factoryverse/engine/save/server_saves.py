"""A server's saves: its saves folder, `game.server_save`, the `/save` command and autosaves.

Factorio's server keeps the game it runs under a save name (the file it loaded, or the map it created) and writes
`game.server_save(name?)`, `/save [name]` and its autosaves (`_autosave1` .. `_autosave<slots>`, every
`autosave_interval` minutes; server-settings.json defaults to 10 minutes and 5 slots) into its saves folder. The
engine does the same with its own file format (savefile.py: atomic write).

`game.server_save` is asked from inside Lua, where a mod may be midway through changing its `storage`; the game
saves between updates, so the request is queued and written once the command or tick has finished (`flush`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from factoryverse.engine.save import savefile as _savefile
from factoryverse.engine.save.world_codec import SaveError

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["ServerSaves", "DEFAULT_SAVE_NAME", "AUTOSAVE_PREFIX", "DEFAULT_AUTOSAVE_SLOTS", "TICKS_PER_MINUTE"]

# The save name of a game that was created, not loaded (Factorio names it after the map it created).
DEFAULT_SAVE_NAME = "game"
AUTOSAVE_PREFIX = "_autosave"
DEFAULT_AUTOSAVE_SLOTS = 5
TICKS_PER_MINUTE = 60 * 60


class ServerSaves:
    """What an engine saves on its own: `folder` (None: a game with no saves folder, which refuses to save),
    `name` (the current save name), autosaves every `autosave_ticks` game ticks (0: off) into `slots` rotating
    names."""

    def __init__(self, folder: Path | str | None, *, autosave_ticks: int = 0, slots: int = DEFAULT_AUTOSAVE_SLOTS):
        if isinstance(autosave_ticks, bool) or not isinstance(autosave_ticks, int) or autosave_ticks < 0:
            raise ValueError(f"autosave_ticks must be a whole number of ticks >= 0 (0 = off), got {autosave_ticks!r}")
        if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
            raise ValueError(f"autosave slots must be a whole number >= 1, got {slots!r}")
        self.folder = Path(folder) if folder is not None else None
        self.name = DEFAULT_SAVE_NAME
        self.autosave_ticks = autosave_ticks
        self.slots = slots
        self._pending: list[str] = []

    def _folder(self) -> Path:
        if self.folder is None:
            raise SaveError("this game has no saves folder; start the server with --saves-dir (fv server start "
                            "gives each instance <instance folder>/saves)")
        return self.folder

    def save_now(self, engine: Engine, name: str | None = None) -> Path:
        """Write `<folder>/<name or the current save name>.fvsave` now (between updates). SaveError, nothing
        written, for no folder, a bad name or a storage holding a function."""
        return engine.save(self._folder(), self.name if name is None else name)

    def request(self, name: str | None) -> None:
        """game.server_save: check now (so the script hears of a bad name), write at the next flush."""
        self._folder()
        self._pending.append(self.name if name is None else _savefile.check_save_name(name))

    def flush(self, engine: Engine) -> None:
        """Write the queued game.server_save requests; a failure is logged (the script that asked has returned)."""
        while self._pending:
            name = self._pending.pop(0)
            try:
                path = self.save_now(engine, name)
            except SaveError as e:
                engine.log_line(f"Saving the game as {name!r} failed: {e}")
            else:
                engine.log_line(f"Saved the game to {path}")

    def autosave_name(self, tick: int) -> str | None:
        """The autosave due once the game reaches `tick`, or None. The slot follows from the tick (the n-th autosave
        of the game goes to slot (n - 1) % slots + 1), so a loaded game goes on rotating where the saved one was."""
        if not self.autosave_ticks or self.folder is None or tick == 0 or tick % self.autosave_ticks:
            return None
        return f"{AUTOSAVE_PREFIX}{(tick // self.autosave_ticks - 1) % self.slots + 1}"

    def after_tick(self, engine: Engine) -> None:
        self.flush(engine)
        name = self.autosave_name(engine.tick)
        if name is not None:
            try:
                path = self.save_now(engine, name)
            except SaveError as e:
                engine.log_line(f"Autosave {name} failed: {e}")
            else:
                engine.log_line(f"Autosaved the game to {path}")
