"""Mining drills: mine the resources under their mining area at `mining_speed`, output at the drop position."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from factoryverse.engine.prototypes import parse_energy
from factoryverse.engine.world.inventory import CHARACTER_MAIN, CHEST, CRAFTER_INPUT, FUEL, Stack
from factoryverse.engine.world.geometry import BBox

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["DrillMachine", "mined_products", "insert_into_entity"]

_EPS = 1e-9


def mined_products(proto: dict[str, Any]) -> list[tuple[str, int]]:
    """What mining an entity once yields, from its prototype's `minable` (result/count or results)."""
    minable = proto.get("minable") or {}
    if minable.get("results"):
        return [(r["name"], int(r.get("amount", r.get("amount_min", 1)))) for r in minable["results"]]
    if minable.get("result"):
        return [(minable["result"], int(minable.get("count", 1)))]
    return []


def insert_into_entity(world: World, target: Entity, name: str, count: int) -> int:
    """Insert as a drill or inserter would: fuel into the fuel slot, ingredients into the source, else any slot."""
    order = []
    if target.burner is not None:
        order.append(FUEL)
    if target.type == "furnace":
        order.append(CRAFTER_INPUT)
    elif target.type == "container":
        order.append(CHEST)
    elif target.type == "character":
        order.append(CHARACTER_MAIN)
    left = count
    for idx in order:
        inv = target.inventories.get(idx)
        if inv is not None and left:
            left -= inv.insert(name, left)
    return count - left


class DrillMachine:
    __slots__ = ("progress", "pending", "status", "energy_per_tick", "speed", "radius", "anchor", "current", "output")

    def __init__(self, world: World, entity: Entity):
        proto = entity.proto
        self.progress = 0.0  # ticks of work at speed 1 done on the current item
        self.pending: list[tuple[str, int]] = []  # mined but not yet delivered
        self.status = "working"
        self.energy_per_tick = parse_energy(proto.get("energy_usage", "0W")) / 60.0
        self.speed = float(proto["mining_speed"])
        self.radius = float(proto.get("resource_searching_radius", 0.49))
        # Where the drill stood when `current` and `output` were found: a teleported drill looks again.
        self.anchor = (entity.x, entity.y)
        self.current: Entity | None = None
        self.output: Entity | None = None  # the entity at the drop position, once found
        # A new drill already reports why it can't work (the game shows "No fuel" on a freshly built burner drill).
        if self.resource(entity) is None:
            self.status = "no_minable_resources"
        elif entity.burner is not None and not entity.burner.has_fuel():
            self.status = "no_fuel"

    def resource(self, entity: Entity) -> Entity | None:
        """The first resource under the mining area with something left; kept until it runs out (resources never
        appear under a drill, so the first one stays the first)."""
        self._follow(entity)
        current = self.current
        if current is not None and current.valid and current.amount > 0:
            return current
        self.current = self._scan(entity)
        return self.current

    def area(self, entity: Entity) -> BBox:
        """The mining area, `resource_searching_radius` around wherever the drill stands now."""
        r = self.radius
        return BBox(entity.x - r, entity.y - r, entity.x + r, entity.y + r)

    def _follow(self, entity: Entity) -> None:
        if self.anchor != (entity.x, entity.y):
            self.anchor = (entity.x, entity.y)
            self.current = None
            self.output = None

    def _scan(self, entity: Entity) -> Entity | None:
        surface = entity.surface
        a = self.area(entity)
        categories = set(entity.proto.get("resource_categories") or ["basic-solid"])
        for ty in range(math.floor(a.top), math.ceil(a.bottom)):
            for tx in range(math.floor(a.left), math.ceil(a.right)):
                res = surface.resources_at.get((tx, ty))
                if res is not None and res.valid and res.amount > 0 and res.proto.get("category", "basic-solid") in categories:
                    if a.contains(res.x, res.y):
                        return res
        return None

    @staticmethod
    def _find_output(entity: Entity, dx: float, dy: float) -> Entity | None:
        for e in entity.surface.entities_near(BBox(dx - 0.01, dy - 0.01, dx + 0.01, dy + 0.01)):
            if e.valid and e is not entity and e.inventories and e.type != "character" and e.footprint().contains(dx, dy):
                return e
        return None

    def _deliver(self, world: World, entity: Entity) -> bool:
        drop = entity.drop_position()
        if drop is None:
            self.pending.clear()
            return True
        dx, dy = drop
        self._follow(entity)
        target = self.output
        # Kept while it still covers the drop position (a rotated drill or a teleported chest finds anew).
        if target is None or not target.valid or not target.footprint().contains(dx, dy):
            target = self.output = self._find_output(entity, dx, dy)
        while self.pending:
            name, count = self.pending[0]
            if target is not None:
                n = insert_into_entity(world, target, name, count)
            else:
                n = _drop_on_ground(world, entity, name, count, dx, dy)
            if n < count:
                self.pending[0] = (name, count - n)
                return False
            self.pending.pop(0)
        return True

    def update(self, world: World, entity: Entity) -> bool:
        if self.pending and not self._deliver(world, entity):
            self.status = "waiting_for_space_in_destination"
            return True  # polls until the target has room
        resource = self.resource(entity)
        if resource is None:
            self.status = "no_minable_resources"
            return False
        if entity.burner is not None and not entity.burner.consume(self.energy_per_tick):
            self.status = "no_fuel"
            return False  # woken when fuel is inserted
        self.status = "working"
        self.progress += self.speed
        mining_time = float((resource.proto.get("minable") or {}).get("mining_time", 1))
        if self.progress + _EPS >= mining_time * 60:
            self.progress = max(0.0, self.progress - mining_time * 60)
            self.pending.extend(mined_products(resource.proto))
            world.deplete_one(resource)
            self._deliver(world, entity)
        return True


def _drop_on_ground(world: World, drill: Entity, name: str, count: int, x: float, y: float) -> int:
    """Burner drills with nothing at the drop position put one item on the ground there, if the spot is free."""
    surface = drill.surface
    for e in surface.entities_near(BBox(x - 0.3, y - 0.3, x + 0.3, y + 0.3)):
        if e.valid and e.type == "item-entity" and abs(e.x - x) < 0.3 and abs(e.y - y) < 0.3:
            return 0
    ent = world.create_entity(surface, "item-on-ground", x, y)
    ent.stack = Stack(name, 1)  # type: ignore[union-attr]
    return 1
