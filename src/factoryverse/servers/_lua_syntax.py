"""Compile every Lua file of a mods folder without running it, so a hot reload can refuse a broken edit while the
servers still run on the last good mods (a server handed a file that does not compile would fail to start)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import lupa.lua52 as _lua52

from factoryverse.engine.mods import discover_mods

__all__ = ["LuaSyntaxProblem", "check_mods_syntax", "mod_files"]

# Lua's own message: "<chunkname>:<line>: <what>".
_MESSAGE = re.compile(r"^(?P<file>.*?):(?P<line>\d+): (?P<what>.*)$", re.S)


@dataclass(frozen=True)
class LuaSyntaxProblem:
    """A Lua file that does not compile: `file` relative to the mods folder (``fv_snapshot/control.lua``), its
    1-based `line` (0 when Lua named none) and Lua's message."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


def mod_files(mod_root: Path) -> list[Path]:
    """The files that make up a mod folder: hidden files (editor state, .git) and caches are not part of it."""
    return sorted(p for p in mod_root.rglob("*") if p.is_file()
                  and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(mod_root).parts))


def _compiler():
    runtime = _lua52.LuaRuntime(unpack_returned_tuples=True, register_eval=False)
    # Text chunks only, as Factorio loads mods; nothing of the chunk runs.
    return runtime.eval(
        "function(source, name) local fn, err = load(source, name, 't') if fn then return nil end return err end"
    )


def check_mods_syntax(source: Path) -> list[LuaSyntaxProblem]:
    """Every Lua file of every mod in `source` that does not compile, in path order (empty: all compile).

    Raises EngineError (from discover_mods) when `source` or a mod's info.json cannot be read.
    """
    compile_ = _compiler()
    problems = []
    for mod in discover_mods(Path(source)):
        for path in mod_files(mod.path):
            if path.suffix != ".lua":
                continue
            rel = path.relative_to(source).as_posix()
            try:
                text = path.read_bytes()
            except OSError as exc:
                problems.append(LuaSyntaxProblem(rel, 0, f"cannot be read: {exc}"))
                continue
            err = compile_(text, "@" + rel)
            if err is None:
                continue
            m = _MESSAGE.match(str(err))
            problems.append(LuaSyntaxProblem(rel, int(m["line"]), m["what"]) if m
                            else LuaSyntaxProblem(rel, 0, str(err)))
    return problems

