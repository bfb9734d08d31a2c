"""Hand mining: a character with `mining_state.mining` set mines its `selected` entity, as a player holding the
mining button over it does.

Progress grows `mining_speed * (1 + force.manual_mining_speed_modifier + character_mining_speed_modifier)` per
tick against the target's `minable.mining_time * 60`; at the end the products go to the main inventory (a resource
loses one unit through `World.deplete_one` and is mined again from the next tick; anything else is removed, with
its contents, as `LuaEntity.mine` does). Mining needs the target in reach (`resource_reach_distance` for
resources, `reach_distance` for the rest): walking or teleporting out of it stops mining and resets the progress.
Products that don't fit hold the mining at its end until the inventory changes, as the game's "inventory full".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from factoryverse.engine.kinds.base import mined_products
from factoryverse.engine.kinds.machine import ticks_to_complete
from factoryverse.engine.mechanics.energy import EPS
from factoryverse.engine.mechanics import research
from factoryverse.engine.world.inventory import Inventory, Stack

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["distance_to", "minable_by", "reach_for", "target", "update", "progress", "selectable", "stop"]


def distance_to(character: Entity, entity: Entity) -> float:
    """From the character's position to the nearest point of `entity`'s collision box (0 inside it)."""
    b = entity.bbox()
    dx = max(b.left - character.x, 0.0, character.x - b.right)
    dy = max(b.top - character.y, 0.0, character.y - b.bottom)
    return math.hypot(dx, dy)


def selectable(entity: Entity) -> bool:
    return bool(entity.proto.get("selection_box")) and "not-selectable-in-game" not in (entity.proto.get("flags") or ())


def minable_by(character: Entity, entity: Entity) -> bool:
    """Whether the character can mine `entity` by hand at all (reach aside)."""
    minable = entity.proto.get("minable")
    if not minable or entity is character or not entity.valid:
        return False
    if entity.kind.has_amount:  # a resource: the character's mining categories, no fluid, something left
        category = entity.proto.get("category", "basic-solid")
        return (
            category in (character.proto.get("mining_categories") or ("basic-solid",))
            and not minable.get("required_fluid")
            and entity.amount > 0
        )
    return True


def reach_for(character: Entity, entity: Entity) -> float:
    if entity.kind.has_amount:
        return float(character.proto.get("reach_resource_distance", 2.7))
    return float(character.proto.get("reach_distance", 10))


def target(character: Entity) -> Entity | None:
    """What the character mines now: its selected entity while mining, if minable and in reach."""
    state = character.state
    entity = state.selected
    if not state.mining or entity is None or not minable_by(character, entity):
        return None
    if distance_to(character, entity) > reach_for(character, entity) + EPS:
        return None
    return entity


def _speed(character: Entity) -> float:
    modifiers = 1.0 + character.force.modifier("manual_mining_speed_modifier") + character.state.mining_modifier
    return float(character.proto.get("mining_speed", 0.5)) * modifiers


def _need(entity: Entity) -> float:
    return float((entity.proto.get("minable") or {}).get("mining_time", 1)) * 60


def _products(entity: Entity) -> list[tuple[str, int]]:
    if entity.kind.has_amount:
        return mined_products(entity.proto)
    return entity.kind.mined_items(entity)


def _all_fit(inv: Inventory, items: list[tuple[str, int]]) -> bool:
    # A scratch copy (oid 0 names no object), filled in turn so the stacks compete for free slots.
    trial = Inventory(len(inv), inv.stack_size, accepts=inv.accepts, oid=0)
    trial.slots = [None if s is None else Stack(s.name, s.count) for s in inv.slots]
    return all(trial.insert(name, count) == count for name, count in items)


def _unblock(world: World, character: Entity) -> None:
    state = character.state
    if state.mine_blocked:
        state.mine_blocked = False
        inv = character.kind.main_inventory(character)
        if inv is not None:
            inv.unsubscribe(character)


def stop(world: World, character: Entity) -> None:
    """Forget the current target and its progress (mining stopped, target changed)."""
    state = character.state
    _unblock(world, character)
    state.mine_target = None
    state.mine_progress = 0.0
    state.mine_rate = 0.0


def update(world: World, character: Entity, tick: int) -> int | None:
    """This tick's mining, as a per-tick update would do it; the tick of the next mining event, or None."""
    state = character.state
    if state.mine_rate:
        state.mine_progress += state.mine_rate * (tick - state.mine_since)
        state.mine_rate = 0.0
    state.mine_since = tick + 1
    _unblock(world, character)
    entity = target(character)
    if entity is not state.mine_target:
        stop(world, character)
        state.mine_target = entity
    if entity is None:
        return None  # woken by mining_state, selected, a move or a teleport
    rate = _speed(character)
    if rate <= 0:
        return None
    need = _need(entity)
    state.mine_progress += rate
    if state.mine_progress + EPS < need:
        state.mine_rate = rate
        return tick + ticks_to_complete(state.mine_progress, rate, need)
    inv = character.kind.main_inventory(character)
    items = _products(entity)
    if inv is None or not _all_fit(inv, items):
        state.mine_progress = need  # held at its end until the inventory changes
        state.mine_blocked = True
        if inv is not None:
            inv.subscribe(character, world.wake)
        return None
    for name, count in items:
        inv.insert(name, count)
        world.record_production(character.force, character.surface, name, count)
    state.mine_progress = 0.0
    research.mined(world, character.force, entity.name)
    if entity.kind.has_amount:
        world.deplete_one(entity)
    else:
        entity.kind.mine(world, entity, False)
    if not entity.valid:
        state.mine_target = None
        return None
    # The next cycle starts with the next tick, at the same rate: its end is known now, so no update in between.
    state.mine_rate = rate
    return tick + ticks_to_complete(0.0, rate, need)


def progress(world: World, character: Entity) -> float:
    """`character_mining_progress`: 0..1 of the current cycle, 0 when not mining."""
    state = character.state
    entity = state.mine_target
    if entity is None or not entity.valid or target(character) is not entity:
        return 0.0
    value = state.mine_progress
    if state.mine_rate and world.tick > state.mine_since:
        value += state.mine_rate * (world.tick - state.mine_since)
    return min(1.0, value / _need(entity))


def mining_state_table(character: Entity) -> dict[str, Any]:
    state = character.state
    out: dict[str, Any] = {"mining": bool(state.mining)}
    if state.mining_position is not None:
        out["position"] = {"x": state.mining_position[0], "y": state.mining_position[1]}
    return out
