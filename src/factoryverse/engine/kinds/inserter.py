"""Inserters: a hand that picks items up at `pickup_position` and drops them at `insert_position`, one half swing
(mechanics/inserter_hand.py) between the two.

Event-scheduled like every machine (kinds/machine.py): the update at the tick a half swing ends also does what the
hand does there (pick up or drop) and plans the next swing, so a working inserter costs one update per half swing.
A hand that can't pick up (nothing there, or nothing its target takes) or can't drop (the target full) sleeps,
watching the entities or ground tiles involved, until they change. Items move only through the Kind seam
(`take_at`, `put_at`, `can_put_at`, `watch`), so a chest, a furnace and a belt are all alike to it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from factoryverse.engine.errors import ScriptError
from factoryverse.engine.kinds.belt import BeltKind
from factoryverse.engine.kinds.machine import MachineKind, MachineState, ticks_to_complete
from factoryverse.engine.mechanics.energy import EPS, make_energy_source
from factoryverse.engine.mechanics.inserter_hand import (
    drop_on_ground, find_target, ground_item_at, half_swing_ticks, hand_size, hand_vectors, take_from_ground,
)
from factoryverse.engine.prototypes import parse_energy
from factoryverse.engine.world.inventory import FUEL

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["InserterKind", "InserterState"]

_PICKUP, _DROP = "pickup", "drop"


class InserterState(MachineState):
    """`end`: where the hand is, or heads while `moving`; `progress` counts ticks of the current half swing (`need`
    at full speed). The targets are kept while they still cover their spot (`anchor` is where the inserter stood)."""

    __slots__ = (
        "end", "moving", "need", "held", "held_count", "filters", "use_filters", "blacklist", "override",
        "anchor", "swing", "spots", "pickup_target", "drop_target", "waiting_on", "waiting_tiles",
    )

    def __init__(self, filter_count: int):
        super().__init__(1.0, "waiting_for_source_items")
        self.end = _PICKUP
        self.moving = False
        self.need = 0.0
        self.held: str | None = None
        self.held_count = 0
        self.filters: list[str | None] = [None] * filter_count
        self.use_filters = False
        self.blacklist = False
        self.override = 0  # inserter_stack_size_override; 0 = none
        self.anchor: tuple[float, float, int] | None = None
        self.swing = 0  # ticks of a half swing at full speed where the inserter stands
        self.spots: tuple[float, float, float, float] | None = None  # pickup x, y and drop x, y there
        self.pickup_target: Entity | None = None
        self.drop_target: Entity | None = None
        self.waiting_on: list[Entity] = []
        self.waiting_tiles: list[tuple[int, int]] = []


class _Accepts:
    """What the hand may pick up: its filters allow it and its drop target takes it now. Built per pickup and
    never stored, so it holds live references freely."""

    __slots__ = ("world", "inserter", "state", "target", "x", "y")

    def __init__(self, world: World, inserter: Entity, state: InserterState, target: Entity | None, x: float, y: float):
        self.world, self.inserter, self.state, self.target, self.x, self.y = world, inserter, state, target, x, y

    def allowed(self, name: str) -> bool:
        state = self.state
        if not state.use_filters:
            return True
        return (name in state.filters) != state.blacklist

    def __call__(self, name: str) -> bool:
        if not self.allowed(name):
            return False
        target = self.target
        return target is None or target.kind.can_put_at(self.world, target, self.x, self.y, name, self.inserter)


class InserterKind(MachineKind):
    types: ClassVar[tuple[str, ...]] = ("inserter",)
    insert_order: ClassVar[tuple[str, ...]] = (FUEL,)  # a burner inserter's fuel slot

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        entity.state = InserterState(int(proto.get("filter_count", 0) or 0))
        # The energy source at what a swinging hand uses per tick (inserters have no `energy_usage`).
        entity.energy = make_energy_source(world, entity, proto.get("energy_source"), _usage(proto))
        for inv in entity.inventories.values():
            inv.subscribe(entity, world.wake)  # fuel put in wakes a burner inserter that ran dry
        burner = entity.burner
        spec = proto.get("energy_source") or {}
        if burner is not None and spec.get("initial_fuel"):
            # A new burner inserter starts with part of a fuel item burning (`initial_fuel`, `initial_fuel_percent`).
            fuel = spec["initial_fuel"]
            burner.currently_burning = fuel
            burner.remaining = burner.fuel_values[fuel] * float(spec.get("initial_fuel_percent", 0)) * burner.effectivity
        world.wake(entity)

    # -- the hand's targets -----------------------------------------------------------------------------------

    def _follow(self, entity: Entity, state: InserterState) -> tuple[float, float, float, float]:
        """Where the hand picks up and drops (pickup x, y, drop x, y), worked out again only when the inserter has
        moved or turned since; the kept targets go with the old place."""
        anchor = (entity.x, entity.y, entity.direction)
        if state.anchor != anchor or state.spots is None:
            state.anchor = anchor
            state.pickup_target = state.drop_target = None
            pickup, drop = hand_vectors(entity)
            state.swing = half_swing_ticks(entity.proto, pickup, drop)
            state.spots = (entity.x + pickup[0], entity.y + pickup[1], entity.x + drop[0], entity.y + drop[1])
        return state.spots

    @staticmethod
    def _target(entity: Entity, kept: Entity | None, x: float, y: float, pickup: bool) -> Entity | None:
        if kept is not None and kept.valid and _covers(kept, x, y):
            return kept
        return find_target(entity, x, y, pickup)

    def positions(self, entity: Entity) -> tuple[tuple[float, float], tuple[float, float]]:
        # A reading: works them out afresh rather than through _follow, which would change the state.
        (px, py), (dx, dy) = hand_vectors(entity)
        return (entity.x + px, entity.y + py), (entity.x + dx, entity.y + dy)

    # -- waiting ----------------------------------------------------------------------------------------------

    @staticmethod
    def _wait_on(world: World, entity: Entity, state: InserterState, target: Entity | None, x: float, y: float,
                 take: bool = False) -> None:
        if target is not None:
            if target not in state.waiting_on:
                state.waiting_on.append(target)
                if take:
                    target.kind.watch_take(world, target, entity, x, y)
                else:
                    target.kind.watch(world, target, entity)
        else:
            # The ground: an item appearing or leaving there, or an entity built over it, wakes us.
            tile = (math.floor(x), math.floor(y))
            if tile not in state.waiting_tiles:
                state.waiting_tiles.append(tile)
                world.wait_for_ground(entity, tile)

    @staticmethod
    def _unwait(world: World, entity: Entity, state: InserterState) -> None:
        for target in state.waiting_on:
            target.kind.unwatch(world, target, entity)
        for tile in state.waiting_tiles:
            world.stop_waiting_for_ground(entity, tile)
        state.waiting_on = []
        state.waiting_tiles = []

    # -- updates ----------------------------------------------------------------------------------------------

    def work(self, world: World, entity: Entity, tick: int) -> int | None:
        state: InserterState = entity.state
        old_on, old_tiles = state.waiting_on, state.waiting_tiles
        if not (old_on or old_tiles):
            return self._work(world, entity, state, tick)
        # A waiting hand that looks again mostly waits on the same things: it keeps those subscriptions (watching is
        # idempotent) and drops only the ones it no longer needs, instead of undoing and redoing them all.
        state.waiting_on, state.waiting_tiles = [], []
        nxt = self._work(world, entity, state, tick)
        for target in old_on:
            if target not in state.waiting_on:
                target.kind.unwatch(world, target, entity)
        for tile in old_tiles:
            if tile not in state.waiting_tiles:
                world.stop_waiting_for_ground(entity, tile)
        return nxt

    def _work(self, world: World, entity: Entity, state: InserterState, tick: int) -> int | None:
        if state.moving:
            factor = self.draw(entity, tick)
            if factor <= 0:
                return None  # woken by fuel or power
            state.progress += factor
            if state.progress + EPS < state.need:
                state.rate = factor
                return tick + ticks_to_complete(state.progress, factor, state.need)
            state.moving = False
            state.progress = 0.0
        px, py, dx, dy = self._follow(entity, state)
        if state.end == _DROP and state.held is not None:
            if not self._drop(world, entity, state, dx, dy):
                state.status = "waiting_for_space_in_destination"
                return None
            return self._swing(entity, state, tick, _PICKUP)
        if state.held is None and not self._pick(world, entity, state, px, py, dx, dy):
            return None
        return self._swing(entity, state, tick, _DROP)

    def _swing(self, entity: Entity, state: InserterState, tick: int, end: str) -> int | None:
        """Start a half swing towards `end` from the next tick on; its arrival is the next update."""
        state.end = end
        state.moving = True
        state.progress = 0.0
        state.need = float(state.swing)
        factor = _supply(entity)
        if factor <= 0:
            state.status = entity.energy.blocked_status
            return None  # woken by fuel or power; the update then moves the hand
        state.status = "working" if factor >= 1 else "low_power"
        state.rate = factor
        return tick + ticks_to_complete(0.0, factor, state.need)

    def _take(self, world: World, entity: Entity, source: Entity | None, x: float, y: float, limit: int, accepts: Any) -> tuple[str, int] | None:
        if source is not None:
            return source.kind.take_at(world, source, x, y, limit, accepts, entity)
        item = ground_item_at(entity.surface, x, y)
        if item is None or not accepts(item.stack.name):
            return None
        return take_from_ground(world, item, limit)

    def _pick(self, world: World, entity: Entity, state: InserterState, px: float, py: float, dx: float, dy: float) -> bool:
        source = state.pickup_target = self._target(entity, state.pickup_target, px, py, True)
        target = state.drop_target = self._target(entity, state.drop_target, dx, dy, False)
        accepts = _Accepts(world, entity, state, target, dx, dy)
        burner = entity.burner
        if burner is not None and burner.inventory.is_empty():
            # A burner inserter fuels itself from what it picks up (the game's burner inserter does).
            fuel = burner.inventory
            got = self._take(world, entity, source, px, py, 1, _Refuel(accepts, fuel))
            if got is not None and got[1]:
                fuel.insert(got[0], got[1])
        got = self._take(world, entity, source, px, py, hand_size(entity), accepts)
        if got is not None and got[1] > 0:
            state.held, state.held_count = got
            return True
        # Nothing to carry: "waiting for space" if the source has something the filters allow but the target
        # refuses it (a peek: taking at most 0 items moves nothing), else "waiting for source items".
        peek = self._take(world, entity, source, px, py, 0, accepts.allowed) if target is not None else None
        state.status = "waiting_for_space_in_destination" if peek is not None else "waiting_for_source_items"
        self._wait_on(world, entity, state, source, px, py, take=target is not source)
        # The target matters only while the source has something the filters allow (a belt can't be peeked at with
        # a limit of 0, so a belt's target is always watched): otherwise its changes would wake us for nothing.
        if target is not None and (peek is not None or isinstance(source.kind if source else None, BeltKind)):
            self._wait_on(world, entity, state, target, dx, dy)
        return False

    def _drop(self, world: World, entity: Entity, state: InserterState, dx: float, dy: float) -> bool:
        target = state.drop_target = self._target(entity, state.drop_target, dx, dy, False)
        name = state.held
        if target is not None:
            n = target.kind.put_at(world, target, dx, dy, name, state.held_count, entity)
        else:
            n = 1 if drop_on_ground(world, entity, name, dx, dy) else 0
        state.held_count -= n
        if state.held_count > 0:
            self._wait_on(world, entity, state, target, dx, dy)
            return False
        state.held, state.held_count = None, 0
        return True

    # -- life -------------------------------------------------------------------------------------------------

    def moved(self, world: World, entity: Entity) -> None:
        world.poke(entity)

    def destroyed(self, world: World, entity: Entity) -> None:
        self._unwait(world, entity, entity.state)
        super().destroyed(world, entity)

    def mined_items(self, entity: Entity) -> list[tuple[str, int]]:
        items = super().mined_items(entity)
        state: InserterState = entity.state
        if state.held is not None:
            items.append((state.held, state.held_count))  # what the hand held goes to whoever mines it
        return items

    def can_put_at(self, world: World, entity: Entity, x: float, y: float, name: str, giver: Entity) -> bool:
        return False  # inserters are no drop targets (burner inserters are fuelled by insert or from their hand)


class _Refuel:
    """Accept what the hand may take and the inserter's own fuel slot burns."""

    __slots__ = ("accepts", "fuel")

    def __init__(self, accepts: _Accepts, fuel: Any):
        self.accepts, self.fuel = accepts, fuel

    def __call__(self, name: str) -> bool:
        return self.accepts.allowed(name) and self.fuel.can_insert(name, 1) > 0


def _covers(e: Entity, x: float, y: float) -> bool:
    """`e.footprint().contains(x, y)` without building two boxes: this runs on every pickup and drop."""
    b = e.box
    ex, ey = e.x, e.y
    return (
        math.floor(ex + b.left + 1e-6) <= x <= math.ceil(ex + b.right - 1e-6)
        and math.floor(ey + b.top + 1e-6) <= y <= math.ceil(ey + b.bottom - 1e-6)
    )


def _supply(entity: Entity) -> float:
    """The speed a swing starting now runs at: an electric network's satisfaction, 1 while a burner has fuel."""
    source = entity.energy
    if source.kind == "electric":
        return source.satisfaction()  # type: ignore[attr-defined]
    return 1.0 if source.can_supply() else 0.0


def _usage(proto: dict[str, Any]) -> float:
    # Joules per tick while the hand moves: turning and extending at full speed (the game's maximum consumption,
    # e.g. 144 kW for the burner inserter).
    rotation = parse_energy(proto.get("energy_per_rotation", "0J")) * float(proto["rotation_speed"])
    movement = parse_energy(proto.get("energy_per_movement", "0J")) * float(proto["extension_speed"])
    return rotation + movement


# -- LuaEntity members of inserters -----------------------------------------------------------------------------


def _position_table(pos: tuple[float, float]) -> dict[str, float]:
    return {"x": pos[0], "y": pos[1]}


def _pickup_position(lua: Any, entity: Entity) -> dict[str, float]:
    return _position_table(entity.kind.positions(entity)[0])


def _drop_position(lua: Any, entity: Entity) -> dict[str, float]:
    return _position_table(entity.kind.positions(entity)[1])


def _pickup_target(lua: Any, entity: Entity) -> Entity | None:
    x, y = entity.kind.positions(entity)[0]
    return InserterKind._target(entity, entity.state.pickup_target, x, y, True)


def _drop_target(lua: Any, entity: Entity) -> Entity | None:
    x, y = entity.kind.positions(entity)[1]
    return InserterKind._target(entity, entity.state.drop_target, x, y, False)


def _held_stack_position(lua: Any, entity: Entity) -> dict[str, float]:
    """Where the hand is now: at its end, or turned and extended part of the way there, linear in the tick."""
    state: InserterState = entity.state
    pickup, drop = hand_vectors(entity)
    start, end = (drop, pickup) if state.end == _PICKUP else (pickup, drop)
    if not state.moving or state.need <= 0:
        v = end
    else:
        f = min(1.0, state.progress_at(lua.engine.world.tick) / state.need)
        a0, a1 = math.atan2(start[1], start[0]), math.atan2(end[1], end[0])
        turn = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
        r = math.hypot(*start) + (math.hypot(*end) - math.hypot(*start)) * f
        v = (r * math.cos(a0 + turn * f), r * math.sin(a0 + turn * f))
    return {"x": entity.x + v[0], "y": entity.y + v[1]}


def _filter_slot_count(lua: Any, entity: Entity) -> int:
    return len(entity.state.filters)


def _filter_index(entity: Entity, index: Any) -> int:
    n = len(entity.state.filters)
    if n == 0:
        raise ScriptError(f"Entity {entity.name} has no filter slots.")
    if isinstance(index, bool) or not isinstance(index, (int, float)) or index != int(index) or not 1 <= index <= n:
        raise ScriptError(f"Index out of range: {index!r} (entity {entity.name} has filter slots 1 to {n}).")
    return int(index) - 1


def _set_filter(lua: Any, entity: Entity, index: Any, filter: Any = None) -> None:
    i = _filter_index(entity, index)
    if filter is None:
        name = None
    else:
        name = filter.get("name") if isinstance(filter, dict) else filter
        if not isinstance(name, str):
            raise ScriptError(f"Invalid filter {filter!r}: expected an item name or {{name = item name}}.")
        if name not in lua.engine.prototypes.items:
            raise ScriptError(f"Unknown item name: {name}")
    entity.state.filters[i] = name
    lua.engine.world.wake(entity)  # a waiting hand looks again with the new filters


def _get_filter(lua: Any, entity: Entity, index: Any) -> dict[str, str] | None:
    name = entity.state.filters[_filter_index(entity, index)]
    return None if name is None else {"name": name}


def _filter_mode(lua: Any, entity: Entity) -> str:
    return "blacklist" if entity.state.blacklist else "whitelist"


def _set_filter_mode(lua: Any, entity: Entity, value: Any) -> None:
    if value not in ("whitelist", "blacklist"):
        raise ScriptError(f"Invalid inserter_filter_mode {value!r}: expected \"whitelist\" or \"blacklist\".")
    entity.state.blacklist = value == "blacklist"
    lua.engine.world.wake(entity)


def _use_filters(lua: Any, entity: Entity) -> bool:
    return entity.state.use_filters


def _set_use_filters(lua: Any, entity: Entity, value: Any) -> None:
    if not isinstance(value, bool):
        raise ScriptError(f"use_filters must be a boolean, got {value!r}")
    entity.state.use_filters = value
    lua.engine.world.wake(entity)


def _target_pickup_count(lua: Any, entity: Entity) -> int:
    return hand_size(entity)


def _stack_size_override(lua: Any, entity: Entity) -> int:
    return entity.state.override


def _set_stack_size_override(lua: Any, entity: Entity, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or not 0 <= value <= 255:
        raise ScriptError(f"inserter_stack_size_override must be an integer from 0 to 255, got {value!r}")
    entity.state.override = int(value)


InserterKind.getters = {
    "pickup_position": _pickup_position,
    "drop_position": _drop_position,
    "pickup_target": _pickup_target,
    "drop_target": _drop_target,
    "held_stack_position": _held_stack_position,
    "filter_slot_count": _filter_slot_count,
    "inserter_filter_mode": _filter_mode,
    "use_filters": _use_filters,
    "inserter_target_pickup_count": _target_pickup_count,
    "inserter_stack_size_override": _stack_size_override,
}
InserterKind.setters = {
    "inserter_filter_mode": _set_filter_mode,
    "use_filters": _set_use_filters,
    "inserter_stack_size_override": _set_stack_size_override,
}
InserterKind.methods = {"set_filter": _set_filter, "get_filter": _get_filter}
