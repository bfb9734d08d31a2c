"""Machines that turn items into items: furnaces, assembling machines and labs."""

from __future__ import annotations

from typing import Any

from factoryverse.sdk.entities.mixins import (ContainerMixin, CrafterMixin, FuelableMixin, RecipeMixin,
                                              SpatialPropertiesMixin)

__all__ = ["Furnace", "AssemblingMachine", "Lab"]


class Furnace(FuelableMixin, CrafterMixin, ContainerMixin, SpatialPropertiesMixin):
    """A furnace: `await furnace.add_fuel(coal)`, `await furnace.add_ingredients(ore)`, `await furnace.take_products()`.

    The furnace picks its recipe from what it is given; a stone furnace burns fuel, an electric one needs power.

    Example: `furnace = await reachable_view.get_entity('stone-furnace'); await furnace.take_products()`
    """

    entity_types = frozenset({"furnace"})
    _kind_table = ("furnace", ("recipe",))

    def _extra_facts(self) -> dict[str, Any]:
        # inspect_entity gives no recipe for a furnace; the map database records the one it smelts now.
        recipe = (self.row or {}).get("recipe")
        return {"recipe": recipe} if recipe else {}


class AssemblingMachine(RecipeMixin, CrafterMixin, ContainerMixin, SpatialPropertiesMixin):
    """An assembling machine: `await machine.set_recipe("iron-gear-wheel")`, then ingredients in, products out.

    Example: `machine = await reachable_view.get_entity('assembling-machine-1'); await machine.get_recipe()`
    """

    entity_types = frozenset({"assembling-machine"})
    _kind_table = ("assemblers", ("recipe",))


class Lab(SpatialPropertiesMixin):
    """A lab: researches the force's current technology from the science packs put into it.

    Putting packs in waits on the agent interface: put_inventory_item has no inventory kind for a lab's input yet.

    Example: `lab = await reachable_view.get_entity('lab'); print(lab.inspect())`
    """

    entity_types = frozenset({"lab"})
