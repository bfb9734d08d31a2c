"""Where a server's files live: config.ini's `[path] write-data`, and the saves/, mods/ and script-output/ in it.

Factorio reads `write-data` from the config file given with `-c/--config`; the value may start with
`__PATH__executable__` (the folder of the binary) or `__PATH__system-write-data__` (`~/.factorio` on Linux). Without
a config file the engine uses the current folder as write-data (a real headless server uses its install folder).
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

from factoryverse.engine.headless._errors import ConfigFileError

__all__ = ["WriteData", "read_write_data", "EXECUTABLE_ENV"]

# Set by the `factorio` launcher (_launcher.py) to its own path, so __PATH__executable__ means the launcher's folder.
EXECUTABLE_ENV = "FACTORYVERSE_FACTORIO_EXECUTABLE"


@dataclass(frozen=True)
class WriteData:
    root: Path

    @property
    def saves(self) -> Path:
        return self.root / "saves"

    @property
    def mods(self) -> Path:
        return self.root / "mods"

    @property
    def script_output(self) -> Path:
        return self.root / "script-output"


def _executable_dir(executable_path: Path | None) -> Path:
    if executable_path is not None:
        return executable_path.resolve().parent
    launcher = os.environ.get(EXECUTABLE_ENV)
    return Path(launcher).resolve().parent if launcher else Path.cwd()


def _expand(value: str, executable_path: Path | None) -> Path:
    for token, folder in (("__PATH__executable__", lambda: _executable_dir(executable_path)),
                          ("__PATH__system-write-data__", lambda: Path.home() / ".factorio")):
        if value.startswith(token):
            return folder() / value[len(token):].lstrip("/\\")
    return Path(value).expanduser()


def read_write_data(config: Path | None, executable_path: Path | None = None) -> WriteData:
    """The write-data folder `config` (a config.ini) names, or the current folder without one."""
    if config is None:
        return WriteData(Path.cwd())
    parser = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=(";", "#"))
    try:
        text = config.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ConfigFileError(f"cannot read the config file {config} (--config): {e.strerror or e}") from e
    try:
        parser.read_string(text, source=str(config))
    except configparser.Error as e:
        raise ConfigFileError(f"the config file {config} is not an ini file the game reads: {e}") from e
    value = parser.get("path", "write-data", fallback=None)
    if value is None or not value.strip():
        return WriteData(Path.cwd())
    root = _expand(value.strip(), executable_path)
    if not root.is_absolute():
        root = Path.cwd() / root
    return WriteData(root)
