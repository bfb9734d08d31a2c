"""Factorio's headless command line, run by the embedded engine: ``python -m factoryverse.engine.headless``.

Takes the real server's flags (``--create``, ``--start-server``, ``--start-server-load-latest``,
``--start-server-load-scenario``, ``--rcon-port``/``--rcon-bind``/``--rcon-password``, ``--mod-directory``,
``--server-settings``, ``-c/--config``, ...) and logs to stdout in the game's log format, so a tool that starts a
``factorio`` binary can start this engine instead (``write_launcher`` writes such a binary). The Factorio version
it runs as comes from ``$FACTORYVERSE_FACTORIO_VERSION`` (default 2.0). docs/headless.md lists the flags and the
differences from the game.
"""

from factoryverse.engine.headless._errors import ConfigFileError, HeadlessError, OptionError, SaveNotFoundError
from factoryverse.engine.headless._launcher import write_launcher
from factoryverse.engine.headless._main import main, version_text
from factoryverse.engine.headless._options import parse_options, usage
from factoryverse.engine.headless._plan import VERSION_ENV

__all__ = [
    "main", "version_text", "parse_options", "usage", "write_launcher", "VERSION_ENV",
    "HeadlessError", "OptionError", "ConfigFileError", "SaveNotFoundError",
]
