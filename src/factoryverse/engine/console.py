"""The server console: what an RCON command line does (`/sc <lua>`, `/help`, a mod's command, chat)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.errors import LuaRuntimeError
from factoryverse.engine.save.fork import ForkRefusedError, check_fork
from factoryverse.engine.save.world_codec import SaveError
from factoryverse.engine.state_hash import StateHashError, state_hash, state_sections

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["Console", "STATE_HASH_COMMAND", "FORK_COMMAND"]

_LUA_COMMANDS = {"c", "command", "sc", "silent-command"}
# The engine's own commands (docs/engine.md): real Factorio answers them as unknown commands, which is how the SDK
# tells the two apart.
STATE_HASH_COMMAND = "fv-state-hash"
FORK_COMMAND = "fv-fork"


class Console:
    builtin = {
        "c": "Executes a Lua command. Alias of /command.",
        "command": "Executes a Lua command.",
        "sc": "Executes a Lua command without printing it to the console. Alias of /silent-command.",
        "silent-command": "Executes a Lua command without printing it to the console.",
        "help": "Prints a list of available commands, or the help of one.",
        "save": "Saves the game: /save [name] writes <saves folder>/<name>.fvsave (by default the current save's "
        "name).",
        STATE_HASH_COMMAND: "FactoryVerse engine only (real Factorio has no such command): prints the tick and a "
        "digest of the game state, `tick=<n> hash=<hex>`; `/fv-state-hash sections` adds one digest per section.",
        FORK_COMMAND: "FactoryVerse engine only: saves the game as a fork (`/fv-fork [name]`, default "
        "_fork-<tick>) for a new server to start from, and prints `Forked the game to <path>`. Refused while the "
        "last command failed, unless the first word is `force`.",
    }

    def __init__(self, engine: Engine):
        self.engine = engine
        self.custom: dict[str, tuple[Any, Any, Any]] = {}
        self._lines: list[str] | None = None
        # The error of the last Lua or mod command if it failed (None once one succeeds): a game whose last command
        # failed half-way is not forked unless asked to (engine.fork(force=True)).
        self.last_failure: str | None = None

    def rcon_print(self, text: str) -> None:
        # Outside an RCON command, rcon.print goes nowhere, as in the game.
        if self._lines is not None:
            self._lines.append(text)

    def execute(self, text: str) -> str:
        text = text.strip()
        if not text:
            return ""
        if not text.startswith("/"):
            self.engine.log_line(f"[CHAT] <server>: {text}")
            return ""
        parts = text[1:].split(None, 1)
        name = parts[0] if parts else ""
        rest = parts[1].strip() if len(parts) > 1 else ""
        self._lines = []
        try:
            if name in _LUA_COMMANDS:
                self._run_lua(rest)
            elif name == "help":
                self._help(rest)
            elif name == "save":
                self._save(rest)
            elif name == STATE_HASH_COMMAND:
                self._state_hash(rest)
            elif name == FORK_COMMAND:
                self._fork(rest)
            elif name in self.custom:
                self._run_custom(name, rest)
            else:
                self._lines.append(f'Unknown command "{name}". Type /help for a list of commands.')
            return "\n".join(self._lines)
        finally:
            self._lines = None

    def _run_lua(self, code: str) -> None:
        level = self.engine.level
        try:
            fn = level.compile(code, code, raw_name=True)
            level.call("command", fn)
        except LuaRuntimeError as e:
            self._lines.append(f"Cannot execute command. Error: {e}")  # type: ignore[union-attr]
            self.last_failure = str(e)
        else:
            self.last_failure = None

    def _help(self, which: str) -> None:
        lines = self._lines
        assert lines is not None
        if which:
            if which in self.builtin:
                lines.append(f"/{which} - {self.builtin[which]}")
            elif which in self.custom:
                lines.append(f"/{which} - {self.engine.localised_to_text(self.custom[which][1])}")
            else:
                lines.append(f'Unknown command "{which}".')
            return
        lines.append("Available commands:")
        for cmd, help_text in self.builtin.items():
            lines.append(f"/{cmd} - {help_text}")
        for cmd, (_, help_text, _) in sorted(self.custom.items()):
            lines.append(f"/{cmd} - {self.engine.localised_to_text(help_text)}")

    def _state_hash(self, parameter: str) -> None:
        lines = self._lines
        assert lines is not None
        if parameter not in ("", "sections"):
            lines.append(f"/{STATE_HASH_COMMAND} takes no parameter or `sections`, not {parameter!r}")
            return
        try:
            digest = state_hash(self.engine)
            sections = state_sections(self.engine) if parameter == "sections" else {}
        except StateHashError as e:
            lines.append(f"Error: {e}")
            return
        lines.append(f"tick={self.engine.tick} hash={digest}")
        lines.extend(f"{name}={value}" for name, value in sections.items())

    def _save(self, parameter: str) -> None:
        lines = self._lines
        assert lines is not None
        try:
            path = self.engine.saves.save_now(self.engine, parameter or None)
        except SaveError as e:
            lines.append(f"Error: {e}")
            return
        lines.append(f"Saved the game to {path}")

    def _fork(self, parameter: str) -> None:
        lines = self._lines
        assert lines is not None
        words = parameter.split()
        force = bool(words) and words[0] == "force"
        if force:
            words = words[1:]
        if len(words) > 1:
            lines.append(f"Error: /{FORK_COMMAND} takes [force] [name], not {parameter!r}")
            return
        name = words[0] if words else f"_fork-{self.engine.tick}"
        try:
            check_fork(self.engine, force)
            path = self.engine.saves.save_now(self.engine, name)
        except (SaveError, ForkRefusedError) as e:
            lines.append(f"Error: {e}")
            return
        lines.append(f"Forked the game to {path}")

    def _run_custom(self, name: str, parameter: str) -> None:
        owner, _, fn = self.custom[name]
        event = {"name": name, "tick": self.engine.tick}
        if parameter:
            event["parameter"] = parameter
        try:
            owner.state.call(f"command /{name}", fn, owner.state.to_lua(event))
        except LuaRuntimeError as e:
            self._lines.append(f"Error while running command /{name}: {e}")  # type: ignore[union-attr]
            self.last_failure = str(e)
        else:
            self.last_failure = None
