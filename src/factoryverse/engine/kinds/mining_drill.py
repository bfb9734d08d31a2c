"""Mining drills: mine the resource under their mining area at `mining_speed`, one product per `mining_time` /
`mining_speed` seconds, delivered at the drop position (an entity there, else the ground).

A drill keeps its resource and its output target until they change. It watches its resource (a depleted or
destroyed resource wakes it at once) and, when its output is blocked, the target's inventories or the ground spot
(it sleeps until they change, instead of trying every tick).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.base import mined_products
from factoryverse.engine.kinds.machine import MachineKind, MachineState, ticks_to_complete
from factoryverse.engine.mechanics.energy import EPS
from factoryverse.engine.mechanics import research
from factoryverse.engine.world.geometry import BBox
from factoryverse.engine.world.inventory import FUEL, Stack

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["DrillKind", "DrillState"]


# No entity is larger than 10 tiles across (surface.py's _MAX_HALF_EXTENT), so none further than this covers a spot.
_REACH = 6.0


class DrillState(MachineState):
    __slots__ = ("pending", "radius", "anchor", "current", "output", "waiting_on", "waiting_tile", "bonus_progress")

    def __init__(self, speed: float, radius: float, anchor: tuple[float, float]):
        super().__init__(speed, "working")
        self.pending: list[tuple[str, int]] = []  # mined but not yet delivered
        self.radius = radius
        # Where the drill stood when `current` and `output` were found: a teleported drill looks again.
        self.anchor = anchor
        self.current: Entity | None = None
        self.output: Entity | None = None  # the entity at the drop position, once found
        self.waiting_on: Entity | None = None  # the full target whose inventories wake us
        self.waiting_tile: tuple[int, int] | None = None  # the occupied ground spot that wakes us
        self.bonus_progress = 0.0  # the productivity bar, in ticks of work (mechanics/research.py: mining_bonus)


def _mining_area(entity: Entity, radius: float) -> BBox:
    return BBox(entity.x - radius, entity.y - radius, entity.x + radius, entity.y + radius)


class DrillKind(MachineKind):
    types: ClassVar[tuple[str, ...]] = ("mining-drill",)
    insert_order: ClassVar[tuple[str, ...]] = (FUEL,)
    takes_drops: ClassVar[bool] = True

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        state = DrillState(float(proto["mining_speed"]), float(proto.get("resource_searching_radius", 0.49)), (entity.x, entity.y))
        entity.state = state
        super().attach(world, entity)
        # A new drill already reports why it can't work (the game shows "No fuel" on a freshly built burner drill).
        if self.resource(world, entity) is None:
            state.status = "no_minable_resources"
        elif not entity.energy.can_supply():
            state.status = entity.energy.blocked_status
        world.wake(entity)

    # -- the resource -----------------------------------------------------------------------------------------

    def resource(self, world: World, entity: Entity) -> Entity | None:
        """The first resource under the mining area with something left; kept until it runs out (resources never
        appear under a drill, so the first one stays the first)."""
        state: DrillState = entity.state
        self._follow(world, entity, state)
        current = state.current
        if current is not None and current.valid and current.amount > 0:
            return current
        found = self._scan(entity, state)
        self._watch(world, entity, state, found)
        return found

    @staticmethod
    def _watch(world: World, entity: Entity, state: DrillState, resource: Entity | None) -> None:
        """Mine `resource` from now on: the world wakes the drills of a resource when it changes or runs out."""
        old = state.current
        if old is resource:
            return
        watchers = world.resource_watchers
        if old is not None and old.oid in watchers:
            watchers[old.oid].pop(entity.oid, None)
            if not watchers[old.oid]:
                del watchers[old.oid]
        state.current = resource
        if resource is not None:
            watchers.setdefault(resource.oid, {})[entity.oid] = entity

    def _follow(self, world: World, entity: Entity, state: DrillState) -> None:
        if state.anchor != (entity.x, entity.y):
            state.anchor = (entity.x, entity.y)
            self._watch(world, entity, state, None)
            state.output = None

    @staticmethod
    def _scan(entity: Entity, state: DrillState) -> Entity | None:
        surface = entity.surface
        a = _mining_area(entity, state.radius)
        categories = set(entity.proto.get("resource_categories") or ["basic-solid"])
        for ty in range(math.floor(a.top), math.ceil(a.bottom)):
            for tx in range(math.floor(a.left), math.ceil(a.right)):
                res = surface.resources_at.get((tx, ty))
                if res is not None and res.valid and res.amount > 0 and res.proto.get("category", "basic-solid") in categories:
                    if a.contains(res.x, res.y):
                        return res
        return None

    # -- output -----------------------------------------------------------------------------------------------

    @staticmethod
    def _find_output(entity: Entity, dx: float, dy: float) -> Entity | None:
        for e in entity.surface.entities_near(BBox(dx - 0.01, dy - 0.01, dx + 0.01, dy + 0.01)):
            # Cheap tests first: a chunk holds hundreds of entities, and only ones within reach can cover the spot.
            if abs(e.x - dx) > _REACH or abs(e.y - dy) > _REACH or not e.kind.takes_drops:
                continue
            if e.valid and e is not entity and e.footprint().contains(dx, dy):
                return e
        return None

    def _deliver(self, world: World, entity: Entity, state: DrillState) -> bool:
        drop = entity.drop_position()
        if drop is None:
            state.pending.clear()
            return True
        dx, dy = drop
        self._follow(world, entity, state)
        target = state.output
        # Kept while it still covers the drop position (a rotated drill or a teleported chest finds anew).
        if target is None or not target.valid or not target.footprint().contains(dx, dy):
            target = state.output = self._find_output(entity, dx, dy)
        while state.pending:
            name, count = state.pending[0]
            if target is not None:
                n = target.kind.put_at(world, target, dx, dy, name, count, entity)
            else:
                n = _drop_on_ground(world, entity, name, count, dx, dy)
            if n < count:
                state.pending[0] = (name, count - n)
                self._wait(world, entity, state, target, dx, dy)
                return False
            state.pending.pop(0)
        return True

    @staticmethod
    def _wait(world: World, entity: Entity, state: DrillState, target: Entity | None, dx: float, dy: float) -> None:
        if target is not None:
            state.waiting_on = target
            target.kind.watch(world, target, entity)
        else:
            state.waiting_tile = (math.floor(dx), math.floor(dy))
            world.wait_for_ground(entity, state.waiting_tile)

    @staticmethod
    def _unwait(world: World, entity: Entity, state: DrillState) -> None:
        if state.waiting_on is not None:
            state.waiting_on.kind.unwatch(world, state.waiting_on, entity)
            state.waiting_on = None
        if state.waiting_tile is not None:
            world.stop_waiting_for_ground(entity, state.waiting_tile)
            state.waiting_tile = None

    # -- updates ----------------------------------------------------------------------------------------------

    def work(self, world: World, entity: Entity, tick: int) -> int | None:
        state: DrillState = entity.state
        self._unwait(world, entity, state)
        if state.pending and not self._deliver(world, entity, state):
            state.status = "waiting_for_space_in_destination"
            return None  # woken when the target or the ground spot changes
        resource = self.resource(world, entity)
        if resource is None:
            state.status = "no_minable_resources"
            return None  # woken when teleported
        if (resource.proto.get("minable") or {}).get("required_fluid"):
            # Mining with a fluid (uranium ore and sulfuric acid) is not modelled: the drill waits as the game's
            # does without the fluid, and nothing is mined or counted for mine-entity research triggers.
            state.status = "missing_required_fluid"
            return None  # woken when teleported
        factor = self.draw(entity, tick)
        if factor <= 0:
            return None  # woken by fuel or power
        rate = state.speed * factor
        state.progress += rate
        need = float((resource.proto.get("minable") or {}).get("mining_time", 1)) * 60
        if state.progress + EPS >= need:
            state.progress = max(0.0, state.progress - need)
            mined = mined_products(resource.proto)
            for name, count in mined:
                world.record_production(entity.force, entity.surface, name, count)
            state.pending.extend(mined)
            state.pending.extend(research.mining_bonus(world, entity, need, mined))
            research.mined(world, entity.force, resource.name)
            world.deplete_one(resource)
            self._deliver(world, entity, state)
            if state.pending or not (resource.valid and resource.amount > 0):
                return tick + 1  # the next tick tries again, or finds the next resource
        state.rate = rate
        return tick + ticks_to_complete(state.progress, rate, need)

    def moved(self, world: World, entity: Entity) -> None:
        world.poke(entity)

    def destroyed(self, world: World, entity: Entity) -> None:
        state: DrillState = entity.state
        self._unwait(world, entity, state)
        self._watch(world, entity, state, None)
        super().destroyed(world, entity)


def _mining_target(lua: Any, entity: Entity) -> Entity | None:
    return entity.kind.resource(lua.engine.world, entity)


def _mining_progress(lua: Any, entity: Entity) -> float:
    # In seconds of mining_time: the API's range is [0, mining_target's mining_time].
    return entity.state.progress_at(lua.engine.world.tick) / 60.0


def _drop_position(lua: Any, entity: Entity) -> dict[str, float]:
    pos = entity.drop_position()
    if pos is None:  # a pumpjack: its product is a fluid
        raise ScriptError(f"Entity {entity.name} has no drop position (not a mining drill or inserter).")
    return {"x": pos[0], "y": pos[1]}


def _drop_target(lua: Any, entity: Entity) -> Entity | None:
    """The entity at the drop position the drill would put its next item into (nil: the ground, or a pumpjack)."""
    drop = entity.drop_position()
    if drop is None:
        return None
    state: DrillState = entity.state
    target = state.output
    if target is not None and target.valid and target.footprint().contains(*drop):
        return target
    return DrillKind._find_output(entity, *drop)


def _mining_area_getter(lua: Any, entity: Entity) -> dict[str, dict[str, float]]:
    a = _mining_area(entity, entity.state.radius)
    return {"left_top": {"x": a.left, "y": a.top}, "right_bottom": {"x": a.right, "y": a.bottom}}


DrillKind.getters = {"mining_target": _mining_target, "mining_progress": _mining_progress, "drop_position": _drop_position,
                     "mining_area": _mining_area_getter, "drop_target": _drop_target}


def _drop_on_ground(world: World, drill: Entity, name: str, count: int, x: float, y: float) -> int:
    """Burner drills with nothing at the drop position put one item on the ground there, if the spot is free."""
    surface = drill.surface
    for e in surface.entities_near(BBox(x - 0.3, y - 0.3, x + 0.3, y + 0.3)):
        if e.valid and e.stack is not None and abs(e.x - x) < 0.3 and abs(e.y - y) < 0.3:
            return 0
    ent = world.create_entity(surface, "item-on-ground", x, y)
    ent.stack = Stack(name, 1)  # type: ignore[union-attr]
    return 1
