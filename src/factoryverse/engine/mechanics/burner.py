"""Burner energy sources: a fuel inventory feeding a buffer of joules, as Factorio's `burner` energy source."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.prototypes import parse_energy

if TYPE_CHECKING:
    from factoryverse.engine.world.inventory import Inventory

__all__ = ["Burner"]


class Burner:
    """Burns one fuel item at a time; `remaining` joules are left of `currently_burning`."""

    lua_class = "LuaBurner"
    __slots__ = ("oid", "owner", "inventory", "effectivity", "currently_burning", "remaining", "fuel_values", "valid")

    def __init__(self, owner: Any, source: dict[str, Any], inventory: Inventory, fuel_values: dict[str, float]):
        from factoryverse.engine.world.ids import next_oid

        self.oid = next_oid()
        self.owner = owner
        self.inventory = inventory
        # energy_source.effectivity: the share of a fuel's energy the machine gets out of it.
        self.effectivity = float(source.get("effectivity", 1.0))
        self.currently_burning: str | None = None
        self.remaining = 0.0
        self.fuel_values = fuel_values
        self.valid = True

    def consume(self, joules: float) -> bool:
        """Take `joules` for one tick of work; False (and nothing taken) if the fuel can't cover it."""
        while self.remaining < joules - 1e-9:
            stack = self.inventory.first()
            if stack is None:
                return False
            self.inventory.remove(stack.name, 1)
            self.currently_burning = stack.name
            self.remaining += self.fuel_values[stack.name] * self.effectivity
        self.remaining -= joules
        if self.remaining <= 1e-9:
            self.remaining = 0.0
        return True

    def has_fuel(self) -> bool:
        return self.remaining > 0 or self.inventory.first() is not None


def fuel_value(item: dict[str, Any]) -> float:
    v = item.get("fuel_value")
    return parse_energy(v) if v else 0.0
