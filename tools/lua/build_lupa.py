"""Build lupa's Lua 5.2 with Factorio's table traversal order and install it into the running virtualenv.

The engine runs mods' Lua on `lupa.lua52`; stock Lua 5.2 traverses tables in an order that changes from run to run,
Factorio's Lua does not (lua52-factorio-order.patch says what changes and why). This script, run by `make lupa`:

1. returns at once if the installed lupa is this patch's build and traverses tables as Factorio does;
2. otherwise installs the wheel cached in build/lupa/ for this patch and interpreter, or builds it first: lupa's
   source distribution from PyPI (sha256 checked), only its Lua 5.2 kept, the patch applied, `pip wheel`.

The wheel's version is lupa's plus a local label naming the patch (2.8+fv.<hash>), so `pip show lupa` tells which
build is installed, a changed patch is rebuilt, and `lupa==2.8` requirements still hold.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

__all__ = ["main", "apply_patch", "patched_version"]

LUPA_VERSION = "2.8"
# The exact file the patch was written and tested against (PyPI's lupa-2.8.tar.gz).
LUPA_SDIST_SHA256 = "d8022641b9ec8ecf2c5ecbe9f47e5a70e0b87c4b5ae921b92cb02a638e0acd08"

ROOT = Path(__file__).resolve().parents[2]
PATCH = Path(__file__).resolve().with_name("lua52-factorio-order.patch")
BUILD = ROOT / "build" / "lupa"


class BuildError(Exception):
    """The patched lupa could not be built or installed; the message says what to do."""


# Bump when the way the wheel is built changes (flags, steps): like a changed patch, it makes a new build.
RECIPE = 2


def patched_version() -> str:
    """lupa's version with a local label naming the patch and recipe: a changed one is a different build."""
    digest = hashlib.sha256(f"{LUPA_VERSION}\0{RECIPE}\0".encode() + PATCH.read_bytes()).hexdigest()[:12]
    return f"{LUPA_VERSION}+fv.{digest}"


# -- applying the patch -------------------------------------------------------------------------------------------

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def apply_patch(patch_text: str, directory: Path) -> list[str]:
    """Apply a unified diff (paths with one leading component, as `a/x.c`) to `directory`, strictly.

    Our own small applier, so the build needs neither `patch` nor `git`: every context and removed line must match
    exactly where the hunk says, else BuildError. Returns the files changed.
    """
    lines = patch_text.splitlines()
    files: dict[str, list[tuple[int, list[str], list[str]]]] = {}
    current: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            current = lines[i + 1][4:].split("\t")[0].split("/", 1)[1]
            files.setdefault(current, [])
            i += 2
            continue
        m = _HUNK.match(line)
        if m and current is not None:
            old_len = int(m.group(2) or 1)
            new_len = int(m.group(4) or 1)
            old: list[str] = []
            new: list[str] = []
            i += 1
            while len(old) < old_len or len(new) < new_len:
                body = lines[i]
                tag, text = body[:1], body[1:]
                if tag == " ":
                    old.append(text)
                    new.append(text)
                elif tag == "-":
                    old.append(text)
                elif tag == "+":
                    new.append(text)
                elif body.startswith("\\"):
                    pass  # "\ No newline at end of file"
                else:
                    raise BuildError(f"malformed hunk in the patch near line {i + 1}: {body!r}")
                i += 1
            files[current].append((int(m.group(1)), old, new))
            continue
        i += 1
    for name, hunks in files.items():
        path = directory / name
        text = path.read_text(encoding="latin-1").split("\n")
        shift = 0
        for start, old, new in hunks:
            at = start - 1 + shift if old else start + shift
            if text[at : at + len(old)] != old:
                raise BuildError(f"the patch does not apply to {path} at line {start}: not lupa {LUPA_VERSION}'s Lua 5.2?")
            text[at : at + len(old)] = new
            shift += len(new) - len(old)
        path.write_text("\n".join(text), encoding="latin-1")
    return sorted(files)


# -- building -----------------------------------------------------------------------------------------------------


def _run(cmd: list[str], what: str, **kw) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise BuildError(f"{what} failed ({' '.join(cmd)}):\n{tail}")


def _check_toolchain() -> None:
    """A C compiler and Python's headers: say how to get them instead of failing deep inside the build."""
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    header = Path(sysconfig.get_paths()["include"]) / "Python.h"
    missing = [what for what, ok in (("a C compiler", shutil.which(cc)), ("Python.h", header.exists())) if not ok]
    if not missing:
        return
    packages = ["gcc", "libc6-dev"]
    if str(header).startswith("/usr/include/"):
        packages.append(f"python{sys.version_info.major}.{sys.version_info.minor}-dev")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {' '.join(packages)} (Debian) to build lupa's Lua", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        _run(["apt-get", "update", "-qq"], "apt-get update", env=env)
        _run(["apt-get", "install", "-y", "-qq", *packages], "apt-get install", env=env)
        return
    raise BuildError(
        f"building lupa's patched Lua needs {' and '.join(missing)} ({header}); "
        f"on Debian/Ubuntu: sudo apt-get install {' '.join(packages)}"
    )


def _sdist() -> Path:
    tarball = BUILD / f"lupa-{LUPA_VERSION}.tar.gz"
    if tarball.exists() and hashlib.sha256(tarball.read_bytes()).hexdigest() == LUPA_SDIST_SHA256:
        return tarball
    BUILD.mkdir(parents=True, exist_ok=True)
    pins = BUILD / "lupa-sdist.txt"
    pins.write_text(f"lupa=={LUPA_VERSION} --hash=sha256:{LUPA_SDIST_SHA256}\n", encoding="utf-8")
    print(f"downloading lupa {LUPA_VERSION}'s source distribution from PyPI", flush=True)
    # pip prepares an sdist's metadata by running its setup.py, and lupa's builds the bundled LuaJITs as it loads
    # (minutes): LUPA_NO_BUNDLE skips that, the metadata is the same. --no-binary lupa, not :all:, so the build
    # requirements (Cython, setuptools) come as wheels instead of being compiled.
    _run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", "lupa",
         "--require-hashes", "-r", str(pins), "-d", str(BUILD)],
        "downloading lupa's source distribution",
        env=dict(os.environ, LUPA_NO_BUNDLE="true"),
    )
    if not tarball.exists():
        raise BuildError(f"pip download did not leave {tarball}")
    return tarball


def _build_wheel(version: str) -> Path:
    _check_toolchain()
    tarball = _sdist()
    src = BUILD / f"src-{version}"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: refuse paths outside `src`
            tar.extractall(src, filter="data")
        else:
            tar.extractall(src)
    tree = src / f"lupa-{LUPA_VERSION}"
    # lupa's setup.py builds one extension per directory under third-party/: keeping only lua52 builds only the
    # module the engine (and draftsman) use, in a fraction of the time.
    for sub in (tree / "third-party").iterdir():
        if sub.name != "lua52":
            shutil.rmtree(sub)
    apply_patch(PATCH.read_text(encoding="utf-8"), tree / "third-party" / "lua52")
    setup = tree / "setup.py"
    text = setup.read_text(encoding="utf-8")
    stock = f"VERSION = '{LUPA_VERSION}'"
    if stock not in text:
        raise BuildError(f"{setup} does not set {stock}: not lupa {LUPA_VERSION}?")
    setup.write_text(text.replace(stock, f"VERSION = '{version}'"), encoding="utf-8")
    wheels = BUILD / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    print(f"building lupa {version} (Lua 5.2 only; under a minute)", flush=True)
    env = dict(os.environ)
    # lupa's own Linux wheels are built with -O3 and link-time optimisation: without them Lua runs up to twice as
    # slow (benchmarks/lua_tables.py). -g0: debug info of the big Cython module would double the compile time.
    flags = "-g0"
    if "gcc" in (sysconfig.get_config_var("CC") or "") and shutil.which("gcc-ar"):
        flags = "-O3 -g0 -pipe -flto"
        env.update(AR="gcc-ar", NM="gcc-nm", RANLIB="gcc-ranlib",
                   LDFLAGS=(env.get("LDFLAGS", "") + " -flto").strip())
    env["CFLAGS"] = (env.get("CFLAGS", "") + " " + flags).strip()
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(tree)],
         "building lupa", env=env)
    shutil.rmtree(src, ignore_errors=True)
    for old in wheels.glob("lupa-*+fv.*.whl"):  # builds of other patches are never used again
        if f"-{version}-" not in old.name:
            old.unlink()
    wheel = _cached_wheel(version)
    if wheel is None:
        raise BuildError(f"pip wheel left no lupa-{version} wheel for this Python in {wheels}")
    return wheel


def _cached_wheel(version: str) -> Path | None:
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    for wheel in sorted((BUILD / "wheels").glob(f"lupa-{version}-{tag}-*.whl")):
        return wheel
    return None


def _installed_ok(version: str) -> str | None:
    """None if this interpreter's lupa is `version` and traverses as Factorio does, else what is wrong."""
    probe = (
        "import importlib.metadata as m, sys\n"
        "from factoryverse.engine.lua.traversal import traversal_order_problem\n"
        "v = m.version('lupa')\n"
        f"if v != {version!r}: print('lupa ' + v + ' is installed, not {version}'); sys.exit()\n"
        "p = traversal_order_problem()\n"
        "if p: print(p)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if result.returncode:
        return (result.stdout + result.stderr).strip().splitlines()[-1]
    return result.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    version = patched_version()
    problem = _installed_ok(version)
    if problem is None:
        print(f"lupa {version} (Factorio's table order) is installed")
        return 0
    try:
        wheel = _cached_wheel(version) or _build_wheel(version)
        print(f"installing {wheel.name}", flush=True)
        _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
             "installing lupa")
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problem = _installed_ok(version)
    if problem is not None:
        print(f"error: installed {wheel.name}, but: {problem}", file=sys.stderr)
        return 1
    print(f"lupa {version} (Factorio's table order) is installed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
