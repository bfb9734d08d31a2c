"""The server console: what an RCON command line does (`/sc <lua>`, `/help`, a mod's command, chat)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.errors import LuaRuntimeError

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["Console"]

_LUA_COMMANDS = {"c", "command", "sc", "silent-command"}


class Console:
    builtin = {
        "c": "Executes a Lua command. Alias of /command.",
        "command": "Executes a Lua command.",
        "sc": "Executes a Lua command without printing it to the console. Alias of /silent-command.",
        "silent-command": "Executes a Lua command without printing it to the console.",
        "help": "Prints a list of available commands, or the help of one.",
    }

    def __init__(self, engine: Engine):
        self.engine = engine
        self.custom: dict[str, tuple[Any, Any, Any]] = {}
        self._lines: list[str] | None = None

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

    def _run_custom(self, name: str, parameter: str) -> None:
        owner, _, fn = self.custom[name]
        event = {"name": name, "tick": self.engine.tick}
        if parameter:
            event["parameter"] = parameter
        try:
            owner.state.call(f"command /{name}", fn, owner.state.to_lua(event))
        except LuaRuntimeError as e:
            self._lines.append(f"Error while running command /{name}: {e}")  # type: ignore[union-attr]
