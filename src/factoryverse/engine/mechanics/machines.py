"""Gives each new entity the inventories, burner and machine its prototype type calls for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.mechanics.burner import Burner, fuel_value
from factoryverse.engine.mechanics.furnace import FurnaceMachine
from factoryverse.engine.mechanics.mining_drill import DrillMachine
from factoryverse.engine.world.inventory import CHARACTER_MAIN, CHEST, CRAFTER_INPUT, CRAFTER_OUTPUT, FUEL, Inventory

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["attach"]



def _stack_size(world: World):
    items = world.protos.items

    def size(name: str) -> int:
        return int(items[name].get("stack_size", 1))

    return size


def _fuel_values(world: World) -> dict[str, float]:
    cache = getattr(world, "_fuel_values", None)
    if cache is None:
        cache = {n: fuel_value(p) for n, p in world.protos.items.items() if p.get("fuel_value")}
        world._fuel_values = cache  # type: ignore[attr-defined]
    return cache


def _add_burner(world: World, entity: Entity, source: dict[str, Any]) -> None:
    fuels = _fuel_values(world)
    categories = set(source.get("fuel_categories") or ["chemical"])
    items = world.protos.items

    def is_fuel(name: str) -> bool:
        return name in fuels and items[name].get("fuel_category", "chemical") in categories

    inv = Inventory(int(source.get("fuel_inventory_size", 1)), _stack_size(world), owner=entity, index=FUEL, accepts=is_fuel)
    inv.on_change = lambda: world.wake(entity)
    entity.inventories[FUEL] = inv
    entity.burner = Burner(entity, source, inv, fuels)


def attach(world: World, entity: Entity) -> None:
    proto = entity.proto
    t = entity.type
    size = _stack_size(world)
    if t == "character":
        entity.inventories[CHARACTER_MAIN] = Inventory(int(proto.get("inventory_size", 80)), size, owner=entity, index=CHARACTER_MAIN)
    elif t == "container":
        entity.inventories[CHEST] = Inventory(int(proto.get("inventory_size", 16)), size, owner=entity, index=CHEST)
    elif t == "mining-drill":
        source = proto.get("energy_source") or {}
        if source.get("type") == "burner":
            _add_burner(world, entity, source)
        entity.machine = DrillMachine(world, entity)
        world.wake(entity)
    elif t == "furnace":
        source = proto.get("energy_source") or {}
        if source.get("type") == "burner":
            _add_burner(world, entity, source)
        machine = FurnaceMachine(world, entity)
        src = Inventory(int(proto.get("source_inventory_size", 1)), size, owner=entity, index=CRAFTER_INPUT, accepts=machine.accepts_source)
        res = Inventory(int(proto.get("result_inventory_size", 1)), size, owner=entity, index=CRAFTER_OUTPUT)
        src.on_change = res.on_change = lambda: world.wake(entity)
        entity.inventories[CRAFTER_INPUT] = src
        entity.inventories[CRAFTER_OUTPUT] = res
        entity.machine = machine
