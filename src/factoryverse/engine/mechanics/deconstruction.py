"""Deconstruction orders: an entity marked by a force for its construction robots, as `to_be_deconstructed` reads.

The mark is the entity's `deconstruction` (the marking force), indexed per surface (`Surface.by_mark`) so the
`to_be_deconstructed` search filter costs what it finds. Marking a ghost removes it instead, as the game does (after
`on_pre_ghost_deconstructed`). There are no robots yet, so a mark stays until it is cancelled or the entity goes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from factoryverse.engine.kinds.ghost import is_ghost
from factoryverse.engine.world.mapgen import CHUNK_SIZE
from factoryverse.engine.world.surface import MARKED

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.force import Force
    from factoryverse.engine.world.world import World

__all__ = ["deconstructible", "order_deconstruction", "cancel_deconstruction"]


def deconstructible(entity: Entity) -> bool:
    """Whether robots could take it down: minable, not a resource (mined by drills, never deconstructed) and not
    flagged `not-deconstructable`."""
    proto = entity.proto
    if not proto.get("minable") or entity.kind.tile_indexed:
        return False
    return "not-deconstructable" not in (proto.get("flags") or ())


def _chunk(entity: Entity) -> tuple[int, int]:
    return (math.floor(entity.x) // CHUNK_SIZE, math.floor(entity.y) // CHUNK_SIZE)  # as Surface.add keys it


def order_deconstruction(world: World, entity: Entity, force: Force) -> bool:
    """Mark `entity` for `force`'s robots; whether it is marked (or, a ghost, removed) now."""
    if is_ghost(entity):
        world.engine.events.raise_event("on_pre_ghost_deconstructed", {"ghost": entity})
        world.destroy_entity(entity)
        return True
    if not deconstructible(entity):
        return False
    if entity.deconstruction is not None:
        return entity.deconstruction is force  # one mark at a time: the first force's stands
    entity.deconstruction = force
    surface = entity.surface
    surface.by_mark.insert(MARKED, _chunk(entity), entity, surface._arrival)
    world.engine.events.raise_event("on_marked_for_deconstruction", {"entity": entity})
    return True


def cancel_deconstruction(world: World, entity: Entity, force: Force) -> bool:
    """Take `force`'s mark off `entity`; whether there was one."""
    if entity.deconstruction is not force:
        return False
    entity.surface.by_mark.remove(MARKED, _chunk(entity), entity)
    entity.deconstruction = None
    world.engine.events.raise_event("on_cancelled_deconstruction", {"entity": entity})
    return True
