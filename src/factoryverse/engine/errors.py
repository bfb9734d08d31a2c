"""The engine's error tree: every failure the game side can report, one base class to catch."""

from __future__ import annotations

__all__ = ["EngineError", "LuaRuntimeError", "ModLoadError", "ApiMemberError", "ScriptError", "UnpatchedLuaError"]


class EngineError(Exception):
    """Base of every error the embedded engine raises."""


class LuaRuntimeError(EngineError):
    """Lua code failed (an error, an API misuse, or the instruction limit); the message carries the Lua traceback."""

    def __init__(self, message: str, *, where: str = ""):
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return self.message


class ModLoadError(EngineError):
    """A mod could not be loaded: a bad info.json, a missing dependency or file, or an error in its control.lua."""


class ApiMemberError(EngineError):
    """The engine tried to expose a member that is not in both Factorio 2.0 and 2.1 runtime APIs."""


class ScriptError(EngineError):
    """Raised from Python API code to report a Factorio-style error to the calling Lua (the message is shown as is)."""


class UnpatchedLuaError(EngineError):
    """The installed lupa's Lua 5.2 does not traverse tables as Factorio's does (`make lupa` builds one that does)."""
