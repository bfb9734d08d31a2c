"""The SDK's public API is pinned, and the SDK never imports the engine (the database only for RemoteView)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import factoryverse.sdk as sdk

SDK_DIR = Path(sdk.__file__).parent
_FORBIDDEN_IMPORT = re.compile(r"^\s*(from|import)\s+factoryverse\.engine\b", re.MULTILINE)
_DB_IMPORT = re.compile(r"^\s*(from|import)\s+factoryverse(\.db\b| import db\b)", re.MULTILINE)

PUBLIC_API = [
    "FactoryVerseClient", "RconClient", "ActionListener", "remote_call", "Agent", "Walking", "Mining", "Crafting",
    "Research", "Inventory", "ReachableView", "Resource", "RemoteView", "build_namespace", "EntityView",
    "BaseEntity", "Entity", "EntityReport", "FuelableMixin", "ContainerMixin", "CrafterMixin", "RecipeMixin",
    "SpatialPropertiesMixin", "Furnace", "AssemblingMachine", "Lab", "Inserter", "TransportBelt", "Container",
    "MiningDrill", "ElectricPole", "Boiler", "SteamEngine", "OffshorePump", "Pipe", "Item", "ItemStack",
    "PlaceableItem", "MiningDrillItem", "PlacementCue", "Position", "MapPosition", "BoundingBox", "Direction",
    "InterfaceVersion", "AgentInfo", "AgentState", "PlacedEntity", "BurnerState", "EntityState", "WalkResult",
    "MineResult", "StopWalkingResult", "StopMiningResult", "Blocker", "PlacementCheck", "SnapshotStatus",
    "SnapshotConfig", "ActionCompleted", "ClockState", "StateHash",
    "FactoryVerseError", "RconError", "RconConnectionError", "RconTimeoutError", "RconAuthError",
    "UnexpectedReplyError", "LuaError", "RemoteCallError", "InvalidArgumentError", "UnknownAgentError",
    "UnknownEntityError", "UnknownItemError", "NotInInventoryError", "OutOfReachError", "PlacementBlockedError",
    "EntityNotFoundError", "NoResourceInReachError", "InventoryFullError", "AgentBusyError", "NoPathError",
    "InvalidStateError", "UnknownInterfaceError", "ActionError", "ActionTimeoutError", "ActionFailedError",
    "InterfaceVersionError", "GameClockError", "TickTimeoutError", "NotSupportedByServerError", "ForkRefusedError",
    "ListenerError", "ViewError", "RemoteViewError", "GhostError", "NoRemoteViewError", "MapDatabaseError",
    "ReachError", "PlacementError", "InventoryError", "RecipeError", "ResearchError", "UnknownRecipeError",
    "UnknownTechnologyError", "GameRefusedError", "CraftRefusedError", "ResearchRefusedError",
    "nearest", "get_resource_patch", "place_next_to", "connect", "connection_cost", "sleep", "get_production_stats",
    "ResourcePatch", "ProductionStats",
]


def test_public_api_is_pinned():
    assert sdk.__all__ == PUBLIC_API
    for name in PUBLIC_API:
        assert getattr(sdk, name) is not None


def test_every_error_is_a_factoryverse_error():
    errors = [getattr(sdk, name) for name in PUBLIC_API if name.endswith("Error")]
    assert all(issubclass(cls, sdk.FactoryVerseError) for cls in errors)


def test_the_sdk_does_not_import_the_engine_and_loads_the_database_only_for_remote_view():
    code = (
        "import sys, factoryverse.sdk; "
        "bad = sorted(m for m in sys.modules if m.startswith(('factoryverse.engine', 'factoryverse.db'))); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""
    for path in SDK_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not _FORBIDDEN_IMPORT.search(text), path
        assert path.name == "remote_view.py" or not _DB_IMPORT.search(text), path


def test_every_module_declares_all():
    for path in SDK_DIR.rglob("*.py"):
        assert "__all__" in path.read_text(encoding="utf-8"), path


SUBPACKAGE_API = {
    "factoryverse.sdk.entities": {
        "EntityView", "BaseEntity", "Entity", "EntityReport", "FuelableMixin", "ContainerMixin", "CrafterMixin",
        "RecipeMixin", "SpatialPropertiesMixin", "Furnace", "AssemblingMachine", "Lab", "Inserter", "TransportBelt", "Container",
        "MiningDrill", "ElectricPole", "Boiler", "SteamEngine", "OffshorePump", "Pipe", "ENTITY_CLASSES",
        "entity_class_for", "entity_from_state", "reachable_entity", "ghost_entity", "remote_entity",
    },
    "factoryverse.sdk.accessors": {
        "Walking", "Mining", "Crafting", "CraftJob", "CraftingQueue", "Recipe", "Research", "ResearchJob",
        "ResearchQueue", "Technology", "Inventory", "ReachableView", "Resource",
    },
    "factoryverse.sdk.items": {"Item", "ItemStack", "PlaceableItem", "MiningDrillItem", "PlacementCue"},
    "factoryverse.sdk.namespace": {"build_namespace", "ACCESSOR_NAMES"},
    "factoryverse.sdk.remote_view": {"RemoteView"},
}


def test_subpackage_apis_are_pinned():
    import importlib

    for name, expected in SUBPACKAGE_API.items():
        module = importlib.import_module(name)
        assert set(module.__all__) == expected, name
        assert all(hasattr(module, n) for n in module.__all__), name
