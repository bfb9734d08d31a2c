"""Characters walking: `walking_state` moves a character `running_speed` tiles for one tick, stopped by collisions.

As in the game, setting `walking_state` is a one-tick input: the character takes that tick's step and then stands,
unless something sets it again before the next step (the agent mod does so from on_tick, which runs before the
world's update in the same tick). A step of a mining character wakes it: reach decides whether it mines
(mechanics/hand_mining.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from factoryverse.engine.world.geometry import DIRECTION_VECTORS, BBox

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["update_walking", "can_stand"]


def can_stand(world: World, entity: Entity, x: float, y: float) -> bool:
    """Whether the character's collision box at (x, y) is clear of colliding tiles and entities."""
    b = entity.box
    box = BBox(x + b.left, y + b.top, x + b.right, y + b.bottom)
    surface = entity.surface
    if surface.blocking_tiles(box, entity.layers):
        return False
    return not surface.colliding(box, entity.layers, ignore=(entity,))


def update_walking(world: World, entity: Entity) -> None:
    world.walkers.pop(entity.oid, None)
    if not entity.valid or not entity.walking:
        return
    entity.walking = False
    _step(world, entity)
    state = entity.state
    if state is not None and state.mining and state.selected is not None:
        world.poke(entity)  # each step may take its mining target into or out of reach


def _step(world: World, entity: Entity) -> None:
    speed = float(entity.proto.get("running_speed", 0.15))
    vx, vy = DIRECTION_VECTORS[entity.walking_direction % 16]
    nx, ny = entity.x + vx * speed, entity.y + vy * speed
    if can_stand(world, entity, nx, ny):
        entity.surface.move(entity, nx, ny)
        return
    # Slide along whichever axis is free, as the game does against a wall.
    if vx and can_stand(world, entity, entity.x + vx * speed, entity.y):
        entity.surface.move(entity, entity.x + vx * speed, entity.y)
    elif vy and can_stand(world, entity, entity.x, entity.y + vy * speed):
        entity.surface.move(entity, entity.x, entity.y + vy * speed)
