"""The SDK's public API is pinned, and the SDK never imports the engine or the database."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import factoryverse.sdk as sdk

SDK_DIR = Path(sdk.__file__).parent
_FORBIDDEN_IMPORT = re.compile(r"^\s*(from|import)\s+factoryverse\.(engine|db)\b", re.MULTILINE)

PUBLIC_API = [
    "FactoryVerseClient", "RconClient", "ActionListener", "remote_call",
    "Agent", "EntityView", "BaseEntity", "Furnace", "MiningDrill", "Container",
    "Position", "Direction", "InterfaceVersion", "AgentInfo", "AgentState", "PlacedEntity", "BurnerState",
    "EntityState", "WalkResult", "MineResult", "Blocker", "PlacementCheck", "SnapshotStatus", "ActionCompleted",
    "ClockState", "StateHash",
    "FactoryVerseError", "RconError", "RconConnectionError", "RconTimeoutError", "RconAuthError",
    "UnexpectedReplyError", "LuaError", "RemoteCallError", "InvalidArgumentError", "UnknownAgentError",
    "UnknownEntityError", "UnknownItemError", "NotInInventoryError", "OutOfReachError", "PlacementBlockedError",
    "EntityNotFoundError", "NoResourceInReachError", "InventoryFullError", "AgentBusyError", "NoPathError",
    "InvalidStateError", "UnknownInterfaceError", "ActionError", "ActionTimeoutError", "ActionFailedError", "InterfaceVersionError",
    "GameClockError", "TickTimeoutError", "NotSupportedByServerError", "ForkRefusedError", "ListenerError",
    "ViewError",
]


def test_public_api_is_pinned():
    assert sdk.__all__ == PUBLIC_API
    for name in PUBLIC_API:
        assert getattr(sdk, name) is not None


def test_every_error_is_a_factoryverse_error():
    errors = [getattr(sdk, name) for name in PUBLIC_API if name.endswith("Error")]
    assert all(issubclass(cls, sdk.FactoryVerseError) for cls in errors)


def test_the_sdk_does_not_import_the_engine_or_the_database():
    code = (
        "import sys, factoryverse.sdk; "
        "bad = sorted(m for m in sys.modules if m.startswith(('factoryverse.engine', 'factoryverse.db'))); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""
    for path in SDK_DIR.rglob("*.py"):
        assert not _FORBIDDEN_IMPORT.search(path.read_text(encoding="utf-8")), path


def test_every_module_declares_all():
    for path in SDK_DIR.glob("*.py"):
        assert "__all__" in path.read_text(encoding="utf-8"), path
