"""Entity kinds: one class per prototype `type`, registered here by the types it serves.

Everything type-specific about an entity lives in its kind's module: inventories and energy source, insert and
take routing, main and output inventories, its updates, what mining it gives, and its own LuaEntity members. Adding
a kind is one module here plus its tests; a type without a kind gets the plain `Kind` (placed, found, mined).
"""

from __future__ import annotations

from factoryverse.engine.kinds.assembler import AssemblerKind
from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.kinds.belt import BeltKind
from factoryverse.engine.kinds.boiler import BoilerKind
from factoryverse.engine.kinds.character import CharacterKind
from factoryverse.engine.kinds.container import ContainerKind
from factoryverse.engine.kinds.accumulator import AccumulatorKind
from factoryverse.engine.kinds.electric_pole import ElectricPoleKind
from factoryverse.engine.kinds.energy_interface import EnergyInterfaceKind
from factoryverse.engine.kinds.furnace import FurnaceKind
from factoryverse.engine.kinds.ghost import EntityGhostKind, TileGhostKind
from factoryverse.engine.kinds.inserter import InserterKind
from factoryverse.engine.kinds.lab import LabKind
from factoryverse.engine.kinds.mining_drill import DrillKind
from factoryverse.engine.kinds.offshore_pump import OffshorePumpKind
from factoryverse.engine.kinds.pipe import PipeKind
from factoryverse.engine.kinds.plain import DecorativeKind, ItemOnGroundKind, MobileKind
from factoryverse.engine.kinds.radar import RadarKind
from factoryverse.engine.kinds.resource import ResourceKind
from factoryverse.engine.kinds.solar_panel import SolarPanelKind
from factoryverse.engine.kinds.splitter import SplitterKind
from factoryverse.engine.kinds.steam_engine import SteamEngineKind
from factoryverse.engine.kinds.storage_tank import StorageTankKind
from factoryverse.engine.kinds.underground_belt import UndergroundBeltKind

__all__ = ["Kind", "REGISTRY", "kind_of", "grid_free_types", "all_kinds", "rotatable"]

_KINDS: tuple[type[Kind], ...] = (
    EntityGhostKind, TileGhostKind,
    CharacterKind, ContainerKind, FurnaceKind, DrillKind, ResourceKind, DecorativeKind, ItemOnGroundKind, MobileKind,
    AssemblerKind, InserterKind, EnergyInterfaceKind, LabKind,
    BeltKind, UndergroundBeltKind, SplitterKind,
    ElectricPoleKind, SolarPanelKind, AccumulatorKind,
    RadarKind,
    PipeKind, StorageTankKind, OffshorePumpKind, BoilerKind, SteamEngineKind,
)

REGISTRY: dict[str, Kind] = {}
for _cls in _KINDS:
    _kind = _cls()
    for _type in _cls.types:
        if _type in REGISTRY:
            raise RuntimeError(f"entity type {_type!r} has two kinds: {type(REGISTRY[_type]).__name__} and {_cls.__name__}")
        REGISTRY[_type] = _kind

_PLAIN = Kind()


def kind_of(entity_type: str) -> Kind:
    """The kind serving prototype type `entity_type` (the plain Kind for a type without its own)."""
    return REGISTRY.get(entity_type, _PLAIN)


def all_kinds() -> list[Kind]:
    """Every distinct kind, the plain one last."""
    seen: dict[int, Kind] = {}
    for kind in REGISTRY.values():
        seen.setdefault(id(kind), kind)
    return [*seen.values(), _PLAIN]


def grid_free_types() -> frozenset[str]:
    return frozenset(t for t, kind in REGISTRY.items() if kind.grid_free)


# Types whose entities turn when rotated (what LuaEntityPrototype.supports_direction says in the game); an
# assembling machine turns only when it has fluid boxes. Kept here, with the kinds, so nothing else names types.
_ROTATABLE_TYPES = frozenset({
    "transport-belt", "underground-belt", "splitter", "loader", "loader-1x1", "inserter", "mining-drill",
    "offshore-pump", "boiler", "generator", "pipe-to-ground", "pump", "storage-tank", "arithmetic-combinator",
    "decider-combinator", "constant-combinator", "selector-combinator",
})


# Types with a color a script may set (LuaEntity.color's documentation: characters, rolling stock, corpses, train
# stops, simple entities with owner, cars, spider vehicles, lamps) and those with a smooth orientation of their own
# (vehicles); kept here, with the kinds, so nothing else names types (api/entity_looks.py reads them).
COLORED_TYPES = frozenset({
    "character", "locomotive", "cargo-wagon", "fluid-wagon", "artillery-wagon", "corpse", "character-corpse",
    "train-stop", "simple-entity-with-owner", "car", "spider-vehicle", "lamp",
})
VEHICLE_TYPES = frozenset({"car", "spider-vehicle", "locomotive", "cargo-wagon", "fluid-wagon", "artillery-wagon"})


def rotatable(entity_type: str, proto: dict) -> bool:
    """Whether entities of this type and prototype turn when a player (or `LuaEntity.rotate`) rotates them."""
    if "not-rotatable" in (proto.get("flags") or ()):
        return False
    return entity_type in _ROTATABLE_TYPES or (entity_type == "assembling-machine" and bool(proto.get("fluid_boxes")))
