"""FactoryVerse's mods packaged for one Factorio version, as the mod portal ships mods.

Factorio loads a mod only if its info.json declares the game's ``factorio_version`` (major.minor). Our mods keep
to API members both 2.0 and 2.1 have (tests/mods prove it: a static scan of their Lua and their tests on both
versions), so the same files serve either version; only info.json's ``factorio_version`` differs. The repository's
copies say "2.0"; ``package_mods`` writes them for a target version: portal-style zips ``<name>_<version>.zip``
(everything under one folder ``<name>_<version>/``) for a real server, or the same folders unpacked for the embedded
engine (which loads mod folders), plus a ``mod-list.json`` enabling them.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from factoryverse.engine.errors import EngineError
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, factorio_version
from factoryverse.engine.mods import BUNDLED_MODS_DIR, ModInfo, discover_mods

__all__ = ["ModPackageError", "package_mods", "package_name"]

# A fixed timestamp for every zip entry, so packaging the same files twice gives the same bytes.
_ZIP_TIME = (2024, 10, 21, 0, 0, 0)


class ModPackageError(Exception):
    """The mods could not be packaged (an unknown version, an unreadable mod, an unwritable output folder)."""


def package_name(mod: ModInfo) -> str:
    """``fv_snapshot_0.2.0``: the portal's name for a mod's zip (without ``.zip``) and its top folder."""
    return f"{mod.name}_{mod.version}"


def _files(root: Path) -> list[Path]:
    # Caches and hidden files (editor state, .git) are not part of a mod.
    return sorted(p for p in root.rglob("*") if p.is_file()
                  and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts))


def _info_json(mod: ModInfo, target: str) -> bytes:
    raw = json.loads((mod.path / "info.json").read_text(encoding="utf-8"))
    raw["factorio_version"] = target
    return (json.dumps(raw, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _write_zip(mod: ModInfo, target: str, dest: Path) -> Path:
    top = package_name(mod)
    out = dest / f"{top}.zip"
    fd, tmp = tempfile.mkstemp(prefix=f".{top}.", suffix=".zip", dir=dest)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for path in _files(mod.path):
                rel = path.relative_to(mod.path).as_posix()
                data = _info_json(mod, target) if rel == "info.json" else path.read_bytes()
                entry = zipfile.ZipInfo(f"{top}/{rel}", date_time=_ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                z.writestr(entry, data)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def _write_folder(mod: ModInfo, target: str, dest: Path) -> Path:
    out = dest / package_name(mod)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=dest))
    try:
        for path in _files(mod.path):
            rel = path.relative_to(mod.path)
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            if rel.as_posix() == "info.json":
                (tmp / rel).write_bytes(_info_json(mod, target))
            else:
                shutil.copyfile(path, tmp / rel)
        tmp.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def package_mods(dest: Path, target: str = DEFAULT_FACTORIO_VERSION, *, unpacked: bool = False,
                 source: Path = BUNDLED_MODS_DIR) -> list[Path]:
    """Write every mod of ``source`` (default: the repository's) into ``dest`` for Factorio ``target``.

    Returns the zips (or, with ``unpacked``, the folders) written, then ``mod-list.json``. Each output is written
    whole and then renamed into place; other files in ``dest`` are left alone.
    """
    try:
        version = factorio_version(target).name
        mods = discover_mods(Path(source))
    except EngineError as exc:
        raise ModPackageError(str(exc)) from exc
    if not mods:
        raise ModPackageError(f"{source} holds no mod folders (a folder with an info.json)")
    try:
        dest.mkdir(parents=True, exist_ok=True)
        written = [(_write_folder if unpacked else _write_zip)(mod, version, dest) for mod in mods]
        mod_list = {"mods": [{"name": "base", "enabled": True},
                             *({"name": m.name, "enabled": True} for m in mods)]}
        (dest / "mod-list.json").write_text(json.dumps(mod_list, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ModPackageError(f"cannot write the packaged mods into {dest}: {exc}") from exc
    return [*written, dest / "mod-list.json"]
