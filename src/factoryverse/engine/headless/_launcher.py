"""A `factorio` executable that runs this engine's command line, for anything that asks for a Factorio binary.

The launcher is a small shell script that execs `python -m factoryverse.engine.headless` with the given Python
(this one by default) and tells the engine its own path (so config.ini's `__PATH__executable__` is its folder).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from factoryverse.engine.headless._write_data import EXECUTABLE_ENV

__all__ = ["write_launcher"]


def write_launcher(folder: Path | str, *, python: str | None = None, factorio_version: str | None = None,
                   name: str = "factorio") -> Path:
    """Write `<folder>/<name>` (mode 755) and return its path. `factorio_version` fixes the version it runs as
    (otherwise FACTORYVERSE_FACTORIO_VERSION at run time, default 2.0).

    Example: write_launcher(tmp_path / "bin", factorio_version="2.1")
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    version = f"export FACTORYVERSE_FACTORIO_VERSION={shlex.quote(factorio_version)}\n" if factorio_version else ""
    path.write_text(
        "#!/bin/sh\n"
        "# FactoryVerse's embedded engine behind Factorio's headless command line (factoryverse.engine.headless).\n"
        f"export {EXECUTABLE_ENV}=\"$0\"\n"
        f"{version}"
        f"exec {shlex.quote(python or sys.executable)} -m factoryverse.engine.headless \"$@\"\n",
        encoding="utf-8",
    )
    os.chmod(path, 0o755)
    return path
