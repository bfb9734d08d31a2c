"""The headless command line's errors: one tree, each naming what was wrong and what to do."""

from __future__ import annotations

from factoryverse.engine.errors import EngineError

__all__ = ["HeadlessError", "OptionError", "ConfigFileError", "SaveNotFoundError"]


class HeadlessError(EngineError):
    """Base of every error of `python -m factoryverse.engine.headless`; the process logs it as `Error ...`, exits 1."""


class OptionError(HeadlessError):
    """The command line itself is wrong: an unknown option, a missing or bad value. Printed as the game prints it
    (the message, a blank line, the usage), not as a log line."""


class ConfigFileError(HeadlessError):
    """A file the command line names (config.ini, server-settings.json, map-gen-settings.json, mod-list.json) is
    missing or does not say what the game expects."""


class SaveNotFoundError(HeadlessError):
    """No save where the command line says to load one (a missing file, or an empty saves folder)."""
