"""Burner energy sources: a fuel inventory feeding the machine, as Factorio's `burner` energy source.

A tick of work takes that tick's whole `energy_usage / 60` from `remaining` (what is left of the item burning);
when `remaining` can't cover it, the next fuel item is taken (`fuel_value` x `effectivity` joules), or the machine
stops. Between updates the burner draws the same amount every tick, so `remaining` is computed from the tick when
read, and the tick of the next fuel take is known in advance: the machine is updated then (see mechanics/energy.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from factoryverse.engine.mechanics.energy import EPS, EnergySource
from factoryverse.engine.prototypes import parse_energy
from factoryverse.engine.world.inventory import FUEL, Inventory, item_filter, stack_sizes

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["Burner", "fuel_value"]


class Burner(EnergySource):
    """`LuaBurner`. `remaining` joules are left of `currently_burning` at the start of tick `since`; while the machine
    works, `rate` joules go every tick from `since` on."""

    lua_class = "LuaBurner"
    __slots__ = (
        "oid", "inventory", "effectivity", "currently_burning", "remaining", "since", "rate", "fuel_values", "valid",
        "world",
    )
    kind = "burner"
    blocked_status = "no_fuel"

    def __init__(self, owner: Entity, source: dict[str, Any], inventory: Inventory, fuel_values: dict[str, float], usage: float):
        super().__init__(owner, usage)
        self.oid = owner.surface.oids()
        self.inventory = inventory
        # energy_source.effectivity: the share of a fuel's energy the machine gets out of it.
        self.effectivity = float(source.get("effectivity", 1.0))
        self.currently_burning: str | None = None
        self.remaining = 0.0
        self.since = 0
        self.rate = 0.0
        self.fuel_values = fuel_values
        self.valid = True
        self.world: Any = None  # where a fuel item taken is recorded as consumed (item statistics)

    @classmethod
    def attach(cls, world: Any, entity: Entity, source: dict[str, Any], usage: float) -> Burner:
        """A burner for `entity` with its fuel inventory (`fuel_inventory_size` slots taking `fuel_categories`)."""
        fuels = _fuel_values(world)
        categories = frozenset(source.get("fuel_categories") or ["chemical"])
        items = world.protos.items
        accepted = item_filter(n for n in fuels if items[n].get("fuel_category", "chemical") in categories)
        inv = Inventory(
            int(source.get("fuel_inventory_size", 1)), stack_sizes(world), owner=entity, index=FUEL,
            accepts=accepted, oid=world.oids(),
        )
        if not isinstance(entity.inventories, dict):
            entity.inventories = {}  # it had the shared empty mapping
        entity.inventories[FUEL] = inv
        burner = cls(entity, source, inv, fuels, usage)
        burner.world = world
        entity.burner = burner
        return burner

    # -- reading ----------------------------------------------------------------------------------------------

    def remaining_at(self, tick: int) -> float:
        if self.rate and tick > self.since:
            left = self.remaining - self.rate * (tick - self.since)
            return 0.0 if left <= EPS else left
        return self.remaining

    def has_fuel(self) -> bool:
        return self.remaining > 0 or self.inventory.first() is not None

    def can_supply(self) -> bool:
        return self.has_fuel()

    def energy(self, tick: int) -> float:
        # The engine's buffer is the next tick of work: full while the burner can pay for it.
        left = self.remaining_at(tick)
        if left >= self.usage - EPS or self.inventory.first() is not None:
            return self.usage
        return left

    # -- the EnergySource protocol ----------------------------------------------------------------------------

    def sync(self, tick: int) -> None:
        self.remaining = self.remaining_at(tick)
        self.since = tick
        self.rate = 0.0

    def run(self, since: int) -> None:
        self.since = since
        self.rate = self.usage

    def draw(self, tick: int) -> float:
        need = self.usage
        while self.remaining < need - EPS:
            stack = self.inventory.first()
            if stack is None:
                return 0.0
            name = stack.name
            self.inventory.remove(name, 1)
            owner = self.owner
            self.world.record_consumption(owner.force, owner.surface, name, 1)  # burnt fuel counts as consumed
            self.currently_burning = name
            self.remaining += self.fuel_values[name] * self.effectivity
        self.remaining -= need
        if self.remaining <= EPS:
            self.remaining = 0.0
        return 1.0

    def next_event(self, since: int) -> int | None:
        """The update at which `draw` must take a fuel item: the first j >= 0 with remaining - j x usage short of a
        tick's usage, found with the same arithmetic `sync` and `draw` use, so the tick is exact."""
        usage = self.usage
        if usage <= 0:
            return None
        r = self.remaining

        def short(j: int) -> bool:
            left = r - usage * j
            return (0.0 if left <= EPS else left) < usage - EPS

        j = max(0, math.floor((r + EPS) / usage) - 1)
        while j > 0 and short(j - 1):
            j -= 1
        while not short(j):
            j += 1
        return since + j

    def set_remaining(self, tick: int, value: float) -> None:
        self.sync(tick)
        self.remaining = max(0.0, float(value))

    def invalidate(self) -> None:
        self.valid = False


def fuel_value(item: dict[str, Any]) -> float:
    v = item.get("fuel_value")
    return parse_energy(v) if v else 0.0


def _fuel_values(world: Any) -> dict[str, float]:
    cache = getattr(world, "_fuel_values", None)
    if cache is None:
        cache = {n: fuel_value(p) for n, p in world.protos.items.items() if p.get("fuel_value")}
        world._fuel_values = cache
    return cache
