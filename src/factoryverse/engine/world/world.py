"""The game world: surfaces, forces, entity creation and removal, and each tick's updates: walking characters, and
the machines the scheduler wakes for this tick (mechanics/scheduler.py)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds import kind_of
from factoryverse.engine.mechanics.charting import Charting
from factoryverse.engine.mechanics.character import update_walking
from factoryverse.engine.mechanics.electric_grid import ElectricGrid
from factoryverse.engine.mechanics.scheduler import Scheduler
from factoryverse.engine.mechanics.statistics import ItemFlowStatistics
from factoryverse.engine.world.entity import GRID_FREE_TYPES, Entity, collision_layers
from factoryverse.engine.world.force import Force
from factoryverse.engine.world.ids import Oids
from factoryverse.engine.world.geometry import BBox, rotate_box, snap_to_grid
from factoryverse.engine.world.inventory import Stack
from factoryverse.engine.world.mapgen import ChunkData, MapGenerator
from factoryverse.engine.world.surface import Chunk, Surface

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["World", "PlacementCheck"]

_BUILTIN_FORCES = ("player", "enemy", "neutral")


class PlacementCheck:
    __slots__ = ("ok", "reason", "blockers", "tiles", "x", "y")

    def __init__(self, ok: bool, reason: str, blockers: list[Entity], tiles: list[tuple[int, int, str]], x: float, y: float):
        self.ok, self.reason, self.blockers, self.tiles, self.x, self.y = ok, reason, blockers, tiles, x, y


class World:
    def __init__(self, engine: Engine, seed: int, *, starting_chunks: int = 4):
        self.engine = engine
        self.protos = engine.prototypes
        self.tick = 0
        self.oids = Oids()  # this game's object ids (world/ids.py)
        self._unit_numbers = 0
        self.forces: dict[str, Force] = {}
        for name in ("player", "enemy", "neutral"):
            self.create_force(name)
        self.surfaces: dict[str, Surface] = {}
        nauvis = Surface("nauvis", 1, MapGenerator(seed, prototypes=self.protos), self.protos.tiles, self.oids)
        nauvis.on_chunk_generated = self._populate_chunk
        nauvis.on_entity_moved = self.entity_moved
        nauvis.tick_source = self.current_tick
        self.surfaces["nauvis"] = nauvis
        # Machines wake at the ticks where something happens to them; only walking characters move every tick.
        self.scheduler = Scheduler()
        self.updating = False  # inside this tick's updates: what is woken now runs next tick
        self.entity_updates = 0  # machine updates run so far: what the scheduler costs, for tests and benchmarks
        self.walkers: dict[int, Entity] = {}
        self.by_unit_number: dict[int, Entity] = {}
        # Drills mining each resource, woken when it changes or runs out: resource oid -> {drill oid: drill}. Derived
        # from the drills' own state (their `current`), so not part of the game's state.
        self.resource_watchers: dict[int, dict[int, Entity]] = {}
        # Drills whose output lies on the ground and waits for the spot to clear: tile -> {drill oid: drill}.
        self.ground_waiters: dict[tuple[int, int], dict[int, Entity]] = {}
        self.pending_chunk_events: list[tuple[Surface, Chunk]] = []
        self.electric = ElectricGrid(self)  # poles and electric networks (mechanics/electric_grid.py)
        self.pending_chart_events: list[tuple[Force, Surface, int, int]] = []
        # Chart requests (LuaForce.chart) waiting for their tick (mechanics/charting.py).
        self.charting = Charting()
        # The starting area is generated but charted by nobody: on a headless server no player is there to chart
        # it, so a mod that wants it on the map charts it (fv_snapshot does, in on_init).
        r = starting_chunks
        for cy in range(-r, r):
            for cx in range(-r, r):
                nauvis.ensure_chunk(cx, cy)

    def current_tick(self) -> int:
        return self.tick

    def entity_moved(self, entity: Entity) -> None:
        """Every entity move (Surface.move) lands here: Lua states forget the position they kept for it."""
        self.engine.events.object_moved(entity.oid)

    # -- forces ---------------------------------------------------------------------------------------------

    def create_force(self, name: str) -> Force:
        if name in self.forces:
            raise ScriptError(f"Force with name \"{name}\" already exists.")
        if len(self.forces) >= 64:
            raise ScriptError("Too many forces: Factorio allows at most 64.")
        # The lowest index no live force holds: indices stay unique after a merge frees one, and stay within the
        # game's 64 force slots however many forces come and go.
        taken = {f.index for f in self.forces.values()}
        index = next(i for i in range(1, len(self.forces) + 2) if i not in taken)
        force = Force(name, index, self.oids(), self.protos.recipes)
        self.forces[name] = force
        return force

    def merge_forces(self, source: Force, destination: Force) -> None:
        """Hand everything of `source` to `destination` and remove `source`, with the game's two events around it."""
        if source is destination:
            raise ScriptError(f"Can't merge force {source.name} into itself.")
        if source.name in _BUILTIN_FORCES:
            raise ScriptError(f"Force {source.name} can't be merged: the built-in forces (player, enemy, neutral) are permanent")
        events = self.engine.events
        events.raise_event("on_forces_merging", {"source": source, "destination": destination})
        if not (source.valid and destination.valid):
            return  # a handler merged one of them away already
        for surface in self.surfaces.values():
            for e in surface.all_entities():
                if e.force is source:
                    e.force = destination
        for other in self.forces.values():
            other.friends.discard(source.name)
            other.cease_fire.discard(source.name)
        source.valid = False
        del self.forces[source.name]
        events.raise_event(
            "on_forces_merged", {"source_name": source.name, "source_index": source.index, "destination": destination}
        )

    def surface_by_index(self, index: int) -> Surface | None:
        for s in self.surfaces.values():
            if s.index == index:
                return s
        return None

    # -- chunks ---------------------------------------------------------------------------------------------

    def _populate_chunk(self, surface: Surface, chunk: Chunk, data: ChunkData) -> None:
        neutral = self.forces["neutral"]
        for name, tx, ty, amount in data.resources:
            e = Entity(surface, self.protos.raw["resource"][name], tx + 0.5, ty + 0.5, force=neutral, unit_number=None)
            e.amount = amount
            surface.add(e)
        for name, x, y in data.decoratives:
            proto = self.protos.raw["tree"].get(name) or self.protos.raw["simple-entity"][name]
            surface.add(Entity(surface, proto, x, y, force=neutral, unit_number=None))
        self.pending_chunk_events.append((surface, chunk))

    # -- entities -------------------------------------------------------------------------------------------

    def next_unit_number(self) -> int:
        self._unit_numbers += 1
        return self._unit_numbers

    def entity_proto(self, name: str) -> dict[str, Any]:
        proto = self.protos.entities.get(name)
        if proto is None:
            raise ScriptError(f"Unknown entity name: {name}")
        return proto

    def placement_position(self, proto: dict[str, Any], x: float, y: float, direction: int) -> tuple[float, float]:
        if proto["type"] in GRID_FREE_TYPES or "placeable-off-grid" in (proto.get("flags") or ()):
            return (x, y)
        box = rotate_box(_box(proto), direction)
        if proto.get("tile_width") and proto.get("tile_height"):
            # The prototype's own grid size wins over its box (an offshore pump is 1x1 with a taller box).
            half_w, half_h = float(proto["tile_width"]) / 2, float(proto["tile_height"]) / 2
            box = rotate_box(BBox(-half_w, -half_h, half_w, half_h), direction)
        return snap_to_grid(x, y, box)

    def check_placement(
        self, surface: Surface, proto: dict[str, Any], x: float, y: float, direction: int = 0, ignore: tuple[Entity, ...] = ()
    ) -> PlacementCheck:
        """Can `proto` stand at (x, y)? Blocked by colliding entities or by tiles its mask collides with (water)."""
        px, py = self.placement_position(proto, x, y, direction)
        box = rotate_box(_box(proto), direction)
        area = BBox(px + box.left, py + box.top, px + box.right, py + box.bottom)
        layers = collision_layers(proto)
        tiles = surface.blocking_tiles(area, layers) + _unbuildable_tiles(surface, proto, px, py, direction)
        blockers = surface.colliding(area, layers, ignore)
        if tiles:
            return PlacementCheck(False, "tile", blockers, tiles, px, py)
        if blockers:
            return PlacementCheck(False, "entity", blockers, tiles, px, py)
        return PlacementCheck(True, "", [], [], px, py)

    def create_entity(
        self,
        surface: Surface,
        name: str,
        x: float,
        y: float,
        *,
        direction: int = 0,
        force: Force | None = None,
        amount: int | None = None,
        check: bool = False,
    ) -> Entity | None:
        proto = self.entity_proto(name)
        px, py = self.placement_position(proto, x, y, direction)
        if check and not self.check_placement(surface, proto, px, py, direction).ok:
            return None
        kind = kind_of(proto["type"])
        force = force or self.forces["player" if kind.unit_number else "neutral"]
        unit = self.next_unit_number() if kind.unit_number else None
        entity = Entity(surface, proto, px, py, direction=direction, force=force, unit_number=unit)
        if amount is not None:
            entity.amount = int(amount)
        kind.attach(self, entity)
        surface.add(entity)
        if unit is not None:
            self.by_unit_number[unit] = entity
        if self.ground_waiters:
            self._wake_ground(entity.footprint())
        return entity

    def destroy_entity(self, entity: Entity) -> None:
        if not entity.valid:
            return
        entity.surface.remove(entity)
        entity.valid = False
        self.engine.events.object_invalidated(entity.oid)  # Lua states keep an entity's constant members
        self.scheduler.cancel(entity)
        if entity.unit_number is not None:
            self.by_unit_number.pop(entity.unit_number, None)
        entity.kind.destroyed(self, entity)
        if self.ground_waiters:
            self._wake_ground(entity.footprint())

    def deplete_one(self, resource: Entity) -> None:
        """Take one unit from a resource; at zero it is gone, after on_resource_depleted, as in the game."""
        if resource.proto.get("infinite"):
            resource.amount = max(int(resource.proto.get("minimum", 1)), resource.amount - 1)
            return
        resource.amount -= 1
        if resource.amount <= 0:
            resource.amount = 0
            self.engine.events.raise_event("on_resource_depleted", {"entity": resource})
            self.destroy_entity(resource)

    # -- scheduling -----------------------------------------------------------------------------------------

    def now(self) -> int:
        """The first tick whose updates can still see a change made now: this tick's, unless they are running."""
        return self.tick + 1 if self.updating else self.tick

    def wake(self, entity: Entity) -> None:
        """Something `entity` waits on changed: update it at the next chance if it sleeps. A machine that works
        already has its next update, where it sees the change."""
        if entity.due is None and entity.valid and entity.kind.scheduled:
            self.scheduler.schedule(entity, self.now())

    def poke(self, entity: Entity) -> None:
        """Something `entity` depends on while working changed (its resource, its place, its power): update it at
        the next chance even if it works, so its plan is made again."""
        if not (entity.valid and entity.kind.scheduled):
            return
        now = self.now()
        if entity.due is not None and entity.due <= now:
            return  # already due (or updating right now)
        self.scheduler.schedule(entity, now)

    def schedule(self, entity: Entity, tick: int) -> None:
        self.scheduler.schedule(entity, max(tick, self.now()))

    def sleep(self, entity: Entity) -> None:
        self.scheduler.cancel(entity)

    def moved(self, entity: Entity) -> None:
        """`entity` was teleported or turned: it and whoever waits on its inventories look again."""
        entity.kind.moved(self, entity)
        self.electric.moved(entity)
        for inv in entity.inventories.values():
            inv.notify()

    def wait_for_ground(self, entity: Entity, tile: tuple[int, int]) -> None:
        self.ground_waiters.setdefault(tile, {})[entity.oid] = entity

    def stop_waiting_for_ground(self, entity: Entity, tile: tuple[int, int]) -> None:
        waiting = self.ground_waiters.get(tile)
        if waiting is not None:
            waiting.pop(entity.oid, None)
            if not waiting:
                del self.ground_waiters[tile]

    def _wake_ground(self, box: BBox) -> None:
        """An entity appeared or went at `box`: drills waiting for a spot under it try again."""
        for tile in [t for t in self.ground_waiters if box.left <= t[0] < box.right and box.top <= t[1] < box.bottom]:
            for drill in list(self.ground_waiters.get(tile, {}).values()):
                self.wake(drill)

    def spill(self, surface: Surface, name: str, count: int, x: float, y: float) -> None:
        """Drop items on the ground near (x, y), one stack per free spot, as the game spills what doesn't fit."""
        size = int(self.protos.items[name].get("stack_size", 1))
        ring = 0
        while count > 0 and ring < 10:
            for dx in range(-ring, ring + 1):
                for dy in range(-ring, ring + 1):
                    if count <= 0 or max(abs(dx), abs(dy)) != ring:
                        continue
                    tx, ty = math.floor(x) + dx + 0.5, math.floor(y) + dy + 0.5
                    if any(e.stack is not None for e in surface.colliding(BBox(tx - 0.1, ty - 0.1, tx + 0.1, ty + 0.1), frozenset({"item"}))):
                        continue
                    ent = self.create_entity(surface, "item-on-ground", tx, ty)
                    n = min(size, count)
                    ent.stack = Stack(name, n)  # type: ignore[union-attr]
                    count -= n
            ring += 1

    # -- statistics -----------------------------------------------------------------------------------------

    def item_statistics(self, force: Force, surface: Surface) -> ItemFlowStatistics:
        stats = force.item_statistics.get(surface.index)
        if stats is None:
            stats = force.item_statistics[surface.index] = ItemFlowStatistics()
        return stats  # type: ignore[return-value]

    def record_production(self, force: Force, surface: Surface, name: str, count: int) -> None:
        """`count` of item `name` came into being (a craft finished, ore was mined) for `force` on `surface`."""
        self.item_statistics(force, surface).produced(self.tick, name, count)

    def record_consumption(self, force: Force, surface: Surface, name: str, count: int) -> None:
        """`count` of item `name` was used up (a craft took its ingredients, fuel was burnt)."""
        self.item_statistics(force, surface).consumed(self.tick, name, count)

    # -- per tick -------------------------------------------------------------------------------------------

    def update(self) -> None:
        if self.charting.requests:
            self.charting.update(self)
        for entity in list(self.walkers.values()):
            update_walking(self, entity)
        self.electric.tick_start(self.tick)
        self.updating = True
        try:
            self.scheduler.run_due(self.tick, self._update_entity)
        finally:
            self.updating = False
        self.electric.tick_end(self.tick)

    def _update_entity(self, entity: Entity, tick: int) -> None:
        entity.due = tick  # being updated: wakes meanwhile are seen by this update itself
        self.entity_updates += 1
        entity.kind.update(self, entity, tick)


def _box(proto: dict[str, Any]) -> BBox:
    box = proto.get("collision_box")
    if not box:
        return BBox(0.0, 0.0, 0.0, 0.0)
    return BBox(float(box[0][0]), float(box[0][1]), float(box[1][0]), float(box[1][1]))


def _unbuildable_tiles(surface: Surface, proto: dict[str, Any], x: float, y: float, direction: int) -> list[tuple[int, int, str]]:
    """Tiles that break the prototype's `tile_buildability_rules` (an offshore pump needs land under it and water in
    front): in each rule's area, every tile must have one of `required_tiles`' layers and none of `colliding_tiles`'."""
    out = []
    for rule in proto.get("tile_buildability_rules") or ():
        (l, t), (r, b) = rule["area"]
        box = rotate_box(BBox(l, t, r, b), direction)
        required = frozenset((rule.get("required_tiles") or {}).get("layers") or ())
        colliding = frozenset((rule.get("colliding_tiles") or {}).get("layers") or ())
        for ty in range(math.floor(y + box.top + 1e-6), math.ceil(y + box.bottom - 1e-6)):
            for tx in range(math.floor(x + box.left + 1e-6), math.ceil(x + box.right - 1e-6)):
                name = surface.tile_name_if_generated(tx, ty)
                layers = surface.tile_layers(name)
                if (required and not layers & required) or layers & colliding:
                    out.append((tx, ty, name))
    return out
