"""Writing tiny test mods (info.json + Lua files) into a folder the engine loads with ``Engine(mods_dir=...)``."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["write_mod"]


def write_mod(
    root: Path,
    name: str,
    files: dict[str, str],
    *,
    version: str = "1.0.0",
    dependencies: tuple[str, ...] = ("base",),
) -> Path:
    """A mod folder ``root/name`` holding ``files`` (relative path -> Lua text); returns the folder."""
    folder = root / name
    folder.mkdir(parents=True)
    info = {"name": name, "version": version, "factorio_version": "2.0", "dependencies": list(dependencies)}
    (folder / "info.json").write_text(json.dumps(info), encoding="utf-8")
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
