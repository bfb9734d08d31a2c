"""The layout is the architecture: imports point one way, and each package says what it exports."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "factoryverse"

# package -> packages it must never import. The engine is the game; the SDK reaches a game only over RCON, UDP
# and files (its RemoteView reads the map database, so it may import factoryverse.db); the database never imports
# the SDK.
FORBIDDEN = {
    "engine": ("factoryverse.sdk", "factoryverse.db", "factoryverse.cli", "factoryverse.mcp", "factoryverse.ui",
               "factoryverse.tasks", "factoryverse.rl"),
    "sdk": ("factoryverse.engine", "factoryverse.cli", "factoryverse.mcp", "factoryverse.ui"),
    "db": ("factoryverse.sdk", "factoryverse.engine", "factoryverse.cli", "factoryverse.mcp", "factoryverse.ui"),
    # The agent runtime reaches the game through the SDK in its kernel; front ends build on it, not it on them.
    "runtime": ("factoryverse.engine", "factoryverse.db", "factoryverse.cli", "factoryverse.mcp", "factoryverse.ui"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package):
    offenders = []
    for path in sorted((SRC / package).rglob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package]):
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == [], "\n".join(offenders)


PUBLIC = {
    "factoryverse.sdk": {"FactoryVerseClient", "Agent", "Furnace", "MiningDrill", "EntityView", "FactoryVerseError"},
    "factoryverse.db": {"connect", "load_snapshot", "SyncService", "query", "DatabaseError"},
    "factoryverse.engine.server": {"GameServer", "ServerConfig", "RconServer"},
    "factoryverse.cli": {"app", "main"},
    "factoryverse.runtime": {"AgentRuntime", "RunResult", "AgentRuntimeError"},
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_api_is_explicit(module):
    mod = importlib.import_module(module)
    exported = set(getattr(mod, "__all__", ()))
    assert PUBLIC[module] <= exported, f"{module}.__all__ lacks {PUBLIC[module] - exported}"
    for name in exported:
        assert hasattr(mod, name), f"{module}.__all__ names {name}, which does not exist"
        assert not name.startswith("_")


def test_every_module_declares_all():
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in ("__main__.py",) or path.name.startswith("_") and path.name != "__init__.py":
            continue
        if "__all__" not in path.read_text(encoding="utf-8"):
            missing.append(str(path.relative_to(SRC)))
    assert missing == [], "modules without __all__: " + ", ".join(missing)
