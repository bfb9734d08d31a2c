"""Build the save's C modules next to their sources, for `make cslots`: the slot loops
(src/factoryverse/engine/save/_cslots.c) and the column codec (_ccolumns.c).

The save and load work without them (engine/save/_slot_code.py and _columns.py do the same in Python), several
times slower (benchmarks/save_load.py). Needs a C compiler and Python's headers, as `make lupa` does. Returns at
once when the built module is newer than its source; otherwise compiles to a temporary file and renames it, so a
process importing the module meanwhile sees the old one or the new one, never half of one.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

__all__ = ["main", "target"]

FOLDER = Path(__file__).resolve().parents[2] / "src" / "factoryverse" / "engine" / "save"
SOURCE = FOLDER / "_cslots.c"
SOURCES = (SOURCE, FOLDER / "_ccolumns.c")


def target(source: Path = SOURCE) -> Path:
    return source.with_name(source.stem + sysconfig.get_config_var("EXT_SUFFIX"))


def main() -> int:
    return max(build(source) for source in SOURCES)


def build(source: Path) -> int:
    out = target(source)
    if out.exists() and out.stat().st_mtime >= source.stat().st_mtime:
        return 0
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")
    tmp = out.with_name(out.name + f".{os.getpid()}.tmp")
    command = [*compiler, "-O2", "-fPIC", "-shared", "-Wall", f"-I{sysconfig.get_paths()['include']}", str(source),
               "-o", str(tmp)]
    try:
        subprocess.run(command, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        tmp.unlink(missing_ok=True)
        print(f"could not build {out.name} ({e}); saves still work, more slowly. Install a C compiler "
              "and Python's headers (Debian: gcc python3-dev) and run `make cslots` again.", file=sys.stderr)
        return 1
    os.replace(tmp, out)
    print(f"built {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
